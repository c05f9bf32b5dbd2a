using System.Reflection;
using ConvNetGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The incremental pipeline: every step named in <see cref="TrackingNames"/> must stay cached when the user edits code
/// that has nothing to do with a model, and no step may hold on to symbols, syntax or compilations.
/// </summary>
public class CachingTests
{
    private const string ClassWithoutInput = """
        using ConvNetGen;
        namespace App;
        [Conv2D(8, 3)]
        [Flatten]
        [Dense(10)]
        public partial class Unfinished;
        """;

    private const string Unrelated = """
        namespace App;
        public class Helper
        {
            public int Twice(int x) => 2 * x;
        }
        """;

    /// <summary>Every step name in <see cref="TrackingNames"/>, by reflection so a new step is checked too.</summary>
    public static IReadOnlyList<string> StepNames { get; } = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    private static readonly TestSource[] Sources =
    [
        TestModels.MnistConvNet,
        new("Zoo.cs", TestModels.LayerZoo),
        new("Transfer.cs", TestModels.Included),
        new("Residual.cs", TestModels.Residual),
        new("Unfinished.cs", ClassWithoutInput),
        new("Helper.cs", Unrelated),
    ];

    [Fact]
    public void EveryTrackingNameIsAStepOfARun()
    {
        Assert.Contains(TrackingNames.ReadModels, StepNames);
        Assert.Contains(TrackingNames.PlanModels, StepNames);
        Assert.Contains(TrackingNames.FindModelsWithoutInput, StepNames);
        Assert.Equal(StepNames.Count, StepNames.Distinct().Count());

        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        Assert.All(StepNames, name => Assert.True(run.GeneratorResult.TrackedSteps.ContainsKey(name),
            $"TrackingNames.{name} is not a tracked step of the generator."));
    }

    [Fact]
    public void AddingAnUnrelatedFileKeepsEveryStepCached()
    {
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        var edited = first.Input.AddSyntaxTrees(GeneratorHarness.Parse("namespace App; public record Point(int X, int Y);", "Point.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);

        AssertAllStepsCached(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void EditingAnUnrelatedClassKeepsEveryStepCached()
    {
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        var helper = first.Input.SyntaxTrees.Single(t => t.FilePath == "Helper.cs");
        var edited = first.Input.ReplaceSyntaxTree(helper,
            GeneratorHarness.Parse(Unrelated.Replace("2 * x", "x + x"), "Helper.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);

        AssertAllStepsCached(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void EditingBelowAModelInItsOwnFileKeepsEveryStepCached()
    {
        // The model's file changes, so its declaration is read again; what is read must compare equal.
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        var model = first.Input.SyntaxTrees.Single(t => t.FilePath == "MnistConvNet.cs");
        var edited = first.Input.ReplaceSyntaxTree(model,
            GeneratorHarness.Parse(model.GetText().ToString() + "\ninternal static class Extra { }\n", "MnistConvNet.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);

        AssertAllStepsCached(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void RunningTwiceOnTheSameCompilationKeepsEveryStepCached()
    {
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        var second = GeneratorHarness.Run(first.Input, first.Driver);

        AssertAllStepsCached(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void ChangingAModelReRunsOnlyItsPlan()
    {
        // The other side of caching (and a check that the tracking above is not vacuous): a real change goes through.
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Sources));
        var model = first.Input.SyntaxTrees.Single(t => t.FilePath == "MnistConvNet.cs");
        var edited = first.Input.ReplaceSyntaxTree(model,
            GeneratorHarness.Parse(model.GetText().ToString().Replace("[Dense(10,", "[Dense(12,"), "MnistConvNet.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);

        var plans = second.GeneratorResult.TrackedSteps[TrackingNames.PlanModels].SelectMany(s => s.Outputs).ToList();
        // Only the edited model is planned again with a new result; the other models stay as they were.
        Assert.Single(plans, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(plans.Where(o => o.Reason != IncrementalStepRunReason.Modified),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        string before = first.GeneratedSources.Single(s => s.HintName == "Mnist.MnistConvNet.g.cs").Text;
        string after = second.GeneratedSources.Single(s => s.HintName == "Mnist.MnistConvNet.g.cs").Text;
        Assert.NotEqual(before, after);
        Assert.Contains("(None, 12)", after);
    }

    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
        [
            .. Sources,
            new("Broken.cs", """
                using ConvNetGen;
                [Input(28, 28, 1)]
                [Conv2D(8, 3)]
                [Dense(10)]
                [Dropout(1.5)]
                public partial class Broken;
                """),
        ]));

        var problems = new List<string>();
        foreach (string name in StepNames)
        {
            Assert.True(run.GeneratorResult.TrackedSteps.TryGetValue(name, out var steps), $"Step '{name}' was not tracked.");
            int i = 0;
            foreach (var step in steps)
                foreach (var (value, _) in step.Outputs)
                    problems.AddRange(ForbiddenReferences.Find(value, $"{name}[{i++}]"));
            Assert.True(i > 0, $"Step '{name}' had no outputs, so nothing was checked.");
        }
        Assert.True(problems.Count == 0, "Pipeline models hold references that pin a compilation:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void ForbiddenReferenceWalkerFindsNestedLocations()
    {
        // The walker itself: a Location three levels down, behind a list and a cycle, is found.
        var tree = GeneratorHarness.Parse("class C { }");
        var inner = new Holder { Value = new List<object> { 1, "x", tree.GetRoot().GetLocation() } };
        var outer = new Holder { Value = inner };
        inner.Other = outer;

        var found = ForbiddenReferences.Find(outer);

        Assert.Single(found, f => f.Contains("Location", StringComparison.Ordinal));
        Assert.Empty(ForbiddenReferences.Find(new Holder { Value = new[] { "plain", "data" } }));
    }

    private sealed class Holder
    {
        public object? Value { get; set; }
        public object? Other { get; set; }
    }

    private static void AssertAllStepsCached(GeneratorRun run)
    {
        var tracked = run.GeneratorResult.TrackedSteps;
        var problems = new List<string>();
        foreach (string name in StepNames)
        {
            Assert.True(tracked.TryGetValue(name, out var steps), $"Step '{name}' was not tracked in the second run.");
            var outputs = steps.SelectMany(s => s.Outputs).ToList();
            Assert.True(outputs.Count > 0, $"Step '{name}' had no outputs, so its caching was not checked.");
            foreach (var (value, reason) in outputs)
                if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                    problems.Add($"{name}: {reason} — {value}");
        }
        Assert.True(problems.Count == 0, "Steps re-ran with a new result after an unrelated edit:\n" + string.Join("\n", problems));
    }

    private static void AssertSameOutput(GeneratorRun first, GeneratorRun second)
    {
        Assert.Equal(first.GeneratedSources.Select(s => s.HintName), second.GeneratedSources.Select(s => s.HintName));
        for (int i = 0; i < first.GeneratedSources.Length; i++)
        {
            string diff = LineDiff.Unified(first.GeneratedSources[i].Text, second.GeneratedSources[i].Text, "first run", "second run");
            Assert.True(first.GeneratedSources[i].Text == second.GeneratedSources[i].Text,
                $"{first.GeneratedSources[i].HintName} changed between runs:\n{diff}");
        }
        Assert.Equal(
            first.GeneratorDiagnostics.Select(d => d.ToString()),
            second.GeneratorDiagnostics.Select(d => d.ToString()));
    }
}
