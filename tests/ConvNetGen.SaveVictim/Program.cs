using ConvNetGen.SaveVictim;

// Usage: ConvNetGen.SaveVictim <path> <first save number>
// Saves BigNet's weights to <path> again and again, printing "saved <n>" after each save returns.
string path = args[0];
int save = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var model = new BigNet(seed: 1);
while (true)
{
    SavePattern.Fill(model.Parameters, save);
    model.SaveWeights(path);
    Console.WriteLine($"saved {save}");
    save++;
}
