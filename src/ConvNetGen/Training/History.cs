namespace ConvNetGen;

/// <summary>What <c>Fit</c> measured, per epoch (Keras' <c>History.history</c>): <c>history["loss"][epoch]</c>.</summary>
/// <remarks>Filled by the Fit call that returns it, then only read: safe to read from any thread after Fit returns.</remarks>
public sealed class History
{
    private readonly Dictionary<string, List<float>> _values = new();
    private readonly List<TimeSpan> _durations = new();

    /// <summary>The number of epochs recorded.</summary>
    public int Epochs => _durations.Count;

    /// <summary>The names recorded: <c>loss</c>, metrics, and <c>val_</c>-prefixed ones when validating.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>One value per epoch for a name such as <c>loss</c>, <c>accuracy</c> or <c>val_accuracy</c>.</summary>
    public IReadOnlyList<float> this[string name] =>
        _values.TryGetValue(name, out var list) ? list
        : throw new KeyNotFoundException($"History has no '{name}'. It has: {string.Join(", ", _values.Keys)}.");

    /// <summary>Each epoch's wall-clock time.</summary>
    public IReadOnlyList<TimeSpan> Durations => _durations;

    internal void Add(IReadOnlyList<KeyValuePair<string, float>> values, TimeSpan duration)
    {
        foreach (var (name, value) in values)
        {
            if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<float>();
            list.Add(value);
        }
        _durations.Add(duration);
    }
}
