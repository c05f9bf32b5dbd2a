using System.Diagnostics;
using System.Reflection;
using ConvNetGen;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pretrained;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// ResNet18 inference, ConvNetGen against ONNX Runtime, same sitting, interleaved: batch-1 latency (median of
/// <c>--calls</c>) and batch-32 throughput, on 1 and 2 threads. ConvNetGen runs the imported class
/// (samples/Pretrained/ResNet18Base.cs, CNTK's ResNet18 from the ML.NET package, random weights: time does not depend
/// on them); ONNX Runtime runs the package's own ResNet18.onnx for batch 1 (its batch is fixed at 1) and the same
/// network exported by ConvNetGen (dynamic batch) for batch 32. Also the fp32 peak of this sitting (FMA loop).
/// </summary>
internal static class ResNetInference
{
    public static int Run(string[] args)
    {
        int calls = Arg(args, "--calls", 20), rounds = Arg(args, "--rounds", 2);
        string packaged = typeof(ResNetInference).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "ResNet18Onnx").Value!;
        var model = new ResNet18Base(seed: 1);
        string exported = Path.Combine(Path.GetTempPath(), "convnetgen-resnet18-bench.onnx");
        model.ExportOnnx(exported, OnnxLayout.Nchw);

        var random = new Random(2);
        float[] Images(int n) => Enumerable.Range(0, n * ResNet18Base.Shapes.InputSize).Select(_ => random.NextSingle() * 255 - 128).ToArray();
        var one = Images(1);
        var batch = Images(32);
        Console.WriteLine($"fp32_peak_gflops_1_core={Peak(1):F0} fp32_peak_gflops_2_cores={Peak(2):F0} path={Kernels.Gemm.HardwarePath}");
        for (int round = 0; round < rounds; round++)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                model.ThreadCount = threads;
                var output = new float[32 * ResNet18Base.Shapes.OutputSize];
                double ours1 = Median(calls, () => model.Predict(one, output.AsSpan(0, ResNet18Base.Shapes.OutputSize)));
                double ours32 = Median(3, () => model.Predict(batch, output));

                using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                using var session1 = new InferenceSession(packaged, options);
                using var session32 = new InferenceSession(exported, options);
                var nchw1 = new DenseTensor<float>(one, [1, 3, 224, 224]); // values only: the layout does not change the time
                var nchw32 = new DenseTensor<float>(batch, [32, 3, 224, 224]);
                string in1 = session1.InputMetadata.Keys.First(), in32 = session32.InputMetadata.Keys.First();
                double ort1 = Median(calls, () => { using var r = session1.Run([NamedOnnxValue.CreateFromTensor(in1, nchw1)]); });
                double ort32 = Median(3, () => { using var r = session32.Run([NamedOnnxValue.CreateFromTensor(in32, nchw32)]); });
                Console.WriteLine($"round={round} threads={threads} convnetgen_b1_ms={ours1:F2} ort_b1_ms={ort1:F2} " +
                                  $"convnetgen_b32_per_s={32 / (ours32 / 1000):F1} ort_b32_per_s={32 / (ort32 / 1000):F1}");
            }
        }
        File.Delete(exported);
        return 0;
    }

    /// <summary>Milliseconds, median of <paramref name="n"/> calls after two warm-up calls.</summary>
    private static double Median(int n, Action call)
    {
        call();
        call();
        var times = new double[n];
        for (int i = 0; i < n; i++)
        {
            var watch = Stopwatch.StartNew();
            call();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[n / 2];
    }

    /// <summary>GFLOP/s of eight independent 256-bit FMA chains per thread on <paramref name="cores"/> threads: this sitting's ceiling.</summary>
    private static double Peak(int cores)
    {
        const int Iterations = 50_000_000;
        var seconds = new double[cores];
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, t =>
        {
            seconds[t] = FmaChains(Iterations, out float sink);
            if (sink == 42) Console.Write(""); // keep the chains alive
        });
        return cores * (double)Iterations * 8 * 8 * 2 / seconds.Max() / 1e9;
    }

    private static double FmaChains(int iterations, out float sink)
    {
        var b = System.Runtime.Intrinsics.Vector256.Create(0.9999999f);
        var c = System.Runtime.Intrinsics.Vector256.Create(1e-7f);
        System.Runtime.Intrinsics.Vector256<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            a0 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a0, b, c);
            a1 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a1, b, c);
            a2 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a2, b, c);
            a3 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a3, b, c);
            a4 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a4, b, c);
            a5 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a5, b, c);
            a6 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a6, b, c);
            a7 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a7, b, c);
        }
        double s = watch.Elapsed.TotalSeconds;
        sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7)[0];
        return s;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
