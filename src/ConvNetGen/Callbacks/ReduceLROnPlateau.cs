using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Lowers the optimizer's learning rate when a monitored value stops improving (Keras'
/// <c>keras.callbacks.ReduceLROnPlateau</c>, same defaults): after <c>patience</c> epochs without an improvement of
/// more than <c>minDelta</c>, the rate is multiplied by <c>factor</c> (never below <c>minLr</c>), then
/// <c>cooldown</c> epochs pass before waiting starts again. Adds <c>learning_rate</c> to the epoch's logs.
/// </summary>
/// <remarks>
/// A monitored name the logs lack is an error (Keras warns). An optimizer built on a
/// <see cref="LearningRateSchedule"/> has no settable rate; reducing it then throws, as in Keras.
/// Not thread-safe; see <see cref="Callback"/>.
/// </remarks>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly MonitoredValue _monitor;
    private float? _best;

    /// <param name="monitor">The log to watch.</param>
    /// <param name="factor">What the rate is multiplied by, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement before reducing.</param>
    /// <param name="mode">Whether the value should fall or rise; Auto infers it from the name.</param>
    /// <param name="minDelta">The least change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs after a reduction before waiting resumes.</param>
    /// <param name="minLr">The lowest rate, at least 0.</param>
    /// <param name="verbose">Print a line for each reduction.</param>
    /// <param name="output">Where those lines go (default: the console).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10, MonitorMode mode = MonitorMode.Auto,
        float minDelta = 1e-4f, int cooldown = 0, float minLr = 0f, bool verbose = false, TextWriter? output = null)
    {
        _monitor = new MonitoredValue(monitor, mode, minDelta, nameof(ReduceLROnPlateau));
        if (!(factor > 0f && factor < 1f))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau's factor must be in (0, 1) (Keras refuses a factor >= 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!(minLr >= 0f && float.IsFinite(minLr)))
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be a finite number of at least 0.");
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLr = minLr;
        Verbose = verbose;
        Output = output;
    }

    /// <summary>The log watched.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>What the rate is multiplied by.</summary>
    public float Factor { get; }

    /// <summary>Epochs without improvement before reducing.</summary>
    public int Patience { get; }

    /// <summary>Epochs after a reduction before waiting resumes.</summary>
    public int Cooldown { get; }

    /// <summary>The lowest rate.</summary>
    public float MinLr { get; }

    /// <summary>Epochs waited without improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>Cooldown epochs left.</summary>
    public int CooldownCounter { get; private set; }

    private bool Verbose { get; }
    private TextWriter? Output { get; }

    internal override bool LogsLearningRate => true;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs)
    {
        _best = null;
        CooldownCounter = 0;
        Wait = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        float current = _monitor.Read(logs) ?? throw new InvalidOperationException(
            $"ReduceLROnPlateau monitors '{Monitor}', but the epoch's logs have only: {string.Join(", ", logs.Keys)}." +
            (Monitor.StartsWith("val_", StringComparison.Ordinal) ? " Pass validation data to Fit, or monitor 'loss'." : ""));
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            Wait = 0;
        }
        if (_monitor.IsImprovement(current, _best))
        {
            _best = current;
            Wait = 0;
            return;
        }
        if (CooldownCounter > 0) return;
        if (++Wait < Patience) return;
        var optimizer = Model.Optimizer!;
        float old = optimizer.LearningRate;
        if (!(old > MinLr)) return;
        float reduced = Math.Max(old * Factor, MinLr);
        if (reduced <= 0f) return; // minLr 0 and a rate so small it underflows: nothing lower to go to
        optimizer.LearningRate = reduced;
        if (Verbose) (Output ?? Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {reduced}."));
        CooldownCounter = Cooldown;
        Wait = 0;
    }
}
