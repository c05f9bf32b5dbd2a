using System.Globalization;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>One diagnostic a test expects: its ID, severity, exact message, and which marker of the source it points at.</summary>
public sealed record ExpectedDiagnostic(string Id, DiagnosticSeverity Severity, string Message, int Marker = 0)
{
    public static ExpectedDiagnostic Error(string id, string message, int marker = 0) => new(id, DiagnosticSeverity.Error, message, marker);
    public static ExpectedDiagnostic Warning(string id, string message, int marker = 0) => new(id, DiagnosticSeverity.Warning, message, marker);
}

public static class DiagnosticAssert
{
    /// <summary>
    /// Runs the generator on <paramref name="markedSource"/> (see <see cref="MarkedSource"/>) in the file
    /// <paramref name="path"/> and asserts it reports exactly <paramref name="expected"/>: IDs, severities, messages,
    /// and spans (so line and column) equal to the markers'. Unless <paramref name="userCodeUsesGeneratedMembers"/>,
    /// also asserts the rule that a model error never brings C# errors or warnings with it: the output compilation
    /// (user code plus whatever was generated) must have none.
    /// </summary>
    public static GeneratorRun Reports(string markedSource, params ExpectedDiagnostic[] expected) =>
        Reports(markedSource, "Test0.cs", userCodeUsesGeneratedMembers: false, expected);

    public static GeneratorRun Reports(string markedSource, string path, bool userCodeUsesGeneratedMembers, params ExpectedDiagnostic[] expected)
    {
        var source = MarkedSource.Parse(markedSource);
        var run = GeneratorHarness.Run(new TestSource(path, source.Code));
        Matches(run, expected.Select(e => (e, path, source)).ToArray());
        if (!userCodeUsesGeneratedMembers) run.AssertOutputCompilesCleanly();
        return run;
    }

    /// <summary>Asserts the run reported exactly the expected diagnostics, each at its marker in its file.</summary>
    public static void Matches(GeneratorRun run, params (ExpectedDiagnostic Expected, string Path, MarkedSource Source)[] expected)
    {
        string actualList = GeneratorRun.Describe(run.GeneratorDiagnostics);
        Assert.True(run.GeneratorDiagnostics.Length == expected.Length,
            $"Expected {expected.Length} diagnostic(s) but the generator reported {run.GeneratorDiagnostics.Length}:\n{actualList}");

        var remaining = run.GeneratorDiagnostics.ToList();
        foreach (var (e, path, source) in expected)
        {
            var span = source.Spans[e.Marker];
            var match = remaining.FirstOrDefault(d =>
                d.Id == e.Id && d.Location.SourceSpan == span &&
                d.GetMessage(CultureInfo.InvariantCulture) == e.Message);
            if (match is null)
            {
                var lineSpan = source.LineSpan(e.Marker);
                Assert.Fail(
                    $"Expected {e.Severity} {e.Id} at {path}({lineSpan.Start.Line + 1},{lineSpan.Start.Character + 1}) " +
                    $"on '{source.Code.Substring(span.Start, span.Length)}':\n    {e.Message}\n" +
                    $"but the generator reported:\n{actualList}");
                return;
            }
            remaining.Remove(match);

            Assert.Equal(e.Severity, match.Severity);
            Assert.Equal(e.Severity, match.DefaultSeverity);
            Assert.True(match.Descriptor.IsEnabledByDefault);
            Assert.Equal("ConvNetGen", match.Descriptor.Category);
            Assert.Equal(TestModels.DiagnosticsHelpBase + e.Id + ".md", match.Descriptor.HelpLinkUri);

            // The exact place, as the IDE and the command line show it.
            var actualSpan = match.Location.GetLineSpan();
            Assert.Equal(path, actualSpan.Path);
            Assert.Equal(source.LineSpan(e.Marker), actualSpan.Span);
        }
    }
}
