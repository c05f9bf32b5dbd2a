using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>
/// Test source with span markers, as in Roslyn's own tests: <c>[[|Conv2D(64, 5)|]]</c> marks the attribute
/// <c>Conv2D(64, 5)</c>, <c>partial class [|Model|]</c> the class name. The markers are removed from the code and
/// their spans kept, in order of their opening marker, so tests can compute where a diagnostic must point.
/// </summary>
public sealed class MarkedSource
{
    private const string Open = "[|", Close = "|]";

    private MarkedSource(string code, ImmutableArray<TextSpan> spans)
    {
        Code = code;
        Spans = spans;
        Text = SourceText.From(code);
    }

    /// <summary>The source without markers.</summary>
    public string Code { get; }

    /// <summary>The marked spans in <see cref="Code"/>, in order of appearance.</summary>
    public ImmutableArray<TextSpan> Spans { get; }

    public SourceText Text { get; }

    /// <summary>The (0-based) line/column span of marker <paramref name="index"/>.</summary>
    public LinePositionSpan LineSpan(int index) => Text.Lines.GetLinePositionSpan(Spans[index]);

    public static MarkedSource Parse(string marked)
    {
        var code = new StringBuilder(marked.Length);
        var open = new Stack<(int Order, int Start)>();
        var ordered = new SortedDictionary<int, TextSpan>();
        int order = 0;
        for (int i = 0; i < marked.Length; i++)
        {
            if (string.CompareOrdinal(marked, i, Open, 0, Open.Length) == 0)
            {
                open.Push((order++, code.Length));
                i += Open.Length - 1;
            }
            else if (string.CompareOrdinal(marked, i, Close, 0, Close.Length) == 0 && open.Count > 0)
            {
                var (o, start) = open.Pop();
                ordered[o] = TextSpan.FromBounds(start, code.Length);
                i += Close.Length - 1;
            }
            else code.Append(marked[i]);
        }
        if (open.Count > 0) throw new ArgumentException("Unclosed [| marker in test source.", nameof(marked));
        return new MarkedSource(code.ToString(), ordered.Values.ToImmutableArray());
    }
}
