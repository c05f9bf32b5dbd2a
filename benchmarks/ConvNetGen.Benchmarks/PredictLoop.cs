using System.Diagnostics;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// Predict in a loop for a profiler to sample (perf record with DOTNET_PerfMapEnabled=1): one model, one batch size,
/// for a number of seconds, printing the median call so a profile can be matched to the scale benchmark's figure.
/// </summary>
internal static class PredictLoop
{
    /// <summary>A benchmark model by name (cifar, the default; big128; mnist; resnet18), seed 1.</summary>
    public static Model Create(string? name) => name switch
    {
        "big128" => new Big128(seed: 1),
        "mnist" => new MnistConvNet(seed: 1),
        "resnet18" => new Pretrained.ResNet18Base(seed: 1),
        _ => new CifarVgg(seed: 1),
    };

    public static int Run(string[] args)
    {
        Model model = Create(GemmQuick.Option(args, "--model"));
        int batch = int.Parse(GemmQuick.Option(args, "--batch") ?? "1");
        double seconds = double.Parse(GemmQuick.Option(args, "--seconds") ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        if (GemmQuick.Option(args, "--threads") is { } t) model.ThreadCount = int.Parse(t);
        var random = new Random(1);
        var x = new float[batch * model.Definition.InputShape.ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        var y = new float[batch * model.Definition.OutputShape.ElementCount];
        // --train-steps N: train first, as the scale benchmark does, so Predict runs in a heap that training left with gaps.
        TrainFirst(model, int.Parse(GemmQuick.Option(args, "--train-steps") ?? "0"), random);
        int pauseMs = int.Parse(GemmQuick.Option(args, "--pause-ms") ?? "0"); // a pause before each call, as between the scale benchmark's blocks
        // --ab transforms: alternate 20 calls with the Winograd transform and block splits and 20 without, to compare the two in one sitting.
        bool ab = GemmQuick.Option(args, "--ab") == "transforms";
        var without = new List<double>();
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 2) model.Predict(x, y); // past tiered compilation
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            if (pauseMs > 0) Thread.Sleep(pauseMs);
            bool off = ab && times.Count + without.Count is var n && n / 20 % 2 == 1;
            Kernels.WinogradTransformSplit.Disabled = Kernels.WinogradBlockSplit.Disabled = off;
            long start = Stopwatch.GetTimestamp();
            model.Predict(x, y);
            (off ? without : times).Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        Kernels.WinogradTransformSplit.Disabled = Kernels.WinogradBlockSplit.Disabled = false;
        if (ab)
        {
            without.Sort();
            Console.WriteLine($"without the transform and block splits: calls={without.Count} best_us={without[0]:F0} p10_us={without[without.Count / 10]:F0} median_us={without[without.Count / 2]:F0}");
        }
        times.Sort();
        Console.WriteLine($"model={model.GetType().Name} batch={batch} threads={model.ThreadCount} calls={times.Count} best_us={times[0]:F0} p10_us={times[times.Count / 10]:F0} median_us={times[times.Count / 2]:F0} p90_us={times[times.Count * 9 / 10]:F0}");
        return 0;
    }

    private static void TrainFirst(Model model, int steps, Random random)
    {
        if (steps == 0) return;
        const int Batch = 32;
        var xs = new float[Batch * model.Definition.InputShape.ElementCount];
        for (int i = 0; i < xs.Length; i++) xs[i] = random.NextSingle();
        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = random.Next(model.Definition.OutputShape.ElementCount);
        model.Compile(new RMSprop(learningRate: 0.001f), Losses.SparseCategoricalCrossentropy);
        for (int i = 0; i < steps; i++) model.TrainOnBatch(xs, labels);
    }
}
