using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// The networks people train (issue 13): <see cref="CifarVgg"/> and <see cref="Big128"/>, ConvNetGen against the
/// TorchSharp peer (NCHW and channels-last, through ../shared/peer/torch-scale.sh) and ONNX Runtime (the model exported
/// by ConvNetGen, NCHW, 1 and 2 threads), interleaved round by round in one sitting, with the fp32 peak of the sitting
/// and the ratios the issue's targets are stated in. Random data and weights: the time does not depend on them.
/// </summary>
internal static class ScaleBenchmark
{
    private sealed record Figures(double TrainMs, double LatencyUs, double PerSecond64, double PerSecond1000);

    public static int Run(string[] args)
    {
        string which = GemmQuick.Option(args, "--model") ?? "all";
        int rounds = Int(args, "--rounds", 2);
        string? torch = args.Contains("--no-torch") ? null : GemmQuick.Option(args, "--torch") ?? FindTorchScript();
        Console.WriteLine($"{FmaPeak.Line()} path={Kernels.Gemm.HardwarePath} torch={(torch ?? "not found")}");
        foreach (var (name, create, batch) in new (string, Func<Model>, int)[] { ("cifar", () => new CifarVgg(seed: 1), 64), ("big128", () => new Big128(seed: 1), 32) })
        {
            if (which != "all" && which != name) continue;
            for (int round = 0; round < rounds; round++)
            {
                var ours = Ours(create(), batch);
                var ort = Ort(create());
                var (torchTrain, torchInfer) = torch is null ? (double.NaN, (Figures?)null) : Torch(torch, name);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"model={name} round={round} batch={batch} " +
                    $"convnetgen_train_ms={ours.TrainMs:F1} torch_train_ms={torchTrain:F1} train_ratio={ours.TrainMs / torchTrain:F2} (target <= 0.50) | " +
                    $"convnetgen_b1_us={ours.LatencyUs:F0} ort_b1_us={ort.LatencyUs:F0} torch_b1_us={torchInfer?.LatencyUs:F0} b1_ratio_vs_ort={ours.LatencyUs / ort.LatencyUs:F2} (target <= 1) | " +
                    $"convnetgen_b64_per_s={ours.PerSecond64:F0} ort_b64_per_s={ort.PerSecond64:F0} torch_b64_per_s={torchInfer?.PerSecond64:F0} b64_ratio_vs_ort={ours.PerSecond64 / ort.PerSecond64:F2} (target >= 1.5) | " +
                    $"convnetgen_b1000_per_s={ours.PerSecond1000:F0} ort_b1000_per_s={ort.PerSecond1000:F0}"));
            }
        }
        return 0;
    }

    /// <summary>Ours: the median training step (RMSprop, Keras' defaults), batch-1 latency, throughput at 64 and 1000.</summary>
    private static Figures Ours(Model model, int batch)
    {
        int inputSize = model.Definition.InputShape.ElementCount, outputSize = model.Definition.OutputShape.ElementCount;
        model.Compile(new RMSprop(learningRate: 0.001f), Losses.SparseCategoricalCrossentropy);
        var random = new Random(3);
        var xs = Enumerable.Range(0, 4).Select(_ => Floats(random, batch * inputSize)).ToArray();
        var ys = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, batch).Select(_ => random.Next(outputSize)).ToArray()).ToArray();
        int step = 0;
        double trainMs = MedianMs(() => model.TrainOnBatch(xs[step % 4], ys[step++ % 4]), warmupSeconds: 3, calls: 40);

        var one = Floats(random, inputSize);
        var output = new float[1000 * outputSize];
        double latencyUs = 1000 * MedianMs(() => model.Predict(one, output.AsSpan(0, outputSize)), warmupSeconds: 1, calls: 500);
        var many = Floats(random, 1000 * inputSize);
        double Rate(int n) => n / (MedianMs(() => model.Predict(many.AsSpan(0, n * inputSize), output.AsSpan(0, n * outputSize)), warmupSeconds: 0.5, calls: 9) / 1000);
        return new Figures(trainMs, latencyUs, Rate(64), Rate(1000));
    }

    /// <summary>ONNX Runtime on the model exported by ConvNetGen (NCHW): the best of 1 and 2 threads for each figure.</summary>
    private static Figures Ort(Model model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"convnetgen-scale-{model.GetType().Name}-{Environment.ProcessId}.onnx");
        model.ExportOnnx(path, OnnxLayout.Nchw);
        try
        {
            var shape = model.Definition.InputShape; // (H, W, C)
            int inputSize = shape.ElementCount;
            var random = new Random(4);
            Figures best = new(double.NaN, double.MaxValue, 0, 0);
            foreach (int threads in new[] { 1, 2 })
            {
                using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                using var session = new InferenceSession(path, options);
                string input = session.InputMetadata.Keys.First();
                DenseTensor<float> Tensor(int n) => new(Floats(random, n * inputSize), [n, shape[2], shape[0], shape[1]]);
                var one = Tensor(1);
                double latencyUs = 1000 * MedianMs(() => { using var r = session.Run([NamedOnnxValue.CreateFromTensor(input, one)]); }, warmupSeconds: 1, calls: 500);
                double Rate(int n)
                {
                    var x = Tensor(n);
                    return n / (MedianMs(() => { using var r = session.Run([NamedOnnxValue.CreateFromTensor(input, x)]); }, warmupSeconds: 0.5, calls: 9) / 1000);
                }
                best = new Figures(double.NaN, Math.Min(best.LatencyUs, latencyUs), Math.Max(best.PerSecond64, Rate(64)), Math.Max(best.PerSecond1000, Rate(1000)));
            }
            return best;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The TorchSharp peer, NCHW and channels-last, 2 threads: the faster of the two for each figure.</summary>
    private static (double TrainMs, Figures Infer) Torch(string script, string model)
    {
        double train = double.MaxValue, latency = double.MaxValue, b64 = 0, b1000 = 0;
        foreach (string layout in new[] { "", " --channels-last" })
        {
            var t = Peer(script, $"train --model {model} --threads 2 --steps 40{layout}");
            train = Math.Min(train, t.GetValueOrDefault("train_step_ms_median", double.NaN));
            var i = Peer(script, $"infer --model {model} --threads 2 --b1-calls 500{layout}");
            latency = Math.Min(latency, i.GetValueOrDefault("infer_b1_us_median", double.NaN));
            b64 = Math.Max(b64, i.GetValueOrDefault("infer_samples_per_s_b64", double.NaN));
            b1000 = Math.Max(b1000, i.GetValueOrDefault("infer_samples_per_s_b1000", double.NaN));
        }
        return (train, new Figures(train, latency, b64, b1000));
    }

    private static Dictionary<string, double> Peer(string script, string arguments)
    {
        var start = new ProcessStartInfo("bash", $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var values = new Dictionary<string, double>();
        foreach (var line in stdout.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && double.TryParse(line[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) values[line[..eq]] = v;
        }
        if (values.Count == 0) Console.Error.WriteLine($"torch-scale.sh {arguments} printed nothing usable: {process.StandardError.ReadToEnd()}");
        return values;
    }

    private static string? FindTorchScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "peer", "torch-scale.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Milliseconds: warm up by time, then the median of <paramref name="calls"/> calls.</summary>
    private static double MedianMs(Action call, double warmupSeconds, int calls)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < warmupSeconds; i++) call();
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[calls / 2];
    }

    private static float[] Floats(Random random, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = random.NextSingle();
        return x;
    }

    private static int Int(string[] args, string name, int fallback) =>
        GemmQuick.Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
