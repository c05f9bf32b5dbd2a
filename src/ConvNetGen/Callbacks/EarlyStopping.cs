using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Stops training when a monitored value stops improving (Keras' <c>keras.callbacks.EarlyStopping</c>, same defaults
/// and rules): after each epoch from <c>startFromEpoch</c> on, a value that beats the best by more than
/// <c>minDelta</c> resets the wait; after <c>patience</c> epochs without one, training stops.
/// </summary>
/// <remarks>
/// Unlike Keras, a monitored name the logs lack (e.g. <c>val_loss</c> without validation data) is an error, not a
/// warning: the callback would otherwise silently never stop anything. Not thread-safe; see <see cref="Callback"/>.
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private readonly MonitoredValue _monitor;
    private float? _best;
    private float[]? _bestWeights;

    /// <param name="monitor">The log to watch, e.g. <c>val_loss</c> (Keras' default) or <c>val_accuracy</c>.</param>
    /// <param name="minDelta">The least change that counts as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="mode">Whether the value should fall or rise; Auto infers it from the name.</param>
    /// <param name="baseline">A value the monitored one must beat; until it does, the wait is not reset.</param>
    /// <param name="restoreBestWeights">At the end, put back the weights of the best epoch (as Keras: also when no epoch beat the baseline).</param>
    /// <param name="startFromEpoch">Epochs (0-based) to let pass before watching, for a warm-up.</param>
    /// <param name="verbose">Print a line when stopping and when restoring.</param>
    /// <param name="output">Where those lines go (default: the console).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or a value is not finite.</exception>
    public EarlyStopping(string monitor = "val_loss", float minDelta = 0f, int patience = 0, MonitorMode mode = MonitorMode.Auto,
        float? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0, bool verbose = false, TextWriter? output = null)
    {
        _monitor = new MonitoredValue(monitor, mode, minDelta, nameof(EarlyStopping));
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(startFromEpoch);
        if (baseline is float b && !float.IsFinite(b))
            throw new ArgumentOutOfRangeException(nameof(baseline), b, "The baseline must be finite.");
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
        Verbose = verbose;
        Output = output;
    }

    /// <summary>The log watched.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>The least change that counts as an improvement.</summary>
    public float MinDelta => _monitor.MinDelta;

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>Whether the value should fall or rise.</summary>
    public MonitorMode Mode => _monitor.Mode;

    /// <summary>The value to beat, or null.</summary>
    public float? Baseline { get; }

    /// <summary>Whether the best epoch's weights are put back at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Epochs to let pass before watching.</summary>
    public int StartFromEpoch { get; }

    private bool Verbose { get; }
    private TextWriter? Output { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch (0-based) at which training was stopped, or 0 if it was not (as Keras' <c>stopped_epoch</c>).</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The epoch (0-based) with the best value so far.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best value so far, or null before the first watched epoch.</summary>
    public float? Best => _best;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs)
    {
        Wait = 0;
        StoppedEpoch = 0;
        _best = null;
        _bestWeights = null;
        BestEpoch = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        float current = _monitor.Read(logs) ?? throw MissingMonitor(logs);
        if (epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights is null)
        {
            _bestWeights = Model.SnapshotParameters(); // no best yet: this epoch's weights are the best
            BestEpoch = epoch;
        }
        Wait++;
        if (_monitor.IsImprovement(current, _best))
        {
            _best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) _bestWeights = Model.SnapshotParameters();
            // The wait restarts only when both the previous best and the baseline are beaten.
            if (Baseline is null || _monitor.IsImprovement(current, Baseline)) Wait = 0;
            return;
        }
        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingLogs logs)
    {
        var output = Output ?? Console.Out;
        if (StoppedEpoch > 0 && Verbose)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {StoppedEpoch + 1}: early stopping"));
        if (RestoreBestWeights && _bestWeights is not null)
        {
            if (Verbose) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Restoring model weights from the end of the best epoch: {BestEpoch + 1}."));
            Model.RestoreParameters(_bestWeights);
        }
    }

    private InvalidOperationException MissingMonitor(TrainingLogs logs) => new(
        $"EarlyStopping monitors '{Monitor}', but the epoch's logs have only: {string.Join(", ", logs.Keys)}. " +
        (Monitor.StartsWith("val_", StringComparison.Ordinal) ? "Pass validation data to Fit, or monitor a training value such as 'loss'." : "Monitor one of those."));
}
