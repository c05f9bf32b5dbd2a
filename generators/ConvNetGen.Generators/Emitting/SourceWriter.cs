using System;
using System.Globalization;
using System.Text;

namespace ConvNetGen.Generators.Emitting;

/// <summary>
/// Writes C# with indentation tracked for the caller, so emitters read like the code they produce.
/// Numbers are formatted with the invariant culture only (through <see cref="Int"/>, <see cref="Float"/> and the
/// interpolation handler's IFormatProvider).
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    /// <summary>Writes an interpolated line; every number in it is formatted with the invariant culture.</summary>
    public SourceWriter Line(ref InvariantInterpolation text) => Line(text.ToStringAndClear());

    /// <summary>Opens a block: writes the header line and "{", indents what follows.</summary>
    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this, "}");
    }

    /// <summary>Opens a block for an interpolated header (numbers in invariant culture).</summary>
    public IDisposable Block(ref InvariantInterpolation header) => Block(header.ToStringAndClear());

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _sb.ToString();

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A C# literal with digit separators from five digits on, for sizes read at a glance: 5408, 21_632, 3_715_328.</summary>
    public static string Number(long value) =>
        value is > -10_000 and < 10_000 ? Int(value) : value.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '_');

    /// <summary>A float literal that round-trips: 0.001f, 1E-07f.</summary>
    public static string Float(double value)
    {
        string text = ((float)value).ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOfAny(new[] { '.', 'E', 'N', 'I' }) < 0) text += ".0";
        return text + "f";
    }

    /// <summary>A C# string literal; verbatim strings keep multi-line text readable in the generated file.</summary>
    public static string Verbatim(string text) => "@\"" + text.Replace("\"", "\"\"") + "\"";

    /// <summary>Text for an XML doc comment: &lt;, &gt; and &amp; escaped.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// Lets <c>w.Line($"...{n}...")</c> format interpolated numbers with the invariant culture: the compiler prefers
    /// this handler to <see cref="string"/>, so no emitter can pick up the build machine's culture by accident.
    /// </summary>
    [System.Runtime.CompilerServices.InterpolatedStringHandler]
    public struct InvariantInterpolation
    {
        private readonly StringBuilder _sb;

        public InvariantInterpolation(int literalLength, int formattedCount) => _sb = new StringBuilder(literalLength + 8 * formattedCount);

        public void AppendLiteral(string text) => _sb.Append(text);

        public void AppendFormatted<T>(T value) =>
            _sb.Append(value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());

        public void AppendFormatted<T>(T value, string format) =>
            _sb.Append(value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

        public string ToStringAndClear() => _sb.ToString();
    }

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter _writer;
        private readonly string _closing;

        public Closer(SourceWriter writer, string closing)
        {
            _writer = writer;
            _closing = closing;
        }

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line(_closing);
        }
    }
}
