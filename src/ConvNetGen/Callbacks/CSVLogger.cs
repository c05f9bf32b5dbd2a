using System.Globalization;
using System.Text;

namespace ConvNetGen;

/// <summary>
/// Writes one CSV row per epoch (Keras' <c>keras.callbacks.CSVLogger</c>): the columns are <c>epoch</c> (0-based)
/// then the log names sorted, plus a <c>val_</c> column for each when the first epoch had no validation values
/// (filled with <c>NA</c>, as Keras does). Numbers are written as Python writes them (shortest round-trip, invariant
/// culture; <c>nan</c>, <c>inf</c>).
/// </summary>
/// <remarks>
/// Each row is written with one write and flushed to disk before the next epoch starts, so a killed run leaves every
/// finished epoch's row; appending to a file whose last row was cut short starts on a fresh line. The file is open
/// from the start of Fit to its end (also when Fit throws). Not thread-safe; see <see cref="Callback"/>.
/// </remarks>
public sealed class CSVLogger : Callback
{
    private FileStream? _file;
    private string[]? _keys;
    private bool _writeHeader;

    /// <param name="filename">The CSV file.</param>
    /// <param name="separator">The field separator (Keras' <c>separator</c>).</param>
    /// <param name="append">Add to an existing file (its header is kept) instead of replacing it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        if (separator.Contains('"') || separator.Contains('\n') || separator.Contains('\r'))
            throw new ArgumentException("The separator cannot contain quotes or line breaks.", nameof(separator));
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Filename { get; }

    /// <summary>The field separator.</summary>
    public string Separator { get; }

    /// <summary>Whether rows are added to an existing file.</summary>
    public bool Append { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs)
    {
        Close();
        _keys = null;
        bool needsNewLine = false;
        _writeHeader = true;
        if (Append && File.Exists(Filename))
        {
            using var existing = new FileStream(Filename, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            _writeHeader = existing.Length == 0;
            if (existing.Length > 0)
            {
                existing.Position = existing.Length - 1;
                needsNewLine = existing.ReadByte() != '\n';
            }
        }
        _file = new FileStream(Filename, Append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
        if (needsNewLine) WriteLine("");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        if (_file is null) throw new InvalidOperationException("CSVLogger.OnEpochEnd was called before OnTrainBegin.");
        if (_keys is null)
        {
            var keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (keys.Count > 0 && !keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal)))
                keys.AddRange(keys.Select(k => "val_" + k).ToList());
            _keys = keys.ToArray();
            if (_writeHeader) WriteLine(string.Join(Separator, new[] { "epoch" }.Concat(_keys).Select(k => Quote(k, Separator))));
        }
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (string key in _keys)
            row.Append(Separator).Append(logs.TryGetValue(key, out float value) ? Number(value) : "NA");
        WriteLine(row.ToString());
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingLogs logs) => Close();

    internal override void OnFitFinished() => Close();

    private void WriteLine(string line)
    {
        _file!.Write(Encoding.UTF8.GetBytes(line + "\r\n")); // csv.excel's line ending, as Keras writes
        _file.Flush(flushToDisk: true);
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
    }

    /// <summary>Python's <c>repr</c> of the value as a double, which is what Keras' logs hold.</summary>
    internal static string Number(float value) =>
        float.IsNaN(value) ? "nan" : float.IsPositiveInfinity(value) ? "inf" : float.IsNegativeInfinity(value) ? "-inf"
        : FormatDouble(value);

    private static string FormatDouble(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        // Python writes whole floats with ".0" and switches to exponents at 1e16 / below 1e-4 like .NET's "R" does.
        if (!text.Contains('.') && !text.Contains('E')) text += ".0";
        return text.Replace("E", "e", StringComparison.Ordinal);
    }

    /// <summary>A header field as Python's csv module writes it: quoted when it holds the separator or a quote.</summary>
    internal static string Quote(string field, string separator) =>
        field.Contains(separator, StringComparison.Ordinal) || field.Contains('"') ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
