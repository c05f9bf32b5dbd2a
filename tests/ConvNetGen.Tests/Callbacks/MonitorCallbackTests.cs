using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Callbacks;

/// <summary>
/// EarlyStopping and ReduceLROnPlateau on scripted values, so each rule of Keras' (patience, min_delta, baseline,
/// start_from_epoch, cooldown, min_lr) is checked on numbers worked out by hand from Keras' source.
/// </summary>
public sealed class MonitorCallbackTests
{
    private static TrainingLogs Logs(string name, float value) => new([new(name, value)]);

    /// <summary>Feeds <paramref name="values"/> as epoch ends; returns the epoch at which StopTraining was set, or -1.</summary>
    private static int Run(Callback callback, Model model, string name, params float[] values)
    {
        callback.Attach(model);
        try
        {
            model.StopTraining = false;
            callback.OnTrainBegin(TrainingLogs.Empty);
            for (int epoch = 0; epoch < values.Length; epoch++)
            {
                model.Parameters.Fill(epoch); // marks each epoch's weights, for restoreBestWeights
                callback.OnEpochEnd(epoch, Logs(name, values[epoch]));
                if (model.StopTraining) return epoch;
            }
            return -1;
        }
        finally
        {
            callback.OnTrainEnd(TrainingLogs.Empty);
            callback.Detach();
        }
    }

