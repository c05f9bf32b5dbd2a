using System.Diagnostics;
using System.Reflection;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// Where a training step's time goes: each generated layer method of the reference model, forward and backward,
/// timed alone on one thread (median of many calls) and turned into GFLOP/s and % of one core's fp32 FMA peak.
/// The methods are private to the generated class, so they are found by name, as a reader of the generated file would.
/// <c>--inference</c> times the forward methods only, on an inference workspace (what Predict runs); with
/// <c>--threads 2</c> they share their work with the worker team as a single image's Predict does.
/// </summary>
internal static class LayerProfile
{

    public static int Run(string[] args)
    {
        int batch = args.Length > 0 && int.TryParse(args[0], out int b) ? b : 32;
        // --model transfer|cifar|big128: the fine-tuning sample's model (BatchNormalization, same padding) or a scale
        // benchmark network instead of the reference.
        Model model = GemmQuick.Option(args, "--model") switch
        {
            "transfer" => new FineTuning.TransferNet(seed: 42),
            "cifar" => new CifarVgg(seed: 42),
            "big128" => new Big128(seed: 42),
            "resnet18" => new Pretrained.ResNet18Base(seed: 42),
            _ => new MnistConvNet(seed: 42),
        };
        bool inference = args.Contains("--inference");
        int threads = inference && int.TryParse(GemmQuick.Option(args, "--threads"), out int t) ? t : 1;
        Kernels.GemmRowSplit.Threads = threads; // what Predict sets around a pass
        model.ThreadCount = 1;
        var type = model.GetType();
        var ws = (ModelWorkspace)type.GetMethod("CreateWorkspace", BindingFlags.NonPublic | BindingFlags.Instance)!
            .Invoke(model, [batch, !inference])!;
        var random = new Random(1);
        for (int i = 0; i < ws.Input.Length; i++) ws.Input[i] = random.NextSingle();
        if (!inference) // an inference workspace has no output gradient
            for (int i = 0; i < ws.OutputGradient.Length; i++) ws.OutputGradient[i] = (random.NextSingle() - 0.5f) * 0.01f;

        double peak = FmaPeak.Gflops(1); // this sitting's: the machine's speed changes from day to day
        Console.WriteLine($"model={type.Name} batch={batch} {(inference ? "inference" : "training")} threads={threads} path={Kernels.Gemm.HardwarePath} peak_gflops_per_core={peak:F0}");
        // GFLOP/s count a direct convolution's multiply-adds, as Keras would: where the generated code does fewer
        // (Winograd, pixels no pooling window reads), the rate is effective and may pass 100% of peak.
        Console.WriteLine($"{"layer",-16} {"pass",-8} {"µs",9} {"GFLOP/s",8} {"% peak",7}  (nominal: a direct convolution's FLOPs)");
        double total = 0;
        // --in-sequence: every layer once per round, in the pass's order, as a real pass runs them (its weights and input
        // come cold from the layers before); without it each layer is called 200 times in a row (warm, as in isolation).
        bool inSequence = args.Contains("--in-sequence");
        var calls = new List<(LayerInfo Layer, string Pass, MethodInfo Method, object?[] Arguments)>();
        foreach (string pass in inference ? new[] { "Forward" } : new[] { "Forward", "Backward" })
        foreach (var layer in pass == "Forward" ? model.Definition.Layers : Enumerable.Reverse(model.Definition.Layers))
        {
            var method = type.GetMethod(Identifier(layer.Name) + pass, BindingFlags.NonPublic | BindingFlags.Instance)!;
            calls.Add((layer, pass, method, pass == "Forward" ? [ws, batch, !inference] : [ws, batch]));
        }
        const int Calls = 200;
        var timings = calls.Select(_ => new double[Calls]).ToArray();
        if (inSequence)
        {
            for (int round = -20; round < Calls; round++)
            for (int c = 0; c < calls.Count; c++)
            {
                long start = Stopwatch.GetTimestamp();
                calls[c].Method.Invoke(model, calls[c].Arguments);
                if (round >= 0) timings[c][round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }
        else
        {
            for (int c = 0; c < calls.Count; c++)
            {
                for (int i = 0; i < 20; i++) calls[c].Method.Invoke(model, calls[c].Arguments);
                for (int i = 0; i < Calls; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    calls[c].Method.Invoke(model, calls[c].Arguments);
                    timings[c][i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
        }
        for (int c = 0; c < calls.Count; c++)
        {
            var (layer, pass, _, _) = calls[c];
            var times = timings[c];
            Array.Sort(times);
            double median = times[times.Length / 2];
            total += median;
            double flops = Flops(layer, pass, first: layer.Index == 0) * batch;
            string rate = flops == 0 ? "-" : (flops / median / 1e3).ToString("0.0");
            string share = flops == 0 ? "-" : (flops / median / 1e3 / peak * 100).ToString("0");
            Console.WriteLine($"{layer.Name,-16} {pass,-8} {median,9:0.0} {rate,8} {share,7}");
        }
        Console.WriteLine($"total_us={total:0} for {batch} samples on {threads} thread(s)");
        return 0;
    }

    /// <summary>Multiply-adds × 2 of the layer's GEMMs: forward once; backward the weight gradient, plus the input gradient unless it is the first layer.</summary>
    private static double Flops(LayerInfo layer, string pass, bool first)
    {
        if (layer.Kind is not (LayerKind.Conv2D or LayerKind.Dense)) return 0;
        double forward = 2.0 * layer.OutputShape.ElementCount / layer.OutputShape[layer.OutputShape.Rank - 1] * layer.Weights[0].Length;
        return pass == "Forward" ? forward : forward * (first ? 1 : 2);
    }

    /// <summary>The generator's identifier for a Keras name: conv2d_1 → Conv2d1.</summary>
    private static string Identifier(string name) =>
        string.Concat(name.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
