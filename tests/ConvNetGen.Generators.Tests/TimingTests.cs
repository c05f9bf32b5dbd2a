using System.Diagnostics;
using ConvNetGen.Generators.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ConvNetGen.Generators.Tests;

/// <summary>Tests that measure time: run alone so other tests do not compete for the cores.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

/// <summary>
/// Measures the generator on the reference model and writes the numbers to the test output. A measurement, not an
/// assertion: nothing here fails because a run was slow. See it with
/// <c>dotnet test --logger "console;verbosity=detailed" --filter TimingTests</c>.
/// </summary>
[Collection(nameof(TimingCollection))]
public class TimingTests(ITestOutputHelper output)
{
    private const int Runs = 20;

    [Fact]
    public void GeneratorTimeOnReferenceModel()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestModels.MnistConvNet);
        GeneratorHarness.CreateDriver().RunGenerators(compilation); // JIT and bind the attributes once, outside the numbers

        // A full (non-incremental) run: a new driver each time, on a compilation whose symbols are already bound.
        var wallClock = new List<double>();
        var driverReported = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            stopwatch.Stop();
            wallClock.Add(stopwatch.Elapsed.TotalMilliseconds);
            driverReported.Add(driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime.TotalMilliseconds);
        }

        // A cold run as in a fresh build: a new compilation each time, so binding the attributes is included.
        var cold = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var fresh = GeneratorHarness.CreateCompilation(TestModels.MnistConvNet);
            var stopwatch = Stopwatch.StartNew();
            GeneratorHarness.CreateDriver().RunGenerators(fresh);
            stopwatch.Stop();
            cold.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        // An incremental run after an unrelated edit, on the same driver (what the IDE does on a keystroke).
        var incremental = new List<double>();
        var incrementalDriver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        for (int i = 0; i < Runs; i++)
        {
            var edited = compilation.AddSyntaxTrees(GeneratorHarness.Parse($"class Edit{i} {{ }}", $"Edit{i}.cs"));
            var stopwatch = Stopwatch.StartNew();
            incrementalDriver = incrementalDriver.RunGenerators(edited);
            stopwatch.Stop();
            incremental.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        output.WriteLine($"ModelGenerator on MnistConvNet, {Runs} runs each (median, min–max in ms):");
        output.WriteLine($"  full run, new driver, bound compilation : {Describe(wallClock)}");
        output.WriteLine($"  same, as the driver times the generator : {Describe(driverReported)}");
        output.WriteLine($"  cold run, new compilation               : {Describe(cold)}");
        output.WriteLine($"  incremental run after an unrelated edit : {Describe(incremental)}");
    }

    private static string Describe(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        double median = sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return FormattableString.Invariant($"{median,8:0.000}  ({sorted[0]:0.000}–{sorted[^1]:0.000})");
    }
}
