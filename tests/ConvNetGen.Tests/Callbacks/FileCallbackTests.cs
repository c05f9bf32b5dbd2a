using System.Globalization;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Callbacks;

/// <summary>CSVLogger and ModelCheckpoint, which write files as training goes.</summary>
public sealed class FileCallbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CSVLogger_writes_Keras_columns_and_the_historys_numbers()
    {
        var (x, y) = SyntheticData.Make(40, seed: 1);
        var (vx, vy) = SyntheticData.Make(20, seed: 2);
        string path = Path.Combine(_dir, "log.csv");
        var history = CallbackTests.Compiled().Fit(x, y, epochs: 2, batchSize: 16, validationData: (vx, vy), verbose: Verbosity.Silent,
            callbacks: [new CSVLogger(path)]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(3, lines.Length);
        for (int e = 0; e < 2; e++)
        {
            var cells = lines[e + 1].Split(',');
            Assert.Equal(e.ToString(CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(history["loss"][e], (float)double.Parse(cells[2], CultureInfo.InvariantCulture));
            Assert.Equal(history["val_accuracy"][e], (float)double.Parse(cells[3], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void History_SaveCsv_writes_what_CSVLogger_wrote_for_the_same_run()
    {
        var (x, y) = SyntheticData.Make(40, seed: 1);
        var (vx, vy) = SyntheticData.Make(20, seed: 2);
        string logged = Path.Combine(_dir, "logged.csv"), saved = Path.Combine(_dir, "saved.csv");
        var history = CallbackTests.Compiled().Fit(x, y, epochs: 3, batchSize: 16, validationData: (vx, vy), verbose: Verbosity.Silent,
            callbacks: [new CSVLogger(logged)]);
        history.SaveCsv(saved);
        Assert.Equal(File.ReadAllBytes(logged), File.ReadAllBytes(saved));
        Assert.Equal(4, File.ReadAllLines(saved).Length);

        history.SaveCsv(saved, separator: ";"); // replaced whole, with the other separator
        Assert.StartsWith("epoch;accuracy;loss;val_accuracy;val_loss", File.ReadAllText(saved));
        Assert.Empty(Directory.GetFiles(_dir, "*.convnetgen-tmp"));
    }

    [Fact]
    public void CSVLogger_without_validation_adds_NA_val_columns_and_appends_without_a_second_header()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        string path = Path.Combine(_dir, "log.csv");
        var model = CallbackTests.Compiled();
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent, callbacks: [new CSVLogger(path, separator: ";")]);
        File.AppendAllText(path, "1;0.5"); // a row cut short by a killed run
        model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [new CSVLogger(path, separator: ";", append: true)]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch;accuracy;loss;val_accuracy;val_loss", lines[0]);
        Assert.Equal(["epoch", "0", "1;0.5", "0", "1"], lines.Select(l => l.Length <= 5 ? l : l.Split(';')[0]));
        Assert.EndsWith(";NA;NA", lines[1]);
        Assert.EndsWith(";NA;NA", lines[4]);
    }

    [Fact]
    public void ModelCheckpoint_fills_the_pattern_and_saves_only_improvements_when_asked()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        string pattern = Path.Combine(_dir, "sub", "w{epoch:02d}-{loss:.3f}.safetensors");
        var model = CallbackTests.Compiled();
        var checkpoint = new ModelCheckpoint(pattern, monitor: "loss", saveWeightsOnly: true);
        var history = model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [checkpoint]);
        string expected = Path.Combine(_dir, "sub", $"w02-{history["loss"][1].ToString("F3", CultureInfo.InvariantCulture)}.safetensors");
        Assert.Equal(expected, checkpoint.LastSaved);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_dir, "sub")).Length);
        var copy = new SmallNet(99);
        copy.LoadWeights(expected);
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());

        // Best only, with a threshold no epoch beats: nothing is written.
        string best = Path.Combine(_dir, "best.safetensors");
        model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent,
            callbacks: [new ModelCheckpoint(best, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true, initialValueThreshold: 0f)]);
        Assert.False(File.Exists(best));
        var bestOnly = new ModelCheckpoint(best, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true);
        var run = model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [bestOnly]);
        Assert.Equal(run["loss"].Min(), bestOnly.Best);
    }

    private sealed class Throwing : Callback
    {
        public override void OnEpochEnd(int epoch, TrainingLogs logs) => throw new InvalidTimeZoneException("from a callback");
    }

    [Fact]
    public void A_throwing_callback_ends_Fit_and_the_others_are_closed_and_free_again()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        string path = Path.Combine(_dir, "log.csv");
        var logger = new CSVLogger(path);
        var model = CallbackTests.Compiled();
        Assert.Throws<InvalidTimeZoneException>(() => model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [logger, new Throwing()]));
        Assert.False(model.IsTraining);
        Assert.Equal(2, File.ReadAllLines(path).Length); // the header and epoch 0, written before the throw
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { } // .NET locks files it opens: this fails while the logger holds it
        File.Delete(path);
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent, callbacks: [logger]); // detached, so usable again
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }
}
