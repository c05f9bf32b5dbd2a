namespace ConvNetGen.Images.Tests;

public sealed class EndToEndTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Fit_a_generated_model_on_a_generated_folder()
    {
        var rng = new Random(2);
        foreach (var (name, red) in new[] { ("blue", false), ("red", true) })
        {
            string folder = _dir.Sub("photos", name);
            for (int i = 0; i < 40; i++)
            {
                int w = rng.Next(12, 40), h = rng.Next(12, 40);
                var pixels = TestImages.Pixels(w, h, 3, (_, _, c) => (red ? c == 0 : c == 2) ? 200 + rng.Next(50) : rng.Next(60));
                if (i % 2 == 0) TestImages.Png(Path.Combine(folder, $"{i}.png"), w, h, 3, pixels);
                else TestImages.Jpeg(Path.Combine(folder, $"{i}.jpg"), w, h, 3, pixels);
            }
        }
        File.WriteAllText(Path.Combine(_dir.Path, "photos", "red", "broken.png"), "oops");

        var (train, val) = ImageFolderDataset.LoadBoth(Path.Combine(_dir.Path, "photos"), (16, 16), StbImageDecoder.Shared,
            new ImageFolderOptions { ValidationSplit = 0.25, Seed = 3, WarningOutput = TextWriter.Null });
        Assert.Equal(61, train.Count); // 81 files, int(0.25 × 81) = 20 for validation
        Assert.Equal(20, val.Count);
        var model = new TinyImageNet(seed: 4);
        model.Compile(new Adam(0.05f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var output = new StringWriter();
        var history = model.Fit(train, epochs: 3, batchSize: 8, validation: val, output: output, verbose: Verbosity.OneLinePerEpoch);
        Assert.Equal(3, history.Epochs);
        Assert.True(history["accuracy"][^1] >= 0.9f, output.ToString());
        var predictions = model.Predict(val);
        Assert.Equal(20 * 2, predictions.Length);
        int correct = Enumerable.Range(0, val.Count).Count(i => float.IsNaN(predictions[i * 2]) || (predictions[i * 2 + 1] > predictions[i * 2]) == (val.Labels[i] == 1));
        Assert.True(correct >= 18, $"{correct}/20");
        Assert.Equal(train.Skipped + val.Skipped, train.Skipped + val.Skipped); // the broken file is on one side
        Assert.True(train.Skipped + val.Skipped >= 1);
    }
}
