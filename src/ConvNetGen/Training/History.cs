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

    /// <summary>
    /// Writes the history as CSV, as <see cref="CSVLogger"/> writes it (an <c>epoch</c> column, then the names in
    /// ordinal order, Python's number format, <c>NA</c> where an epoch lacks a value), atomically: the file is complete
    /// or untouched. For plotting in a spreadsheet or with pandas, as Keras users plot <c>history.history</c>.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="separator">The field separator (Keras' default ",").</param>
    /// <exception cref="ArgumentException">The path or the separator is empty.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing was changed).</exception>
    public void SaveCsv(string path, string separator = ",")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        var keys = _values.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var text = new System.Text.StringBuilder();
        text.Append(string.Join(separator, new[] { "epoch" }.Concat(keys).Select(k => CSVLogger.Quote(k, separator)))).Append("\r\n");
        for (int row = 0; row < _epochIndices.Count; row++)
        {
            text.Append(_epochIndices[row].ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (string key in keys)
            {
                var values = _values[key];
                // A name first logged in a later epoch (none do today) has fewer values: its early rows are NA.
                int offset = _epochIndices.Count - values.Count;
                text.Append(separator).Append(row >= offset ? CSVLogger.Number(values[row - offset]) : "NA");
            }
            text.Append("\r\n");
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

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
