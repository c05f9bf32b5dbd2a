using ConvNetGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The build-time <c>Summary</c>, read by executing the generated property, against the numbers Keras prints for the
/// same model.
/// </summary>
public class SummaryTests
{
    /// <summary>Keras' model.summary() of the MNIST convnet (Deep Learning with Python, listing 8.1).</summary>
    private static readonly (string Layer, string Shape, string Params)[] KerasMnistRows =
    [
        ("input_layer (InputLayer)", "(None, 28, 28, 1)", "0"),
        ("conv2d (Conv2D)", "(None, 26, 26, 32)", "320"),
        ("max_pooling2d (MaxPooling2D)", "(None, 13, 13, 32)", "0"),
        ("conv2d_1 (Conv2D)", "(None, 11, 11, 64)", "18,496"),
        ("max_pooling2d_1 (MaxPooling2D)", "(None, 5, 5, 64)", "0"),
        ("conv2d_2 (Conv2D)", "(None, 3, 3, 128)", "73,856"),
        ("flatten (Flatten)", "(None, 1152)", "0"),
        ("dense (Dense)", "(None, 10)", "11,530"),
    ];

    [Fact]
    public void MnistSummaryHasKerasTotals()
    {
        string summary = ExecuteSummary(TestModels.MnistConvNet, "Mnist.MnistConvNet");

        Assert.Contains("Model: \"MnistConvNet\"", summary);
        Assert.Contains("Total params: 104,202", summary);
        Assert.Contains("Trainable params: 104,202", summary);
        Assert.Contains("Non-trainable params: 0", summary);
        Assert.Contains("Total params: 104,202 (407.04 KB)", summary);
    }

    [Fact]
    public void MnistSummaryHasKerasRows()
    {
        string summary = ExecuteSummary(TestModels.MnistConvNet, "Mnist.MnistConvNet");

        var row = Assert.Single(Rows(summary), r => r.Layer == "conv2d_1 (Conv2D)");
        Assert.Equal(("conv2d_1 (Conv2D)", "(None, 11, 11, 64)", "18,496"), row);
        Assert.Equal(KerasMnistRows, Rows(summary));
    }

    [Fact]
    public void MnistSummaryLiteralHasKerasRows()
    {
        // The same numbers read from the generated literal without compiling it, so a compile error elsewhere in the
        // generated file does not hide whether the summary itself is right.
        var run = GeneratorHarness.Run(TestModels.MnistConvNet);
        run.AssertNoGeneratorDiagnostics();
        string summary = SummaryLiteral(run.SingleSource.Text);

        Assert.Equal(KerasMnistRows, Rows(summary));
        Assert.Contains("Total params: 104,202 (407.04 KB)", summary);
        Assert.Contains("Trainable params: 104,202 (407.04 KB)", summary);
        Assert.Contains("Non-trainable params: 0 (0.00 B)", summary);
    }

    [Fact]
    public void BatchNormalizationHasFourParametersPerChannelHalfNotTrainable()
    {
        string summary = ExecuteSummary(TestModels.BatchNormalized, "Norm.BatchNormalized");

        // conv2d 3·3·3·16 + 16 = 448; batch_normalization 4·16 = 64 (32 moving statistics); dense 576·10 + 10 = 5,770.
        Assert.Contains(("batch_normalization (BatchNormalization)", "(None, 6, 6, 16)", "64"), Rows(summary));
        Assert.Contains("Total params: 6,282", summary);
        Assert.Contains("Trainable params: 6,250", summary);
        Assert.Contains("Non-trainable params: 32", summary);
    }

    [Fact]
    public void BatchNormalizationArchitectureMarksMovingStatisticsNotTrainable()
    {
        var run = GeneratorHarness.Run(TestModels.BatchNormalized);
        run.AssertOutputCompilesCleanly();
        using var assembly = GeneratedAssembly.Load(run.Output);
        var architecture = assembly.GetStatic<ModelArchitecture>("Norm.BatchNormalized", "Architecture");

        var layer = architecture["batch_normalization"];
        Assert.Equal(64, layer.ParameterCount);
        Assert.Equal(32, layer.TrainableVariableCount);
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance"], layer.Weights.Select(w => w.Name));
        Assert.Equal([true, true, false, false], layer.Weights.Select(w => w.IsTrainableVariable));
        Assert.All(layer.Weights, w => Assert.Equal(new TensorShape(16), w.Shape));
        Assert.Equal(32, architecture.NonTrainableParameterCount);
    }

    [Fact]
    public void BuildTimeSummaryMatchesRuntimeArchitecture()
    {
        foreach (var (source, type) in new[]
                 {
                     (TestModels.MnistConvNet, "Mnist.MnistConvNet"),
                     ((TestSource)TestModels.LayerZoo, "Zoo.Models.LayerZoo"),
                     ((TestSource)TestModels.BatchNormalized, "Norm.BatchNormalized"),
                 })
        {
            var run = GeneratorHarness.Run(source);
            run.AssertOutputCompilesCleanly();
            using var assembly = GeneratedAssembly.Load(run.Output);
            string summary = assembly.GetStatic<string>(type, "Summary");
            var architecture = assembly.GetStatic<ModelArchitecture>(type, "Architecture");
            Assert.Equal(architecture.ToString(), summary);
        }
    }

    private static string ExecuteSummary(TestSource source, string typeName)
    {
        var run = GeneratorHarness.Run(source);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        using var assembly = GeneratedAssembly.Load(run.Output);
        return assembly.GetStatic<string>(typeName, "Summary");
    }

    /// <summary>The value of the generated <c>Summary</c> property's string literal.</summary>
    private static string SummaryLiteral(string generated)
    {
        var property = CSharpSyntaxTree.ParseText(generated, GeneratorHarness.ParseOptions).GetRoot()
            .DescendantNodes().OfType<PropertyDeclarationSyntax>()
            .Single(p => p.Identifier.Text == "Summary" && p.Modifiers.Any(SyntaxKind.StaticKeyword));
        var literal = Assert.IsType<LiteralExpressionSyntax>(property.ExpressionBody?.Expression);
        return literal.Token.ValueText;
    }

    /// <summary>The table's body rows: <c>│ layer │ shape │ params │</c>.</summary>
    private static List<(string Layer, string Shape, string Params)> Rows(string summary) =>
        summary.Split('\n')
            .Where(line => line.StartsWith('│'))
            .Select(line => line.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(cells => (cells[0], cells[1], cells[2]))
            .ToList();
}
