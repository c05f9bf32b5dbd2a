using System.Diagnostics;
using ConvNetGen.Kernels;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// conv2d_1's Winograd forward, piece by piece (one thread, 32 samples): the kernel transform, the input transform,
/// the 16 position GEMMs and the output transform, each timed alone (median of many calls), next to the direct
/// im2col GEMM the layer would run otherwise — so a change to one piece shows where it lands.
/// </summary>
internal static class WinogradProfile
{
    public static int Run(string[] args)
    {
        const int Batch = 32, H = 13, W = 13, C = 32, F = 64, TH = 5, TW = 5, Tiles = Batch * TH * TW, Block = 96;
        var random = new Random(1);
        float[] Random(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = random.NextSingle() - 0.5f; return a; }
        var input = Random(Batch * H * W * C);
        var kernel = Random(9 * C * F);
        var bias = Random(F);
        int uPlane = Winograd.Plane(C, F);
        var u = new float[16 * uPlane];
        var v = new float[(Tiles + Block - 1) / Block * 16 * Winograd.Plane(Block, C)];
        var m = new float[16 * Winograd.Plane(Block, F)];
        var output = new float[Tiles * 4 * F];
        var patches = Random(Tiles * 4 * 9 * C);

        Time("transform kernel", () => Winograd.TransformKernel(kernel, u, C, F));
        Time("transform input (all blocks)", () =>
        {
            for (int first = 0; first < Tiles; first += Block)
            {
                int n = Math.Min(Block, Tiles - first);
                Winograd.TransformInput(input, v.AsSpan(first / Block * 16 * Winograd.Plane(Block, C), 16 * Winograd.Plane(n, C)), Batch, H, W, C, TH, TW, first, n);
            }
        });
        Time("16 GEMMs (all blocks)", () =>
        {
            for (int first = 0; first < Tiles; first += Block)
            {
                int n = Math.Min(Block, Tiles - first);
                int vPlane = Winograd.Plane(n, C), mPlane = Winograd.Plane(n, F);
                var vb = v.AsSpan(first / Block * 16 * Winograd.Plane(Block, C), 16 * vPlane);
                for (int p = 0; p < 16; p++)
                    Gemm.MultiplyBiasActivation(vb.Slice(p * vPlane, n * C), u.AsSpan(p * uPlane, C * F), default, m.AsSpan(p * mPlane, n * F), n, F, C, Activation.Linear);
            }
        });
        Time("transform output (all blocks)", () =>
        {
            for (int first = 0; first < Tiles; first += Block)
            {
                int n = Math.Min(Block, Tiles - first);
                Winograd.TransformOutput(m.AsSpan(0, 16 * Winograd.Plane(n, F)), bias, output.AsSpan(first * 4 * F, n * 4 * F), n, F, Activation.ReLU);
            }
        });
        Time("ReLU over the output (unfused)", () => Activations.Forward(Activation.ReLU, output, F));
        Time("direct: im2col GEMM (no im2col)", () =>
            Gemm.MultiplyBiasActivation(patches, kernel, bias, output, Tiles * 4, F, 9 * C, Activation.ReLU));
        return 0;
    }

    private static void Time(string name, Action action)
    {
        for (int i = 0; i < 20; i++) action();
        var times = new double[101];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"{name,-34} {times[times.Length / 2],9:0.0} µs (best {times[0]:0.0})");
    }
}