    [Fact]
    public void EarlyStopping_waits_patience_epochs_after_the_best()
    {
        var stop = new EarlyStopping(monitor: "loss", patience: 3);
        // best at epoch 1; epochs 2, 3, 4 do not improve, the third of them stops.
        Assert.Equal(4, Run(stop, CallbackTests.Compiled(), "loss", 1.0f, 0.9f, 0.95f, 0.96f, 0.97f, 0.1f));
        Assert.Equal(4, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(0.9f, stop.Best);
    }

    [Fact]
    public void EarlyStopping_counts_changes_under_minDelta_as_no_improvement()
    {
        Assert.Equal(2, Run(new EarlyStopping(monitor: "loss", minDelta: 0.05f, patience: 2), CallbackTests.Compiled(), "loss", 1.0f, 0.97f, 0.96f, 0.5f));
        Assert.Equal(-1, Run(new EarlyStopping(monitor: "loss", minDelta: 0.01f, patience: 2), CallbackTests.Compiled(), "loss", 1.0f, 0.97f, 0.96f, 0.5f));
    }

    [Fact]
    public void EarlyStopping_infers_max_for_accuracy_and_honours_an_explicit_mode()
    {
        Assert.Equal(2, Run(new EarlyStopping(monitor: "val_accuracy", patience: 1), CallbackTests.Compiled(), "val_accuracy", 0.5f, 0.6f, 0.55f));
        Assert.Equal(1, Run(new EarlyStopping(monitor: "val_accuracy", patience: 1, mode: MonitorMode.Min), CallbackTests.Compiled(), "val_accuracy", 0.5f, 0.6f, 0.55f));
        var unknown = new EarlyStopping(monitor: "custom", patience: 1);
        var error = Assert.Throws<InvalidOperationException>(() => Run(unknown, CallbackTests.Compiled(), "custom", 1f, 2f));
        Assert.Contains("pass mode: MonitorMode.Max or MonitorMode.Min", error.Message);
    }

    [Fact]
    public void EarlyStopping_with_a_baseline_keeps_waiting_until_it_is_beaten()
    {
        // Improving but never under the baseline: the wait grows (Keras returns on an improvement, so it stops on the first non-improvement past patience).
        Assert.Equal(3, Run(new EarlyStopping(monitor: "loss", patience: 2, baseline: 0.5f), CallbackTests.Compiled(), "loss", 1.0f, 0.9f, 0.8f, 0.85f));
        Assert.Equal(-1, Run(new EarlyStopping(monitor: "loss", patience: 2, baseline: 0.95f), CallbackTests.Compiled(), "loss", 1.0f, 0.9f, 0.8f, 0.85f));
    }

    [Fact]
    public void EarlyStopping_ignores_the_warm_up_epochs()
    {
        Assert.Equal(1, Run(new EarlyStopping(monitor: "loss", patience: 0), CallbackTests.Compiled(), "loss", 1f, 1f, 1f, 1f));
        Assert.Equal(3, Run(new EarlyStopping(monitor: "loss", patience: 0, startFromEpoch: 2), CallbackTests.Compiled(), "loss", 1f, 1f, 1f, 1f));
    }

    [Fact]
    public void EarlyStopping_restores_the_best_epochs_weights_at_the_end()
    {
        var model = CallbackTests.Compiled();
        Run(new EarlyStopping(monitor: "loss", patience: 2, restoreBestWeights: true), model, "loss", 1.0f, 0.5f, 0.7f, 0.8f);
        Assert.All(model.Parameters.ToArray(), v => Assert.Equal(1f, v)); // epoch 1's marker

        var kept = CallbackTests.Compiled();
        Run(new EarlyStopping(monitor: "loss", patience: 2), kept, "loss", 1.0f, 0.5f, 0.7f, 0.8f);
        Assert.All(kept.Parameters.ToArray(), v => Assert.Equal(3f, v)); // the last epoch's
    }

    [Fact]
    public void EarlyStopping_on_a_value_the_logs_lack_says_what_they_have()
    {
        var (x, y) = SyntheticData.Make(16, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() =>
            CallbackTests.Compiled().Fit(x, y, verbose: Verbosity.Silent, callbacks: [new EarlyStopping()]));
        Assert.Contains("monitors 'val_loss', but the epoch's logs have only: accuracy, loss", error.Message);
        Assert.Contains("Pass validation data", error.Message);
    }

    [Fact]
    public void EarlyStopping_stops_a_real_Fit()
    {
        var (x, y) = SyntheticData.Make(48, seed: 1);
        // A minDelta no epoch can beat: the first epoch sets the best, the next one stops.
        var history = CallbackTests.Compiled().Fit(x, y, epochs: 10, batchSize: 16, verbose: Verbosity.Silent,
            callbacks: [new EarlyStopping(monitor: "loss", minDelta: 100f)]);
        Assert.Equal(2, history.Epochs);
    }

    [Fact]
    public void ReduceLROnPlateau_reduces_after_patience_then_cools_down()
    {
        var model = CallbackTests.Compiled(optimizer: new SGD(0.1f));
        var reduce = new ReduceLROnPlateau(monitor: "loss", factor: 0.5f, patience: 1, cooldown: 2);
        var rates = new List<float>();
        reduce.Attach(model);
        reduce.OnTrainBegin(TrainingLogs.Empty);
        foreach (int epoch in Enumerable.Range(0, 6))
        {
            reduce.OnEpochEnd(epoch, Logs("loss", 1f));
            rates.Add(model.Optimizer!.LearningRate);
        }
        reduce.Detach();
        // epoch 0 sets the best; 1 reduces; 2 and 3 are the cooldown (3 ends it and waits 1); 3 reduces; 4, 5 cool down.
        Assert.Equal([0.1f, 0.05f, 0.05f, 0.025f, 0.025f, 0.0125f], rates);
    }

    [Fact]
    public void ReduceLROnPlateau_stops_at_minLr()
    {
        var model = CallbackTests.Compiled(optimizer: new SGD(0.1f));
        var reduce = new ReduceLROnPlateau(monitor: "loss", factor: 0.1f, patience: 0, minLr: 0.005f);
        reduce.Attach(model);
        reduce.OnTrainBegin(TrainingLogs.Empty);
        var rates = new List<float>();
        foreach (int epoch in Enumerable.Range(0, 4))
        {
            reduce.OnEpochEnd(epoch, Logs("loss", 1f));
            rates.Add(model.Optimizer!.LearningRate);
        }
        reduce.Detach();
        Assert.Equal([0.1f, 0.1f * 0.1f, 0.005f, 0.005f], rates);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1f));
    }

    [Fact]
    public void ReduceLROnPlateau_in_Fit_logs_the_rate_it_used()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        var model = CallbackTests.Compiled(optimizer: new SGD(0.1f));
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent,
            callbacks: [new ReduceLROnPlateau(monitor: "loss", minDelta: 100f, patience: 0, factor: 0.5f)]);
        // Logged before the callback acts, as Keras logs it: the rate the epoch trained with.
        Assert.Equal([0.1f, 0.1f, 0.05f], history["learning_rate"]);
        Assert.Equal(0.025f, model.Optimizer!.LearningRate);
    }
}
