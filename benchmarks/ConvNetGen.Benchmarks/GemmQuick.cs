using System.Diagnostics;
using ConvNetGen.Kernels;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// A quick GEMM runner without BenchmarkDotNet: every model product on every path this machine runs and on the legacy
/// kernel, single-threaded; median and best GFLOP/s over repeated timed batches (robust to a busy machine).
/// </summary>
public static class GemmQuick
{
    public static int Run(string[] args)
    {
        string? filter = Option(args, "--filter");
        bool allPaths = Option(args, "--paths") != "auto";
        int rounds = int.TryParse(Option(args, "--rounds"), out int r) ? r : 21;
        var cases = GemmCase.Build(allPaths ? GemmCase.SupportedWidths : [0], legacy: true)
            .Where(c => filter is null || c.ToString().Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        // --shape m,n,k[;m,n,k…]: these products (C = A·B, overwriting; B row-major, then packed) instead of the models' list.
        if (Option(args, "--shape") is { } shapes)
            cases = shapes.Split(';').Select(shape => shape.Split(',').Select(int.Parse).ToArray())
                .SelectMany(d => new[] { GemmKernel.MultiplyBiasActivation, GemmKernel.MultiplyPacked }
                    .Select(kernel => new GemmCase("shape", kernel, kernel, d[0], d[1], d[2], Activation.Linear, 0))).ToList();

        // --ablock floats: the row blocks' size of A (GemmKernel.MaxABlockFloats), to tune it.
        if (int.TryParse(Option(args, "--ablock"), out int aBlock)) Gemm.RowBlockFloats = aBlock;
        Console.WriteLine($"path={Gemm.HardwarePath} a_block_floats={Gemm.RowBlockFloats}");
        Console.WriteLine($"{"layer",-17} {"kernel",-40} {"m×n×k",-16} {"path",-10} {"median",8} {"best",8}  GFLOP/s   µs (median)");
        var medians = new Dictionary<string, double>();
        foreach (var gemmCase in cases)
        {
            var (median, best, seconds) = Measure(gemmCase, rounds);
            medians[gemmCase.ToString()] = median;
            Console.WriteLine($"{gemmCase.Layer,-17} {gemmCase.KernelName,-40} {$"{gemmCase.M}×{gemmCase.N}×{gemmCase.K}",-16} {gemmCase.PathName,-10} {median,8:F1} {best,8:F1}  {seconds * 1e6,10:F1}");
        }
        // The headline: conv2d_1's forward product, before (legacy) and after, single-threaded.
        foreach (var (key, value) in medians)
        {
            if (!key.StartsWith("conv2d_1 fwd ", StringComparison.Ordinal) || !key.Contains("MultiplyAdd", StringComparison.Ordinal)) continue;
            string name = key.Contains("Legacy", StringComparison.Ordinal) ? "gemm_conv2d_1_fwd_gflops_before" :
                $"gemm_conv2d_1_fwd_gflops_{key[(key.LastIndexOf(' ') + 1)..]}";
            Console.WriteLine($"{name}={value:F1}");
        }
        return 0;
    }

    /// <summary>Median and best GFLOP/s over <paramref name="rounds"/> timed batches of calls, each ~20 ms.</summary>
    public static (double Median, double Best, double MedianSeconds) Measure(GemmCase gemmCase, int rounds)
    {
        var operands = new GemmOperands(gemmCase);
        for (int i = 0; i < 5; i++) operands.Run();
        var warm = Stopwatch.StartNew();
        int warmCalls = 0;
        while (warm.Elapsed.TotalMilliseconds < 150) { operands.Run(); warmCalls++; } // tiering settles
        double perCall = warm.Elapsed.TotalSeconds / warmCalls;
        int calls = Math.Max(1, (int)(0.02 / perCall));
        var times = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) operands.Run();
            times[round] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        }
        Array.Sort(times);
        double median = times[rounds / 2];
        return (gemmCase.Flops / median / 1e9, gemmCase.Flops / times[0] / 1e9, median);
    }

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
