using System.Runtime.CompilerServices;
using ConvNetGen.Generators.Tests.Infrastructure;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The generated file of representative models, compared with Snapshots/SnapshotTests.*.verified.cs, and compiled
/// with no warnings. The generated code changes whenever an emitter does: review the diff, then accept it (see
/// <see cref="Snapshot"/>).
/// </summary>
public class SnapshotTests
{
    [Fact]
    public void MnistConvNet() => Check(GeneratorHarness.Run(TestModels.MnistConvNet), "Mnist.MnistConvNet.g.cs");

    [Fact]
    public void LayerZoo() => Check(GeneratorHarness.Run(TestModels.LayerZoo), "Zoo.Models.LayerZoo.g.cs");

    /// <summary>A graph: blocks under scoped names, a tensor read by several layers, merges, the "Connected to" summary.</summary>
    [Fact]
    public void ResidualNet() => Check(GeneratorHarness.Run(TestModels.Residual), "Graphs.ResidualNet.g.cs");

    [Fact]
    public void FlatInputMlp() => Check(GeneratorHarness.Run(TestModels.Mlp), "Mnist.Dense.Mlp.g.cs");

    [Fact]
    public void IncludedModel()
    {
        // The base is generated too (not snapshotted: it is an ordinary model); the snapshot is the including model.
        var run = GeneratorHarness.Run(TestModels.Included);
        Assert.Equal(["Transfer.ConvBase.g.cs", "Transfer.TransferNet.g.cs"], run.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Check(run, "Transfer.TransferNet.g.cs");
    }

    [Fact]
    public void GlobalNamespace()
    {
        var run = GeneratorHarness.Run(TestModels.GlobalNamespace);
        Assert.DoesNotContain("namespace ", run.SingleSource.Text);
        Check(run, "IrisClassifier.g.cs");
    }

    /// <summary>
    /// No generator diagnostics and a file with the expected hint name, then both the snapshot and the compilation are
    /// checked and every failure reported together, so a changed snapshot that also fails to compile shows both (and
    /// the received file is written either way).
    /// </summary>
    private static void Check(GeneratorRun run, string hintName,
        [CallerFilePath] string sourceFile = "", [CallerMemberName] string testName = "")
    {
        run.AssertNoGeneratorDiagnostics();
        if (run.GeneratedSources.Length == 1) Assert.Equal(hintName, run.SingleSource.HintName);
        string text = Assert.Single(run.GeneratedSources, s => s.HintName == hintName).Text;

        var failures = new[]
            {
                Record.Exception(() => Snapshot.Verify(text, sourceFile: sourceFile, testName: testName)),
                Record.Exception(() => run.AssertOutputCompilesCleanly(showGeneratedCode: false)),
            }
            .Where(e => e is not null)
            .ToList();
        if (failures.Count > 0)
            Assert.Fail(string.Join("\n\n", failures.Select(e => e!.Message)));
    }
}
