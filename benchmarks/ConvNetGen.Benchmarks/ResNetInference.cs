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
/// network exported by ConvNetGen (dynamic batch) for batch 32. Also the fp32 peak of this sitting (<see cref="FmaPeak"/>).
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
        Console.WriteLine($"{FmaPeak.Line()} path={Kernels.Gemm.HardwarePath}");
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
        IdleCores.Wait(); // the previous contender's threads may still spin
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

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
