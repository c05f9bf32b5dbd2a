namespace ConvNetGen;

/// <summary>
/// What <c>Fit</c> measured, per epoch (Keras' <c>History.history</c>): <c>history["loss"][epoch]</c>. Fit adds one
/// as its last callback and returns it, as Keras does.
/// </summary>
/// <remarks>Filled by the Fit call that returns it, then only read: safe to read from any thread after Fit returns.</remarks>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<float>> _values = new();
    private readonly List<TimeSpan> _durations = new();
    private readonly List<int> _epochIndices = new();

    /// <summary>The number of epochs recorded.</summary>
    public int Epochs => _durations.Count;

    /// <summary>The epochs recorded, 0-based as Keras' <c>History.epoch</c> (they start at <c>initialEpoch</c> when resuming).</summary>
    public IReadOnlyList<int> Epoch => _epochIndices;

    /// <summary>The names recorded: <c>loss</c>, metrics, and <c>val_</c>-prefixed ones when validating.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>One value per epoch for a name such as <c>loss</c>, <c>accuracy</c> or <c>val_accuracy</c>.</summary>
    public IReadOnlyList<float> this[string name] =>
        _values.TryGetValue(name, out var list) ? list
        : throw new KeyNotFoundException($"History has no '{name}'. It has: {string.Join(", ", _values.Keys)}.");

    /// <summary>Each epoch's wall-clock time (its training steps, without validation).</summary>
    public IReadOnlyList<TimeSpan> Durations => _durations;

    /// <summary>The duration Fit measured for the epoch whose end it is reporting.</summary>
    internal TimeSpan PendingDuration { get; set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        foreach (var (name, value) in logs)
        {
            if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<float>();
            list.Add(value);
        }
        _epochIndices.Add(epoch);
        _durations.Add(PendingDuration);
    }
}
