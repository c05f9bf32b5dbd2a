using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// What a training event reports, by name (Keras' <c>logs</c> dict): <c>loss</c>, metrics such as <c>accuracy</c>,
/// <c>val_loss</c> and <c>val_accuracy</c> at an epoch's end, <c>learning_rate</c> when a scheduling callback runs.
/// Keys keep Keras' order: training values alphabetically, then the validation ones.
/// </summary>
/// <remarks>Immutable: safe to keep and to read from any thread.</remarks>
public sealed class TrainingLogs : IReadOnlyDictionary<string, float>
{
    private readonly KeyValuePair<string, float>[] _items;

    /// <summary>Logs with no values (e.g. at the start of training).</summary>
    public static TrainingLogs Empty { get; } = new([]);

    /// <summary>Logs holding <paramref name="items"/>, in that order.</summary>
    /// <exception cref="ArgumentException">A name is null, empty or repeated.</exception>
    public TrainingLogs(IEnumerable<KeyValuePair<string, float>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in _items)
            if (string.IsNullOrEmpty(key) || !seen.Add(key))
                throw new ArgumentException($"A log name is {(string.IsNullOrEmpty(key) ? "empty" : $"repeated ('{key}')")}.", nameof(items));
    }

    /// <inheritdoc/>
    /// <exception cref="KeyNotFoundException">No such name; the message lists the names there are.</exception>
    public float this[string key] => TryGetValue(key, out float value) ? value
        : throw new KeyNotFoundException($"The logs have no '{key}'. They have: {string.Join(", ", Keys)}.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _items.Select(p => p.Key);

    /// <inheritdoc/>
    public IEnumerable<float> Values => _items.Select(p => p.Value);

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out float value)
    {
        foreach (var (k, v) in _items) // a handful of entries: a scan beats a hash
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        value = 0f;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, float>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, float>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Keras' progress style: <c>accuracy: 0.9120 - loss: 0.2841</c>.</summary>
    public override string ToString() =>
        string.Join(" - ", _items.Select(p => $"{p.Key}: {p.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"));
}
