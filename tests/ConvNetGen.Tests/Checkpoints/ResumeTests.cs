using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Checkpoints;

using Losses = global::ConvNetGen.Losses;

/// <summary>
/// A run stopped after epoch 2 and resumed from its checkpoint ends bit-identical to one never stopped. SmallNet has
/// BatchNormalization (moving statistics), Dropout (per-thread random streams) and trains on two threads with Adam
/// (moments, step count) and shuffling, so each piece of state the checkpoint holds is needed for the equality.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SmallNet Compiled(Optimizer? optimizer = null)
    {
        var model = new SmallNet(seed: 5) { ThreadCount = 2 };
        model.Compile(optimizer ?? new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    private static readonly (float[] X, int[] Y) Data = SyntheticData.Make(72, seed: 3);

    [Fact]
    public void Two_epochs_then_resume_for_two_equals_four_uninterrupted()
    {
        var straight = Compiled();
        var full = straight.Fit(Data.X, Data.Y, epochs: 4, batchSize: 16, verbose: Verbosity.Silent);

        string path = Path.Combine(_dir, "run.ckpt");
        var first = Compiled();
        first.Fit(Data.X, Data.Y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent);
        first.SaveCheckpoint(path);

        var resumed = Compiled(); // a new process would start here
        int epoch = resumed.LoadCheckpoint(path);
        Assert.Equal(2, epoch);
        var rest = resumed.Fit(Data.X, Data.Y, epochs: 4, batchSize: 16, verbose: Verbosity.Silent, initialEpoch: epoch);

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        Assert.Equal([2, 3], rest.Epoch);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
    }

    [Fact]
    public void Float_targets_with_sample_weights_resume_bit_identically_too()
    {
        var (x, _) = Data;
        var random = new Random(4);
        var targets = Enumerable.Range(0, 72 * 3).Select(_ => random.NextSingle()).ToArray(); // soft labels
        var weights = Enumerable.Range(0, 72).Select(i => 0.5f + i % 3).ToArray();
        SmallNet Soft()
        {
            var model = new SmallNet(seed: 5) { ThreadCount = 2 };
            model.Compile(new Adam(0.01f), new CategoricalCrossentropy(labelSmoothing: 0.1f), [new CategoricalAccuracy()]);
            return model;
        }
        var straight = Soft();
        straight.Fit(x, targets, epochs: 4, batchSize: 16, verbose: Verbosity.Silent, sampleWeight: weights);

        string path = Path.Combine(_dir, "soft.ckpt");
        var first = Soft();
        first.Fit(x, targets, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, sampleWeight: weights);
        first.SaveCheckpoint(path);
        var resumed = Soft();
        int epoch = resumed.LoadCheckpoint(path);
        resumed.Fit(x, targets, epochs: 4, batchSize: 16, verbose: Verbosity.Silent, sampleWeight: weights, initialEpoch: epoch);

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void The_dataset_overload_resumes_bit_identically_too()
    {
        var data = new ArrayDataset(Data.X, Data.Y, 12, 12, 1);
        var straight = Compiled();
        straight.Fit(data, epochs: 4, batchSize: 16, verbose: Verbosity.Silent);
        string path = Path.Combine(_dir, "dataset.ckpt");
        var first = Compiled();
        first.Fit(data, epochs: 2, batchSize: 16, verbose: Verbosity.Silent);
        first.SaveCheckpoint(path);
        var resumed = Compiled();
        resumed.Fit(data, epochs: 4, batchSize: 16, verbose: Verbosity.Silent, initialEpoch: resumed.LoadCheckpoint(path));
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void Without_the_checkpoint_the_same_two_epochs_do_not_give_those_weights()
    {
        // The control for the test above: continuing from the weights alone (fresh optimizer, shuffle and dropout
        // streams) lands elsewhere, so the equality there is the checkpoint's doing.
        var straight = Compiled();
        straight.Fit(Data.X, Data.Y, epochs: 4, batchSize: 16, verbose: Verbosity.Silent);
        var first = Compiled();
        first.Fit(Data.X, Data.Y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent);
        var weightsOnly = Compiled();
        weightsOnly.CopyWeightsFrom(first);
        weightsOnly.Fit(Data.X, Data.Y, epochs: 4, batchSize: 16, verbose: Verbosity.Silent, initialEpoch: 2);
        Assert.NotEqual(straight.Parameters.ToArray(), weightsOnly.Parameters.ToArray());
    }

    [Fact]
    public void ModelCheckpoint_writes_a_checkpoint_a_run_resumes_from()
    {
        var straight = Compiled();
        straight.Fit(Data.X, Data.Y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);

        var first = Compiled();
        var checkpoint = new ModelCheckpoint(Path.Combine(_dir, "epoch{epoch}.ckpt"), monitor: "loss");
        first.Fit(Data.X, Data.Y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent,
            callbacks: [checkpoint, new StopAfter(first, epochs: 1)]);
        Assert.Equal(Path.Combine(_dir, "epoch1.ckpt"), checkpoint.LastSaved);

        var resumed = Compiled();
        int epoch = resumed.LoadCheckpoint(checkpoint.LastSaved!);
        Assert.Equal(1, epoch);
        resumed.Fit(Data.X, Data.Y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent, initialEpoch: epoch);
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    /// <summary>Stands in for a killed run: ends Fit after the given number of epochs.</summary>
    private sealed class StopAfter(Model model, int epochs) : Callback
    {
        public override void OnEpochEnd(int epoch, TrainingLogs logs)
        {
            if (epoch + 1 >= epochs) model.StopTraining = true;
        }
    }

    [Fact]
    public void A_resumed_run_keeps_the_learning_rate_a_callback_lowered()
    {
        string path = Path.Combine(_dir, "lr.ckpt");
        var first = Compiled(new SGD(0.1f));
        first.Optimizer!.LearningRate = 0.025f;
        first.SaveCheckpoint(path);
        var resumed = Compiled(new SGD(0.1f));
        resumed.LoadCheckpoint(path);
        Assert.Equal(0.025f, resumed.Optimizer!.LearningRate);
    }
}
