using ConvNetGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The generated code compiles cleanly in the projects users have (with and without implicit usings, nullable on or
/// off, next to other models) and whatever the user names things. Skipped tests are generator bugs found while
/// writing these; each says what goes wrong. Remove the Skip once the generator is fixed.
/// </summary>
public class GeneratedCodeTests
{
    /// <summary>The global usings the .NET SDK adds to a library with ImplicitUsings enabled.</summary>
    private const string SdkImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    [Fact]
    public void CompilesWithoutImplicitUsings()
    {
        // Generated code must not rely on the user's usings: it is compiled next to files that have none.
        var run = GeneratorHarness.Run(TestModels.MnistConvNet);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void CompilesWithTheSdkImplicitUsings()
    {
        var run = GeneratorHarness.Run(TestModels.MnistConvNet, new TestSource("GlobalUsings.g.cs", SdkImplicitUsings));
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void CompilesWithNullableDisabled()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestModels.MnistConvNet)
            .WithOptions(GeneratorHarness.CompilationOptions.WithNullableContextOptions(NullableContextOptions.Disable));
        var run = GeneratorHarness.Run(compilation);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void CompilesWithCSharp12()
    {
        // The oldest C# the attributes' syntax (class Name;) allows.
        var parse = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create("TestModels",
            [CSharpSyntaxTree.ParseText(TestModels.MnistConvNet.Text, parse, "MnistConvNet.cs")],
            GeneratorHarness.References, GeneratorHarness.CompilationOptions);
        var driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void UserCodeCanUseTheGeneratedMembers()
    {
        var run = GeneratorHarness.Run(TestModels.MnistConvNet, new TestSource("Use.cs", """
            namespace Mnist;
            public static class Use
            {
                public static int Count() => MnistConvNet.Shapes.ParameterCount + MnistConvNet.Shapes.Conv2d1.OutputChannels;
                public static string Table() => MnistConvNet.Summary;
                public static ConvNetGen.ModelArchitecture Layers() => MnistConvNet.Architecture;
                public static ConvNetGen.Model Create() => new MnistConvNet(seed: 42);
            }
            """));
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void SeveralModelsInOneCompilation()
    {
        var run = GeneratorHarness.Run(
            TestModels.MnistConvNet,
            new TestSource("Mlp.cs", TestModels.Mlp),
            new TestSource("Iris.cs", TestModels.GlobalNamespace),
            new TestSource("Norm.cs", TestModels.BatchNormalized),
            // The same class name in another namespace, declared with a block namespace.
            new TestSource("Other.cs", """
                using ConvNetGen;
                namespace Other
                {
                    namespace Nested
                    {
                        [Input(28, 28, 1)]
                        [Flatten]
                        [Dense(10, Activation = Activation.Softmax)]
                        internal sealed partial class MnistConvNet;
                    }
                }
                """));
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        Assert.Equal(
            ["IrisClassifier.g.cs", "Mnist.Dense.Mlp.g.cs", "Mnist.MnistConvNet.g.cs", "Norm.BatchNormalized.g.cs", "Other.Nested.MnistConvNet.g.cs"],
            run.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UnusualButValidLayerNames()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(784, Name = "pixels")]
            [Dense(64, Name = "1st hidden layer")]
            [Dense(32, Name = "Ölçek")]
            [Dense(16, Name = "shapes")]
            [Dense(16, Name = "summary")]
            [Dense(16, Name = "dense-out \"quoted\" \\ back")]
            [Dense(16, Name = "input")]
            [Dense(16, Name = "labels")]
            [Dense(16, Name = "gradients")]
            [Dense(10, Name = "logits")]
            public partial class Names;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void LayerNamedOutput()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(784)]
            [Dense(64, Activation = Activation.ReLU)]
            [Dense(10, Activation = Activation.Softmax, Name = "output")]
            public partial class Classifier;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void LayerNamesMatchingGeneratedConstants()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(28, 28, 1)]
            [Conv2D(4, 3, Name = "kernel_offset")]
            [Flatten(Name = "input_size")]
            [Dense(16, Name = "parameter_count")]
            [Dense(10, Name = "trainable_parameter_count")]
            public partial class Collisions;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void LayerNamesWithXmlCharacters()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(784)]
            [Dense(64, Name = "a<b")]
            [Dense(10, Name = "x&y")]
            public partial class Xml;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void LayerNameWithLineBreakIsRejectedOrHarmless()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(784)]
            [Dense(10, Name = "two\nlines")]
            public partial class Broken;
            """);
        run.AssertOutputCompilesCleanly();
    }

    [Theory]
    [InlineData("Shapes", "Dense(10)")]
    [InlineData("Workspace", "Dense(10)")]
    [InlineData("Summary", "Dense(10)")]
    [InlineData("Architecture", "Dense(10)")]
    [InlineData("Dense", "Dense(10)")]
    [InlineData("Classifier", "Dense(10, Name = \"classifier\")")]
    public void ModelClassNamedLikeAGeneratedMember(string className, string layer)
    {
        var run = GeneratorHarness.Run($$"""
            using ConvNetGen;
            namespace Names;
            [Input(784)]
            [{{layer}}]
            public partial class {{className}};
            """);
        // Either generated code that compiles, or a generator error and no compiler errors.
        if (run.GeneratorDiagnostics.IsEmpty) run.AssertOutputCompilesCleanly();
        else Assert.Empty(run.CompilerWarningsAndErrors);
    }

    [Fact]
    public void StaticModelClassIsReported()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public static partial class Static;
            """);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.CompilerWarningsAndErrors);
    }

    [Fact]
    public void RecordModelIsGeneratedOrReported()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public partial record Classifier;
            """);
        Assert.True(run.GeneratedSources.Length == 1 || !run.GeneratorDiagnostics.IsEmpty,
            "A record with [Input] produced neither code nor a diagnostic.");
    }

    [Fact]
    public void ParameterCountOverflowIsReported()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(50000)]
            [Dense(50000)]
            [Dense(10)]
            public partial class Huge;
            """);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.GeneratedSources);
    }
}
