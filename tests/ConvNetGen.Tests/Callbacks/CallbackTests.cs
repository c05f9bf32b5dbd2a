using System.Globalization;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Callbacks;

using Losses = global::ConvNetGen.Losses;

/// <summary>Fit's events: their order, their logs, and stopping from a callback.</summary>
public sealed class CallbackTests
{
    internal static SmallNet Compiled(int seed = 7, Optimizer? optimizer = null)
    {
        var model = new SmallNet(seed) { ThreadCount = 2 };
        model.Compile(optimizer ?? new RMSprop(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    /// <summary>Writes down every event it sees.</summary>
    private sealed class Recorder : Callback
    {
        public List<string> Events { get; } = [];
        public List<TrainingLogs> EpochLogs { get; } = [];
        public Action<int>? AtBatchEnd { get; init; }

        public override void OnTrainBegin(TrainingLogs logs) => Events.Add("train_begin");
        public override void OnTrainEnd(TrainingLogs logs) => Events.Add("train_end");
        public override void OnEpochBegin(int epoch, TrainingLogs logs) => Events.Add($"epoch_begin {epoch}");
        public override void OnEpochEnd(int epoch, TrainingLogs logs)
        {
            Events.Add($"epoch_end {epoch}");
            EpochLogs.Add(logs);
        }
        public override void OnTrainBatchBegin(int batch, TrainingLogs logs) => Events.Add($"batch_begin {batch}");
        public override void OnTrainBatchEnd(int batch, TrainingLogs logs)
        {
            Events.Add($"batch_end {batch} loss={logs["loss"].ToString(CultureInfo.InvariantCulture)}");
            AtBatchEnd?.Invoke(batch);
        }
    }

    [Fact]
    public void Hooks_run_in_Keras_order_with_0_based_indices_and_the_epoch_logs()
    {
        var (x, y) = SyntheticData.Make(40, seed: 1);
        var (vx, vy) = SyntheticData.Make(20, seed: 2);
        var recorder = new Recorder();
        var history = Compiled().Fit(x, y, epochs: 2, batchSize: 16, validationData: (vx, vy), verbose: Verbosity.Silent, callbacks: [recorder]);

        var shape = recorder.Events.Select(e => e.Split(" loss=")[0]).ToList();
        string[] epoch(int e) => [$"epoch_begin {e}", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1", "batch_begin 2", "batch_end 2", $"epoch_end {e}"];
        Assert.Equal(["train_begin", .. epoch(0), .. epoch(1), "train_end"], shape);
        Assert.Equal(["accuracy", "loss", "val_accuracy", "val_loss"], recorder.EpochLogs[0].Keys);
        for (int e = 0; e < 2; e++)
            foreach (var (name, value) in recorder.EpochLogs[e])
                Assert.Equal(history[name][e], value);
        Assert.Equal([0, 1], history.Epoch);
    }

    [Fact]
    public void StopTraining_set_in_a_batch_ends_Fit_after_that_step_and_closes_the_epoch()
    {
        var (x, y) = SyntheticData.Make(64, seed: 1);
        var model = Compiled();
        var recorder = new Recorder { AtBatchEnd = b => { if (b == 1) model.StopTraining = true; } };
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent, callbacks: [recorder]);
        Assert.Equal(1, history.Epochs);
        Assert.Equal(2, recorder.Events.Count(e => e.StartsWith("batch_end", StringComparison.Ordinal)));
        Assert.Equal("epoch_end 0", recorder.Events[^2]);
        Assert.Equal(2, model.Optimizer!.Iterations);
        // The next Fit starts afresh: the flag is cleared.
        Assert.Equal(1, model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent).Epochs);
    }

    [Fact]
    public void A_callback_in_a_running_Fit_is_refused_by_another_and_freed_afterwards()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        var other = Compiled(seed: 8);
        Exception? inner = null;
        var shared = new Recorder();
        var nesting = new Recorder { AtBatchEnd = _ => inner ??= Record.Exception(() => other.Fit(x, y, verbose: Verbosity.Silent, callbacks: [shared])) };
        Compiled().Fit(x, y, batchSize: 16, verbose: Verbosity.Silent, callbacks: [nesting, shared]);
        Assert.IsType<ArgumentException>(inner);
        Assert.Contains("already taking part in a Fit of SmallNet", inner.Message);
        other.Fit(x, y, verbose: Verbosity.Silent, callbacks: [shared]); // free again once that Fit returned
    }

    [Fact]
    public void TerminateOnNaN_turns_a_diverged_step_into_a_normal_end_and_the_weights_stay()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        SmallNet Poisoned()
        {
            var model = Compiled();
            model.Weights("out/kernel")[0] = float.NaN;
            return model;
        }
        Assert.Throws<TrainingDivergedException>(() => Poisoned().Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent));

