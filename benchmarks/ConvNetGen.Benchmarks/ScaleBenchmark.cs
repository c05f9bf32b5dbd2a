using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// The networks people train (issue 13): <see cref="CifarVgg"/> and <see cref="Big128"/>, ConvNetGen against the
/// TorchSharp peer (NCHW and channels-last, through ../shared/peer/torch-scale.sh) and ONNX Runtime (the model exported
/// by ConvNetGen, NCHW, 1 and 2 threads) in one sitting — TorchSharp's processes round by round, ONNX Runtime's calls
/// in turn with ours — with the fp32 peak of the sitting and the ratios the issue's targets are stated in. Random data and weights: the time does not depend on them.
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
        foreach (var (name, create, batch) in new (string, Func<Model>, int)[] { ("cifar", () => new CifarVgg(seed: 1), 64), ("big128", () => new Big128(seed: 1), 32), ("mnist", () => new MnistConvNet(seed: 1), 64) })
        {
            // The reference model only when asked for, and for inference only (its training peer is torch-baseline.sh,
            // its target a single image in half ONNX Runtime's time).
            if (which != name && (which != "all" || name == "mnist")) continue;
            bool reference = name == "mnist";
            if (args.Contains("--train-only"))
            {
                // The training step alone on one and on two threads, in turn: how much the second thread adds.
                for (int round = 0; round < rounds; round++)
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var alone = create();
                        alone.ThreadCount = threads;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model={name} round={round} batch={batch} threads={threads} convnetgen_train_ms={TrainMs(alone, batch):F1}"));
                    }
                continue;
            }
            if (args.Contains("--inference-only") || reference)
            {
                // Ours against ONNX Runtime alone, without the training steps and TorchSharp: a quicker A/B.
                for (int round = 0; round < rounds; round++)
                {
                    var (ours, ort) = Inference(create());
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"model={name} round={round} convnetgen_b1_us={ours.LatencyUs:F0} ort_b1_us={ort.LatencyUs:F0} b1_ratio_vs_ort={ours.LatencyUs / ort.LatencyUs:F2} (target <= {(reference ? "0.5" : "1")}) | " +
                        $"convnetgen_b64_per_s={ours.PerSecond64:F0} ort_b64_per_s={ort.PerSecond64:F0} b64_ratio_vs_ort={ours.PerSecond64 / ort.PerSecond64:F2}{(reference ? "" : " (target >= 1.5)")} | " +
                        $"convnetgen_b1000_per_s={ours.PerSecond1000:F0} ort_b1000_per_s={ort.PerSecond1000:F0}"));
                }
                continue;
            }
            for (int round = 0; round < rounds; round++)
            {
                var model = create();
                double trainMs = TrainMs(model, batch);
                var (ours, ort) = Inference(model);
                var (torchTrain, torchInfer) = torch is null ? (double.NaN, (Figures?)null) : Torch(torch, name);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"model={name} round={round} batch={batch} " +
                    $"convnetgen_train_ms={trainMs:F1} torch_train_ms={torchTrain:F1} train_ratio={trainMs / torchTrain:F2} (target <= 0.50) | " +
                    $"convnetgen_b1_us={ours.LatencyUs:F0} ort_b1_us={ort.LatencyUs:F0} torch_b1_us={torchInfer?.LatencyUs:F0} b1_ratio_vs_ort={ours.LatencyUs / ort.LatencyUs:F2} (target <= 1) | " +
                    $"convnetgen_b64_per_s={ours.PerSecond64:F0} ort_b64_per_s={ort.PerSecond64:F0} torch_b64_per_s={torchInfer?.PerSecond64:F0} b64_ratio_vs_ort={ours.PerSecond64 / ort.PerSecond64:F2} (target >= 1.5) | " +
                    $"convnetgen_b1000_per_s={ours.PerSecond1000:F0} ort_b1000_per_s={ort.PerSecond1000:F0}"));
            }
        }
        return 0;
    }

    /// <summary>Ours: the median training step (RMSprop, Keras' defaults).</summary>
    private static double TrainMs(Model model, int batch)
    {
        int inputSize = model.Definition.InputShape.ElementCount, outputSize = model.Definition.OutputShape.ElementCount;
        model.Compile(new RMSprop(learningRate: 0.001f), Losses.SparseCategoricalCrossentropy);
        var random = new Random(3);
        var xs = Enumerable.Range(0, 4).Select(_ => Floats(random, batch * inputSize)).ToArray();
        var ys = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, batch).Select(_ => random.Next(outputSize)).ToArray()).ToArray();
        int step = 0;
        return MedianMs(() => model.TrainOnBatch(xs[step % 4], ys[step++ % 4]), warmupSeconds: 3, calls: 40);
    }

    /// <summary>
    /// Batch-1 latency and throughput at 64 and 1000, ours and ONNX Runtime's (the model exported by ConvNetGen, NCHW,
    /// 1 and 2 threads; the better of the two for each figure), timed in turn block by block, so a change in the
    /// machine's speed during the sitting (other tenants) falls on every contender alike.
    /// </summary>
    private static (Figures Ours, Figures Ort) Inference(Model model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"convnetgen-scale-{model.GetType().Name}-{Environment.ProcessId}.onnx");
        model.ExportOnnx(path, OnnxLayout.Nchw);
        var sessions = new List<InferenceSession>();
        try
        {
            var shape = model.Definition.InputShape; // (H, W, C)
            int inputSize = shape.ElementCount, outputSize = model.Definition.OutputShape.ElementCount;
            var random = new Random(4);
            var x = Floats(random, 1000 * inputSize); // the same samples for every contender (NCHW for ORT: time does not depend on the values)
            var output = new float[1000 * outputSize];
            var contenders = new List<Func<int, Action>> { n => () => model.Predict(x.AsSpan(0, n * inputSize), output.AsSpan(0, n * outputSize)) };
            foreach (int threads in new[] { 1, 2 })
            {
                using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                var session = new InferenceSession(path, options);
                sessions.Add(session);
                string input = session.InputMetadata.Keys.First();
                contenders.Add(n =>
                {
                    var tensor = new DenseTensor<float>(x.AsMemory(0, n * inputSize), [n, shape[2], shape[0], shape[1]]);
                    var inputs = new[] { NamedOnnxValue.CreateFromTensor(input, tensor) };
                    return () => { using var r = session.Run(inputs); };
                });
            }
            double[] Medians(int n, double warmupSeconds, int calls) =>
                InterleavedMediansMs(contenders.Select(c => c(n)).ToArray(), warmupSeconds, calls);
            var b1 = Medians(1, 1, 500).Select(ms => ms * 1000).ToArray(); // µs
            var b64 = Medians(64, 0.5, 20).Select(ms => 64 / ms * 1000).ToArray();
            var b1000 = Medians(1000, 0.5, 10).Select(ms => 1000 / ms * 1000).ToArray();
            return (new Figures(double.NaN, b1[0], b64[0], b1000[0]),
                    new Figures(double.NaN, Math.Min(b1[1], b1[2]), Math.Max(b64[1], b64[2]), Math.Max(b1000[1], b1000[2])));
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
            File.Delete(path);
        }
    }

    /// <summary>
    /// Each call's median in milliseconds, the calls taken in turn by blocks: a block of one, then of the next, and
    /// round again. Blocks rather than single calls, each once the previous contender's threads have stopped spinning
    /// (<see cref="IdleCores"/>: they would take a core from this one) and after untimed calls for 50 ms (a runtime
    /// that has been idle starts on cold caches and sleeping threads), so the figures are steady-state ones.
    /// </summary>
    private static double[] InterleavedMediansMs(Action[] calls, double warmupSeconds, int callsPerContender)
    {
        foreach (var call in calls) Repeat(call, minCalls: 3, warmupSeconds);
        const int Blocks = 10;
        int perBlock = Math.Max(1, callsPerContender / Blocks);
        var times = calls.Select(_ => new List<double>()).ToArray();
        for (int block = 0; block < Blocks; block++)
            for (int c = 0; c < calls.Length; c++)
            {
                IdleCores.Wait(); // the previous contender's threads may still spin
                Repeat(calls[c], minCalls: 1, seconds: 0.05);
                for (int i = 0; i < perBlock; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    calls[c]();
                    times[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        return times.Select(t => { t.Sort(); return t[t.Count / 2]; }).ToArray();
    }

    private static void Repeat(Action call, int minCalls, double seconds)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < minCalls || clock.Elapsed.TotalSeconds < seconds; i++) call();
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
