using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// The machine's fp32 ceiling in this sitting: independent FMA chains on the widest vectors the JIT uses, on one and on
/// every core. Benchmarks print it beside their figures, since the cloud machine's speed changes from day to day.
/// </summary>
internal static class FmaPeak
{
    /// <summary>"fp32_peak_gflops_1_core=… fp32_peak_gflops_2_cores=…" for this machine's core count.</summary>
    public static string Line()
    {
        int cores = Environment.ProcessorCount;
        return $"fp32_peak_gflops_1_core={Gflops(1):F0} fp32_peak_gflops_{cores}_cores={Gflops(cores):F0} peak_vector_bits={Lanes * 32}";
    }

    /// <summary>GFLOP/s of <paramref name="cores"/> threads each running twelve independent FMA chains.</summary>
    public static double Gflops(int cores)
    {
        long iterations = Wide ? 50_000_000 : 100_000_000;
        Chains(1000); // compiled fully optimised up front (AggressiveOptimization), so no tier-0 loop is timed
        var seconds = new double[cores];
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, t =>
        {
            var watch = Stopwatch.StartNew();
            float sink = Chains(iterations);
            seconds[t] = watch.Elapsed.TotalSeconds;
            if (sink == 42) Console.Write(""); // keep the chains alive
        });
        return cores * (double)iterations * 12 * Lanes * 2 / seconds.Max() / 1e9;
    }

    private static bool Wide => Vector512.IsHardwareAccelerated;

    private static int Lanes => Wide ? Vector512<float>.Count : Vector256<float>.Count;

    private static float Chains(long iterations) => Wide ? Chains512(iterations) : Chains256(iterations);

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains512(long iterations)
    {
        var b = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b, a10 = b, a11 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, b, c); a1 = Vector512.FusedMultiplyAdd(a1, b, c);
            a2 = Vector512.FusedMultiplyAdd(a2, b, c); a3 = Vector512.FusedMultiplyAdd(a3, b, c);
            a4 = Vector512.FusedMultiplyAdd(a4, b, c); a5 = Vector512.FusedMultiplyAdd(a5, b, c);
            a6 = Vector512.FusedMultiplyAdd(a6, b, c); a7 = Vector512.FusedMultiplyAdd(a7, b, c);
            a8 = Vector512.FusedMultiplyAdd(a8, b, c); a9 = Vector512.FusedMultiplyAdd(a9, b, c);
            a10 = Vector512.FusedMultiplyAdd(a10, b, c); a11 = Vector512.FusedMultiplyAdd(a11, b, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains256(long iterations)
    {
        var b = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b, a10 = b, a11 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, b, c); a1 = Vector256.FusedMultiplyAdd(a1, b, c);
            a2 = Vector256.FusedMultiplyAdd(a2, b, c); a3 = Vector256.FusedMultiplyAdd(a3, b, c);
            a4 = Vector256.FusedMultiplyAdd(a4, b, c); a5 = Vector256.FusedMultiplyAdd(a5, b, c);
            a6 = Vector256.FusedMultiplyAdd(a6, b, c); a7 = Vector256.FusedMultiplyAdd(a7, b, c);
            a8 = Vector256.FusedMultiplyAdd(a8, b, c); a9 = Vector256.FusedMultiplyAdd(a9, b, c);
            a10 = Vector256.FusedMultiplyAdd(a10, b, c); a11 = Vector256.FusedMultiplyAdd(a11, b, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
