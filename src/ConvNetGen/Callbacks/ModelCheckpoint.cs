using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Saves the model after each epoch (Keras' <c>keras.callbacks.ModelCheckpoint</c>): to a path filled from a pattern
/// such as <c>"ckpt/{epoch:02d}-{val_loss:.2f}.ckpt"</c>, every epoch or only when the monitored value improved.
/// With <c>saveWeightsOnly</c> the file is <see cref="Model.SaveWeights"/>' safetensors; otherwise it is a resumable
/// checkpoint (<see cref="Model.SaveCheckpoint"/>: weights, optimizer state, epoch and shuffle state) that
/// <see cref="Model.LoadCheckpoint"/> reads back. Files are written atomically; a missing folder is created.
/// </summary>
/// <remarks>
/// Keras requires <c>.weights.h5</c> or <c>.keras</c> names; here any name is accepted (suggested: <c>.safetensors</c>
/// for weights, <c>.ckpt</c> for checkpoints). Not thread-safe; see <see cref="Callback"/>.
/// </remarks>
public sealed class ModelCheckpoint : Callback
{
    private readonly FilePathPattern _path;
    private readonly MonitoredValue _monitor;
    private readonly float? _initialValueThreshold;
    private float? _best;

    /// <param name="filepath">Where to save; <c>{epoch}</c> (1-based) and log names are filled in, with Python-style specs.</param>
    /// <param name="monitor">The log compared when <paramref name="saveBestOnly"/>.</param>
    /// <param name="saveBestOnly">Save only when the monitored value beats the best so far.</param>
    /// <param name="saveWeightsOnly">Save the weights alone (safetensors) instead of a resumable checkpoint.</param>
    /// <param name="mode">Whether the value should fall or rise; Auto infers it from the name.</param>
    /// <param name="initialValueThreshold">A value the first save must beat (Keras' <c>initial_value_threshold</c>).</param>
    /// <param name="verbose">Print a line for each save (and skipped save).</param>
    /// <param name="output">Where those lines go (default: the console).</param>
    /// <exception cref="ArgumentException">The pattern is malformed.</exception>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false,
        MonitorMode mode = MonitorMode.Auto, float? initialValueThreshold = null, bool verbose = false, TextWriter? output = null)
    {
        _path = new FilePathPattern(filepath, nameof(filepath));
        _monitor = new MonitoredValue(monitor, mode, 0f, nameof(ModelCheckpoint));
        if (initialValueThreshold is float t && !float.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(initialValueThreshold), t, "The threshold must be finite.");
        _initialValueThreshold = initialValueThreshold;
        _best = initialValueThreshold;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        Verbose = verbose;
        Output = output;
    }

    /// <summary>The path pattern.</summary>
    public string FilePath => _path.Pattern;

    /// <summary>The log compared when saving only the best.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether only the weights are saved.</summary>
    public bool SaveWeightsOnly { get; }

    /// <summary>The best monitored value seen (starting from the threshold), or null.</summary>
    public float? Best => _best;

    /// <summary>The last file written, or null.</summary>
    public string? LastSaved { get; private set; }

    private bool Verbose { get; }
    private TextWriter? Output { get; }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        string path = _path.Fill(epoch + 1, logs);
        var c = CultureInfo.InvariantCulture;
        if (SaveBestOnly)
        {
            float current = _monitor.Read(logs) ?? throw new InvalidOperationException(
                $"ModelCheckpoint saves the best '{Monitor}', but the epoch's logs have only: {string.Join(", ", logs.Keys)}." +
                (Monitor.StartsWith("val_", StringComparison.Ordinal) ? " Pass validation data to Fit, or monitor 'loss'." : ""));
            string bestText = _best is float b ? b.ToString("0.00000", c) : "None";
            if (!_monitor.IsImprovement(current, _best))
            {
                if (Verbose) Write(string.Create(c, $"Epoch {epoch + 1}: {Monitor} did not improve from {bestText}"));
                return;
            }
            if (Verbose) Write(string.Create(c, $"Epoch {epoch + 1}: {Monitor} improved from {bestText} to {current:0.00000}, saving model to {path}"));
            _best = current;
        }
        else if (Verbose) Write(string.Create(c, $"Epoch {epoch + 1}: saving model to {path}"));

        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        if (SaveWeightsOnly) Model.SaveWeights(path);
        else Model.SaveCheckpoint(path); // Fit has recorded epoch + 1 as the epoch reached
        LastSaved = path;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs)
    {
        // Keras keeps its best across fit calls; so do we (a resumed run keeps improving on the same best).
        if (_best is null && _initialValueThreshold is float t) _best = t;
    }

    private void Write(string line) => (Output ?? Console.Out).WriteLine(line);
}
