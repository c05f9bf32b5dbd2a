using System.Text;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>
/// A small unified line diff (longest common subsequence over lines), enough to read a snapshot mismatch in a test
/// failure without an external diff library.
/// </summary>
public static class LineDiff
{
    public enum Operation { Equal, Delete, Insert }

    public readonly record struct Edit(Operation Operation, string Line, int OldIndex, int NewIndex);

    /// <summary>Past this many cells the LCS table is skipped and the differing middle is shown as replaced wholesale.</summary>
    private const long MaxTableCells = 16_000_000;

    /// <summary>Splits on '\n' after normalising line endings; a trailing newline does not make an extra empty line.</summary>
    public static string[] SplitLines(string text)
    {
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.Length == 0) return [];
        if (text.EndsWith('\n')) text = text[..^1];
        return text.Split('\n');
    }

    /// <summary>The edit script turning <paramref name="oldLines"/> into <paramref name="newLines"/>, deletions before insertions.</summary>
    public static List<Edit> Compute(IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines)
    {
        int n = oldLines.Count, m = newLines.Count;
        int prefix = 0;
        while (prefix < n && prefix < m && oldLines[prefix] == newLines[prefix]) prefix++;
        int suffix = 0;
        while (suffix < n - prefix && suffix < m - prefix && oldLines[n - 1 - suffix] == newLines[m - 1 - suffix]) suffix++;

        var edits = new List<Edit>(n + m);
        for (int i = 0; i < prefix; i++) edits.Add(new(Operation.Equal, oldLines[i], i, i));

        int oldStart = prefix, oldEnd = n - suffix, newStart = prefix, newEnd = m - suffix;
        int rows = oldEnd - oldStart, cols = newEnd - newStart;
        if ((long)rows * cols > MaxTableCells)
        {
            for (int i = oldStart; i < oldEnd; i++) edits.Add(new(Operation.Delete, oldLines[i], i, -1));
            for (int j = newStart; j < newEnd; j++) edits.Add(new(Operation.Insert, newLines[j], -1, j));
        }
        else
        {
            // lcs[i, j] = length of the LCS of old[oldStart + i ..] and new[newStart + j ..].
            var lcs = new int[rows + 1, cols + 1];
            for (int i = rows - 1; i >= 0; i--)
                for (int j = cols - 1; j >= 0; j--)
                    lcs[i, j] = oldLines[oldStart + i] == newLines[newStart + j]
                        ? lcs[i + 1, j + 1] + 1
                        : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);

            int a = 0, b = 0;
            while (a < rows || b < cols)
            {
                if (a < rows && b < cols && oldLines[oldStart + a] == newLines[newStart + b])
                {
                    edits.Add(new(Operation.Equal, oldLines[oldStart + a], oldStart + a, newStart + b));
                    a++;
                    b++;
                }
                else if (b >= cols || (a < rows && lcs[a + 1, b] >= lcs[a, b + 1]))
                {
                    edits.Add(new(Operation.Delete, oldLines[oldStart + a], oldStart + a, -1));
                    a++;
                }
                else
                {
                    edits.Add(new(Operation.Insert, newLines[newStart + b], -1, newStart + b));
                    b++;
                }
            }
        }

        for (int k = 0; k < suffix; k++) edits.Add(new(Operation.Equal, oldLines[n - suffix + k], n - suffix + k, m - suffix + k));
        return edits;
    }

    /// <summary>
    /// A unified diff (<c>---</c>/<c>+++</c> headers, <c>@@ -l,s +l,s @@</c> hunks with <paramref name="context"/> lines
    /// of context); empty when the texts have the same lines.
    /// </summary>
    public static string Unified(string oldText, string newText, string oldName = "verified", string newName = "received",
        int context = 3, int maxLines = 400)
    {
        var oldLines = SplitLines(oldText);
        var newLines = SplitLines(newText);
        var edits = Compute(oldLines, newLines);
        if (edits.All(e => e.Operation == Operation.Equal)) return "";

        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldName).Append('\n');
        sb.Append("+++ ").Append(newName).Append('\n');
        int written = 2;

        int index = 0;
        while (index < edits.Count)
        {
            // Find the next change, then extend the hunk while changes are within 2×context lines of each other.
            int firstChange = edits.FindIndex(index, e => e.Operation != Operation.Equal);
            if (firstChange < 0) break;
            int start = Math.Max(index, firstChange - context);
            int end = firstChange;
            while (true)
            {
                int lastChange = end;
                while (lastChange < edits.Count && edits[lastChange].Operation != Operation.Equal) lastChange++;
                int nextChange = lastChange;
                while (nextChange < edits.Count && edits[nextChange].Operation == Operation.Equal) nextChange++;
                if (nextChange < edits.Count && nextChange - lastChange <= 2 * context)
                {
                    end = nextChange;
                    continue;
                }
                end = Math.Min(edits.Count, lastChange + context);
                break;
            }

            var hunk = edits.GetRange(start, end - start);
            int oldCount = hunk.Count(e => e.Operation != Operation.Insert);
            int newCount = hunk.Count(e => e.Operation != Operation.Delete);
            int oldFirst = OldPosition(edits, start), newFirst = NewPosition(edits, start);
            sb.Append("@@ -").Append(oldCount == 0 ? oldFirst : oldFirst + 1).Append(',').Append(oldCount)
              .Append(" +").Append(newCount == 0 ? newFirst : newFirst + 1).Append(',').Append(newCount).Append(" @@\n");
            written++;
            foreach (var e in hunk)
            {
                if (written >= maxLines)
                {
                    sb.Append("... (diff truncated)\n");
                    return sb.ToString();
                }
                sb.Append(e.Operation switch { Operation.Delete => '-', Operation.Insert => '+', _ => ' ' }).Append(e.Line).Append('\n');
                written++;
            }
            index = end;
        }
        return sb.ToString();
    }

    /// <summary>How many old lines come before edit <paramref name="at"/>.</summary>
    private static int OldPosition(List<Edit> edits, int at)
    {
        int count = 0;
        for (int i = 0; i < at; i++) if (edits[i].Operation != Operation.Insert) count++;
        return count;
    }

    private static int NewPosition(List<Edit> edits, int at)
    {
        int count = 0;
        for (int i = 0; i < at; i++) if (edits[i].Operation != Operation.Delete) count++;
        return count;
    }
}
