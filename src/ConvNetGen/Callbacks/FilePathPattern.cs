using System.Globalization;
using System.Text;

namespace ConvNetGen;

/// <summary>
/// Fills a file name pattern as Keras' <c>ModelCheckpoint</c> does with Python's <c>str.format</c>:
/// <c>{epoch:02d}-{val_loss:.2f}</c> → <c>03-0.41</c>. Supported specs: none, <c>[0][width]d</c> for whole numbers,
/// <c>[0][width][.precision](f|e|g|%)</c> for fractions; <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
internal sealed class FilePathPattern
{
    private readonly List<(string Literal, string? Name, string? Spec)> _parts = [];

    public string Pattern { get; }

    /// <exception cref="ArgumentException">A brace is unbalanced or a spec is not one of the supported ones.</exception>
    public FilePathPattern(string pattern, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern, parameterName);
        Pattern = pattern;
        var literal = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '}' && i + 1 < pattern.Length && pattern[i + 1] == '}') { literal.Append('}'); i++; continue; }
            if (c == '}') throw new ArgumentException($"'{pattern}' has a '}}' at {i} with no '{{' before it (write '}}}}' for a literal brace).", parameterName);
            if (c != '{') { literal.Append(c); continue; }
            if (i + 1 < pattern.Length && pattern[i + 1] == '{') { literal.Append('{'); i++; continue; }
            int end = pattern.IndexOf('}', i + 1);
            if (end < 0) throw new ArgumentException($"'{pattern}' has a '{{' at {i} that is never closed.", parameterName);
            string field = pattern[(i + 1)..end];
            int colon = field.IndexOf(':');
            string name = colon < 0 ? field : field[..colon];
            string? spec = colon < 0 ? null : field[(colon + 1)..];
            if (name.Length == 0) throw new ArgumentException($"'{pattern}' has an empty field at {i}; name it, e.g. {{epoch:02d}}.", parameterName);
            if (spec is not null) Format(0.0, spec, name, pattern, parameterName); // refuse a bad spec now, not after an epoch of training
            _parts.Add((literal.ToString(), name, spec));
            literal.Clear();
            i = end;
        }
        _parts.Add((literal.ToString(), null, null));
    }

    /// <summary>The names the pattern refers to.</summary>
    public IEnumerable<string> Names => _parts.Where(p => p.Name is not null).Select(p => p.Name!);

    /// <summary>The path for <paramref name="epoch"/> (1-based, as Keras fills it) and <paramref name="logs"/>.</summary>
    /// <exception cref="InvalidOperationException">The pattern names a value the logs lack.</exception>
    public string Fill(int epoch, TrainingLogs logs)
    {
        var result = new StringBuilder();
        foreach (var (literal, name, spec) in _parts)
        {
            result.Append(literal);
            if (name is null) continue;
            if (name == "epoch") result.Append(spec is null ? epoch.ToString(CultureInfo.InvariantCulture) : Format(epoch, spec, name, Pattern, "filepath"));
            else if (logs.TryGetValue(name, out float value))
                result.Append(spec is null ? ((double)value).ToString("R", CultureInfo.InvariantCulture) : Format(value, spec, name, Pattern, "filepath"));
            else
                throw new InvalidOperationException(
                    $"The checkpoint path '{Pattern}' names '{{{name}}}', but the logs have only: epoch, {string.Join(", ", logs.Keys)}.");
        }
        return result.ToString();
    }

    private static string Format(double value, string spec, string name, string pattern, string parameterName)
    {
        var c = CultureInfo.InvariantCulture;
        int i = 0;
        bool zero = i < spec.Length && spec[i] == '0';
        if (zero) i++;
        int width = 0;
        while (i < spec.Length && char.IsAsciiDigit(spec[i])) width = width * 10 + (spec[i++] - '0');
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            i++;
            int p = 0, start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i])) p = p * 10 + (spec[i++] - '0');
            if (i == start) throw BadSpec();
            precision = p;
        }
        char type = i < spec.Length ? spec[i++] : 'g';
        if (i != spec.Length || width > 64 || precision > 30) throw BadSpec();
        string text = type switch
        {
            'd' when precision is null => value == Math.Floor(value) ? ((long)value).ToString(c)
                : throw new InvalidOperationException($"The checkpoint path '{pattern}' formats '{name}' ({value.ToString(c)}) as a whole number ('d'); use '.4f' for a fraction."),
            'f' => value.ToString("F" + (precision ?? 6).ToString(c), c),
            'e' => value.ToString((precision ?? 6) == 0 ? "0e+00" : "0." + new string('0', precision ?? 6) + "e+00", c),
            '%' => (value * 100).ToString("F" + (precision ?? 6).ToString(c), c) + "%",
            'g' => precision is int g ? value.ToString("G" + Math.Max(g, 1).ToString(c), c) : value.ToString("R", c),
            _ => throw BadSpec(),
        };
        if (text.Length >= width) return text;
        return zero && text[0] == '-' ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, zero ? '0' : ' ');

        ArgumentException BadSpec() => new(
            $"'{pattern}' formats '{name}' with '{spec}', which is not supported; use e.g. {{epoch:02d}} or {{val_loss:.2f}} (d, f, e, g or % with an optional 0, width and .precision).",
            parameterName);
    }
}
