// NativeAOT smoke test of what users do: load Fashion-MNIST, train the MNIST convnet for a few steps, evaluate, save
// and reload the weights, predict. Exits non-zero if anything fails or training did not lower the loss.
//   AotConsumer [--steps N] [--data DIR]
using ConvNetGen;

int steps = 20;
string? data = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], out steps) && steps > 0: i++; break;
        case "--data" when i + 1 < args.Length: data = args[++i]; break;
        default: Console.Error.WriteLine($"AotConsumer: unknown or bad argument '{args[i]}' (usage: [--steps N] [--data DIR])"); return 2;
    }
}

const int batchSize = 64;
var (train, test) = data is null ? FashionMnist.Load() : Idx.Load(data);
train = train.Take(Math.Min(steps * batchSize, train.Count));
test = test.Take(Math.Min(512, test.Count));

var model = new AotNet(seed: 42);
model.Compile(new RMSprop(learningRate: 0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
Console.WriteLine(AotNet.Summary);
var before = model.Evaluate(test.Images, test.Labels);
var history = model.Fit(train.Images, train.Labels, epochs: 1, batchSize: batchSize); // Keras progress, one line when redirected
var after = model.Evaluate(test.Images, test.Labels);
Console.WriteLine($"Trained {steps} steps: test loss {before.Loss:F4} -> {after.Loss:F4}, accuracy {after.Accuracy:F3} (history loss {history["loss"][0]:F4})");

string weights = Path.Combine(Path.GetTempPath(), $"aot-consumer-{Environment.ProcessId}.safetensors");
try
{
    model.SaveWeights(weights);
    var reloaded = new AotNet(seed: 7);
    reloaded.LoadWeights(weights);
    float[] expected = model.Predict(test.Image(0));
    float[] actual = reloaded.Predict(test.Image(0));
    if (!expected.AsSpan().SequenceEqual(actual))
    {
        Console.Error.WriteLine("AotConsumer: the reloaded weights predict differently");
        return 1;
    }
    int predicted = Array.IndexOf(actual, actual.Max());
    Console.WriteLine($"Predicted class {predicted} for a test image of class {test.Labels[0]}");
}
finally
{
    File.Delete(weights);
}

if (!(after.Loss < before.Loss) || !float.IsFinite(after.Loss))
{
    Console.Error.WriteLine($"AotConsumer: training did not lower the loss ({before.Loss} -> {after.Loss})");
    return 1;
}
return 0;

// The MNIST convnet of samples/Mnist, declared here so the app builds from the package alone.
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class AotNet;
