using System.Diagnostics;
using ConvNetGen.Kernels;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// One Winograd conv's position products alone, one thread: M[p] = V[p] · U[p] for p in [0, positions), with m tiles,
/// k input channels and n filters, each U[p] its own (as a conv's) and, for contrast, every p reading U[0] (so U stays
/// in cache): the gap is what streaming the transformed kernel costs; and each U[p] packed in panels, as inference's are.
///   products [--m 36] [--k 128] [--n 256] [--positions 25]
/// </summary>
internal static class ProductsProfile
{
    public static int Run(string[] args)
    {
        int Int(string name, int fallback) => int.Parse(GemmQuick.Option(args, name) ?? fallback.ToString());
        int m = Int("--m", 36), k = Int("--k", 128), n = Int("--n", 256), positions = Int("--positions", 25);
        var random = new Random(1);
        float[] Random(int count) { var a = new float[count]; for (int i = 0; i < count; i++) a[i] = random.NextSingle() - 0.5f; return a; }
        int vPlane = Winograd.Plane(m, k), uPlane = Winograd.Plane(k, n), mPlane = Winograd.Plane(m, n);
        var v = Random(positions * vPlane);
        var u = Random(positions * uPlane);
        var products = new float[positions * mPlane];
        double flops = 2.0 * m * k * n * positions;
        void Products(bool ownKernels)
        {
            for (int p = 0; p < positions; p++)
                Gemm.MultiplyBiasActivation(v.AsSpan(p * vPlane, m * k), u.AsSpan((ownKernels ? p : 0) * uPlane, k * n), default,
                    products.AsSpan(p * mPlane, m * n), m, n, k, Activation.Linear);
        }
        Console.WriteLine($"m={m} k={k} n={n} positions={positions} U={positions * (long)uPlane * 4 / 1024} KB path={Gemm.HardwarePath} peak_gflops_1_core={FmaPeak.Gflops(1):F0}");
        var packed = new float[u.Length];
        int panels = Winograd.PackKernel(u, packed, positions, k, n);
        for (int round = 0; round < 2; round++)
        {
            foreach (bool own in new[] { true, false })
            {
                double us = MedianUs(() => Products(own));
                Console.WriteLine($"{(own ? "own U per position" : "U[0] for every position"),-34} {us,9:0.0} µs {flops / us / 1000,6:0.0} GFLOP/s");
            }
            double packedUs = MedianUs(() => Winograd.MultiplyPositions(v, packed, products, positions, m, k, n, panels));
            Console.WriteLine($"{$"own U, packed in panels of {panels}",-34} {packedUs,9:0.0} µs {flops / packedUs / 1000,6:0.0} GFLOP/s");
        }
        return 0;
    }

    private static double MedianUs(Action action)
    {
        for (int i = 0; i < 20; i++) action();
        var times = new double[201];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
