using ConvNetGen.Generators.Tests.Infrastructure;
using Xunit.Sdk;

namespace ConvNetGen.Generators.Tests;

/// <summary>The snapshot helper, the line diff and the span markers the other tests rely on.</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "convnetgen-snapshots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void MissingVerifiedFileWritesReceivedAndExplainsHowToAccept()
    {
        var error = Assert.Throws<FailException>(() => Snapshot.VerifyCore("a\nb\n", _directory, "T.M", "cs", accept: false));

        string received = Path.Combine(_directory, "T.M.received.cs");
        Assert.Equal("a\nb\n", File.ReadAllText(received));
        Assert.False(File.Exists(Path.Combine(_directory, "T.M.verified.cs")));
        Assert.Contains("no verified file", error.Message);
        Assert.Contains("T.M.verified.cs", error.Message);
        Assert.Contains(Snapshot.AcceptVariable + "=1", error.Message);
    }

    [Fact]
    public void MismatchWritesReceivedAndShowsAUnifiedDiff()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "T.M.verified.cs"), "one\ntwo\nthree\n");

        var error = Assert.Throws<FailException>(() => Snapshot.VerifyCore("one\n2\nthree\n", _directory, "T.M", "cs", accept: false));

        Assert.Equal("one\n2\nthree\n", File.ReadAllText(Path.Combine(_directory, "T.M.received.cs")));
        Assert.Contains("--- T.M.verified.cs\n+++ T.M.received.cs\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n", error.Message);
    }

    [Fact]
    public void LineEndingsAreNormalisedAndAMatchRemovesTheReceivedFile()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "T.M.verified.cs"), "one\r\ntwo\r\n");
        File.WriteAllText(Path.Combine(_directory, "T.M.received.cs"), "stale");

        Snapshot.VerifyCore("one\ntwo\n", _directory, "T.M", "cs", accept: false);

        Assert.False(File.Exists(Path.Combine(_directory, "T.M.received.cs")));
    }

    [Fact]
    public void AcceptOverwritesTheVerifiedFile()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "T.M.verified.cs"), "old\n");

        Snapshot.VerifyCore("new\r\n", _directory, "T.M", "cs", accept: true);

        Assert.Equal("new\n", File.ReadAllText(Path.Combine(_directory, "T.M.verified.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "T.M.received.cs")));
    }

    [Fact]
    public void DiffOfEqualTextsIsEmpty() => Assert.Equal("", LineDiff.Unified("a\nb", "a\r\nb\r\n"));

    [Fact]
    public void DiffSplitsDistantChangesIntoHunks()
    {
        string old = string.Join("\n", Enumerable.Range(1, 20).Select(i => "line " + i));
        string @new = old.Replace("line 2\n", "line two\n").Replace("line 18\n", "").Replace("line 20", "line 20\nline 21");

        string diff = LineDiff.Unified(old, @new, "a", "b");

        Assert.Equal(
            """
            --- a
            +++ b
            @@ -1,5 +1,5 @@
             line 1
            -line 2
            +line two
             line 3
             line 4
             line 5
            @@ -15,6 +15,6 @@
             line 15
             line 16
             line 17
            -line 18
             line 19
             line 20
            +line 21

            """.Replace("\r\n", "\n"),
            diff);
    }

    [Fact]
    public void DiffAgainstEmptyText()
    {
        Assert.Equal("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", LineDiff.Unified("", "x\ny\n", "a", "b"));
        Assert.Equal("--- a\n+++ b\n@@ -1,1 +0,0 @@\n-x\n", LineDiff.Unified("x", "", "a", "b"));
    }

    [Fact]
    public void DiffEditScriptIsALongestCommonSubsequence()
    {
        string[] a = ["a", "b", "c", "a", "b", "b", "a"], b = ["c", "b", "a", "b", "a", "c"];
        var edits = LineDiff.Compute(a, b);

        Assert.Equal(4, edits.Count(e => e.Operation == LineDiff.Operation.Equal)); // LCS("abcabba", "cbabac") = 4
        Assert.Equal(a, edits.Where(e => e.Operation != LineDiff.Operation.Insert).Select(e => e.Line));
        Assert.Equal(b, edits.Where(e => e.Operation != LineDiff.Operation.Delete).Select(e => e.Line));
    }

    [Fact]
    public void MarkersGiveSpansAndLinePositions()
    {
        var source = MarkedSource.Parse("[Input(1)]\n[[|Dense(10)|]]\npublic partial class [|M|];");

        Assert.Equal("[Input(1)]\n[Dense(10)]\npublic partial class M;", source.Code);
        Assert.Equal("Dense(10)", source.Code.Substring(source.Spans[0].Start, source.Spans[0].Length));
        Assert.Equal((1, 1), (source.LineSpan(0).Start.Line, source.LineSpan(0).Start.Character));
        Assert.Equal((2, 21), (source.LineSpan(1).Start.Line, source.LineSpan(1).Start.Character));
        Assert.Equal("M", source.Code.Substring(source.Spans[1].Start, source.Spans[1].Length));
    }
}
