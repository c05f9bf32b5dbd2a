using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>A source file for a test compilation: its path (what diagnostics report) and its text.</summary>
public readonly record struct TestSource(string Path, string Text)
{
    public static implicit operator TestSource(string text) => new("Test0.cs", text);
}

/// <summary>
/// Compiles test sources the way a user's project would (latest C#, nullable enabled, the ConvNetGen runtime and the
/// whole shared framework referenced) and runs <see cref="ModelGenerator"/> over them with step tracking on.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>
    /// Latest C#; documentation comments are diagnosed (as in a project with GenerateDocumentationFile), so badly formed
    /// XML in generated doc comments shows up as a warning.
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>
    /// A library with nullable enabled and unsafe code allowed (as the samples build). CS1591 (missing XML comment) is
    /// off so test sources need no doc comments, and CS1701/CS1702 (assembly unification) are off as the .NET SDK does.
    /// </summary>
    public static readonly CSharpCompilationOptions CompilationOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithAllowUnsafe(true)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithDeterministic(true)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1591"] = ReportDiagnostic.Suppress,
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    /// <summary>The runtime assembly the attributes live in.</summary>
    public static System.Reflection.Assembly RuntimeAssembly => typeof(InputAttribute).Assembly;

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    /// <summary>
    /// The runtime assembly plus every trusted platform assembly of this test process (the shared framework and the
    /// test's dependencies), one per file name. The generator's own assembly is left out: a user's project sees it
    /// only as an analyzer, never as a reference.
    /// </summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string generatorPath = typeof(ModelGenerator).Assembly.Location;
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [Path.GetFileName(RuntimeAssembly.Location)] = RuntimeAssembly.Location,
        };
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set in this process.");
        foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(Path.GetFullPath(path), Path.GetFullPath(generatorPath), StringComparison.OrdinalIgnoreCase)) continue;
            paths.TryAdd(Path.GetFileName(path), path);
        }
        return paths.Values.OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>A compilation of the given sources; a bare string is the file <c>Test0.cs</c>.</summary>
    public static CSharpCompilation CreateCompilation(params TestSource[] sources) =>
        CSharpCompilation.Create(
            "TestModels",
            sources.Select(s => Parse(s.Text, s.Path)),
            References,
            CompilationOptions);

    public static SyntaxTree Parse(string text, string path = "Test0.cs") =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path, Encoding.UTF8);

    /// <summary>A driver for <see cref="ModelGenerator"/> that tracks every step (outputs are not disabled).</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Compiles the sources and runs the generator once.</summary>
    public static GeneratorRun Run(params TestSource[] sources) => Run(CreateCompilation(sources));

    /// <summary>Runs the generator over <paramref name="compilation"/>, on a new driver or on a previous run's.</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver())
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        var generatorResult = Assert.Single(result.Results);
        if (generatorResult.Exception is { } exception)
            throw new InvalidOperationException("The generator threw: " + exception, exception);
        return new GeneratorRun(compilation, output, driver, result, generatorResult, generatorDiagnostics);
    }
}

/// <summary>One generator run: what it produced, what it reported, and the compilation with its output added.</summary>
public sealed class GeneratorRun
{
    internal GeneratorRun(Compilation input, Compilation output, GeneratorDriver driver, GeneratorDriverRunResult result,
        GeneratorRunResult generatorResult, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Input = input;
        Output = output;
        Driver = driver;
        Result = result;
        GeneratorResult = generatorResult;
        GeneratorDiagnostics = generatorDiagnostics;
        GeneratedSources = generatorResult.GeneratedSources
            .Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString()))
            .ToImmutableArray();
        OutputDiagnostics = output.GetDiagnostics();
    }

    /// <summary>The compilation the generator ran on.</summary>
    public Compilation Input { get; }

    /// <summary>The input compilation plus the generated files.</summary>
    public Compilation Output { get; }

    /// <summary>The driver after this run (run it again on an edited compilation to test caching).</summary>
    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult Result { get; }

    public GeneratorRunResult GeneratorResult { get; }

    /// <summary>What the generator reported (and what the driver reported about it).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>The generated files, in the order they were added.</summary>
    public ImmutableArray<GeneratedFile> GeneratedSources { get; }

    /// <summary>Every diagnostic of <see cref="Output"/>: the C# compiler on user code plus generated code.</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics { get; }

    /// <summary>The output compilation's warnings and errors (hidden and info diagnostics left out).</summary>
    public ImmutableArray<Diagnostic> CompilerWarningsAndErrors =>
        OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>The plans the shape stage made, one per sound model, read from its tracked step: what the emitters write from.</summary>
    internal IReadOnlyList<ConvNetGen.Generators.Model.ModelPlan> Plans =>
        GeneratorResult.TrackedSteps[TrackingNames.PlanModels]
            .SelectMany(s => s.Outputs)
            .Select(o => ((ConvNetGen.Generators.Model.ModelResult)o.Value).Plan)
            .OfType<ConvNetGen.Generators.Model.ModelPlan>()
            .ToList();

    /// <summary>The one generated file; fails when there is not exactly one.</summary>
    public GeneratedFile SingleSource
    {
        get
        {
            Assert.True(GeneratedSources.Length == 1,
                $"Expected exactly one generated file but got {GeneratedSources.Length}: " +
                string.Join(", ", GeneratedSources.Select(s => s.HintName)) + "\n" + Describe(GeneratorDiagnostics));
            return GeneratedSources[0];
        }
    }

    /// <summary>Asserts the output compilation has no warnings and no errors.</summary>
    /// <param name="showGeneratedCode">Append the generated files to the failure message (off when a snapshot shows them).</param>
    public void AssertOutputCompilesCleanly(bool showGeneratedCode = true)
    {
        var problems = CompilerWarningsAndErrors;
        if (problems.IsEmpty) return;
        const int shown = 30;
        string message = $"The output compilation has {problems.Length} warning(s) or error(s):\n" +
                         Describe(problems.Take(shown)) + (problems.Length > shown ? $"\n… and {problems.Length - shown} more" : "");
        if (showGeneratedCode)
            message += "\n\nGenerated:\n" + string.Join("\n", GeneratedSources.Select(s => $"// ===== {s.HintName}\n{s.Text}"));
        Assert.Fail(message);
    }

    /// <summary>Asserts the generator reported nothing at all.</summary>
    public void AssertNoGeneratorDiagnostics() =>
        Assert.True(GeneratorDiagnostics.IsEmpty, "The generator reported:\n" + Describe(GeneratorDiagnostics));

    /// <summary>One diagnostic per line: <c>path(line,col): severity ID: message</c>, 1-based like the compiler prints.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d =>
        {
            var span = d.Location.GetLineSpan();
            string where = d.Location == Location.None ? "(no location)"
                : $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})";
            return $"{where}: {d.Severity} {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        }));
}

/// <summary>A generated file's hint name and text.</summary>
public readonly record struct GeneratedFile(string HintName, string Text);