        var model = Poisoned();
        var before = model.Parameters.ToArray();
        var terminate = new TerminateOnNaN(quiet: true);
        var history = model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [terminate]);
        Assert.True(terminate.Terminated);
        Assert.Equal(1, history.Epochs);
        Assert.True(float.IsNaN(history["loss"][0]));
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, model.Optimizer!.Iterations);

        Assert.Throws<TrainingDivergedException>(() => Poisoned().Fit(x, y, batchSize: 16, verbose: Verbosity.Silent, callbacks: [new TerminateOnNaN(raiseError: true)]));
    }

    [Fact]
    public void LearningRateScheduler_sets_the_rate_per_epoch_and_logs_it()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        var model = Compiled();
        var seen = new List<(int, float)>();
        var scheduler = new LearningRateScheduler((epoch, lr) => { seen.Add((epoch, lr)); return 0.001f * (epoch + 1); });
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent, callbacks: [scheduler]);
        Assert.Equal([(0, 0.01f), (1, 0.001f), (2, 0.002f)], seen);
        Assert.Equal([0.001f, 0.002f, 0.003f], history["learning_rate"]);
        Assert.Equal(0.003f, model.Optimizer!.LearningRate);

        var bad = new LearningRateScheduler((_, _) => -1f);
        var error = Assert.Throws<InvalidOperationException>(() => Compiled().Fit(x, y, verbose: Verbosity.Silent, callbacks: [bad]));
        Assert.Contains("returned -1 for epoch 0", error.Message);
    }

    [Fact]
    public void Progress_is_told_after_every_step()
    {
        var (x, y) = SyntheticData.Make(40, seed: 1);
        var reports = new List<TrainingProgress>();
        Compiled().Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, progress: new Collect(reports));
        Assert.Equal([(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)], reports.Select(r => (r.Epoch, r.Step)));
        Assert.All(reports, r => Assert.Equal((2, 3), (r.Epochs, r.Steps)));
        Assert.All(reports, r => Assert.True(r.Logs.ContainsKey("loss")));
    }

    /// <summary>Synchronous, unlike Progress{T}, which posts to the thread pool.</summary>
    private sealed class Collect(List<TrainingProgress> into) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => into.Add(value);
    }

    [Fact]
    public void Null_and_repeated_callbacks_are_refused()
    {
        var (x, y) = SyntheticData.Make(16, seed: 1);
        var recorder = new Recorder();
        Assert.Throws<ArgumentNullException>(() => Compiled().Fit(x, y, verbose: Verbosity.Silent, callbacks: [null!]));
        Assert.Throws<ArgumentException>(() => Compiled().Fit(x, y, verbose: Verbosity.Silent, callbacks: [recorder, recorder]));
        Assert.Throws<ArgumentException>(() => Compiled().Fit(x, y, verbose: Verbosity.Silent, callbacks: [new History()]));
    }

    [Fact]
    public void The_dataset_overload_fires_the_same_events_with_the_same_logs()
    {
        var (x, y) = SyntheticData.Make(40, seed: 1);
        var fromArrays = new Recorder();
        var fromDataset = new Recorder();
        Compiled().Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [fromArrays]);
        Compiled().Fit(new ArrayDataset(x, y, 12, 12, 1), epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [fromDataset]);
        Assert.Equal(fromArrays.Events, fromDataset.Events);
    }
}
