using System.Diagnostics;
using ConvNetGen.Kernels;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// The end-to-end runner (no BenchmarkDotNet): the reference model's training step at batch 64, batch-1 inference
/// latency, batch inference throughput and steady-state allocations, printed as name=value lines like the peer's.
/// </summary>
public static class EndToEnd
{
    private const int Batch = 64;

    public static int Run(string[] args)
    {
        string? dataDirectory = GemmQuick.Option(args, "--data");
        int steps = int.TryParse(GemmQuick.Option(args, "--steps"), out int s) ? s : 500;
        // Warm-up by time as well as steps: the JIT's tiers (tier 0, then optimised with profile data after ~30 calls
        // and a 100 ms quiet period) take about a second of training to settle; before that steps run up to 2× slower.
        int warmupSteps = int.TryParse(GemmQuick.Option(args, "--warmup"), out int w) ? w : 30;
        double warmupSeconds = double.TryParse(GemmQuick.Option(args, "--warmup-seconds"), System.Globalization.CultureInfo.InvariantCulture, out double ws) ? ws : 3;
        int inferCalls = int.TryParse(GemmQuick.Option(args, "--infer-calls"), out int ic) ? ic : 2000;
        int? threads = int.TryParse(GemmQuick.Option(args, "--threads"), out int t) ? t : null;

        const int InputSize = MnistConvNet.Shapes.InputSize, OutputSize = MnistConvNet.Shapes.OutputSize;
        float[] trainX, testX;
        int[] trainY;
        string dataName;
        if (dataDirectory is not null)
        {
            var (train, test) = Idx.Load(dataDirectory);
            (trainX, trainY, testX) = (train.Images, train.Labels, test.Images);
            dataName = dataDirectory;
        }
        else
        {
            // Random images in [0, 1) and labels: the step's cost does not depend on the values.
            var random = new Random(42);
            trainX = new float[Batch * 100 * InputSize];
            for (int i = 0; i < trainX.Length; i++) trainX[i] = random.NextSingle();
            trainY = new int[Batch * 100];
            for (int i = 0; i < trainY.Length; i++) trainY[i] = random.Next(OutputSize);
            testX = new float[10_000 * InputSize];
            for (int i = 0; i < testX.Length; i++) testX[i] = random.NextSingle();
            dataName = "random";
        }
        int trainCount = trainY.Length, testCount = testX.Length / InputSize;

        var model = new MnistConvNet(seed: 42);
        if (threads is { } count) model.ThreadCount = count;
        model.Compile(optimizer: new RMSprop(learningRate: 0.001f), loss: Losses.SparseCategoricalCrossentropy, metrics: [Metrics.Accuracy]);

        Console.WriteLine($"data={dataName}");
        Console.WriteLine($"path={Gemm.HardwarePath}");
        Console.WriteLine($"processor_count={Environment.ProcessorCount}");
        Console.WriteLine($"threads={model.ThreadCount}");
        Console.WriteLine($"batch_size={Batch}");
        Console.WriteLine($"warmup_seconds={warmupSeconds}");

        // Batches, assembled up front from a seeded shuffle (at most 100 distinct ones, cycled), so a step times only TrainOnBatch.
        var order = Enumerable.Range(0, trainCount).ToArray();
        new Random(1).Shuffle(order);
        int batchCount = Math.Min(100, trainCount / Batch);
        var xs = new float[batchCount][];
        var ys = new int[batchCount][];
        for (int b = 0; b < batchCount; b++)
        {
            xs[b] = new float[Batch * InputSize];
            ys[b] = new int[Batch];
            for (int i = 0; i < Batch; i++)
            {
                int sample = order[b * Batch + i];
                trainX.AsSpan(sample * InputSize, InputSize).CopyTo(xs[b].AsSpan(i * InputSize));
                ys[b][i] = trainY[sample];
            }
        }

        // Training: warm up (JIT tiers, workspaces, optimizer state), then time each step.
        float loss = 0;
        var warmup = Stopwatch.StartNew();
        int warmedUp = 0;
        for (; warmedUp < warmupSteps || warmup.Elapsed.TotalSeconds < warmupSeconds; warmedUp++)
            loss = model.TrainOnBatch(xs[warmedUp % batchCount], ys[warmedUp % batchCount]);
        warmupSteps = warmedUp;
        var stepTimes = new double[steps];
        long threadBytes = GC.GetAllocatedBytesForCurrentThread();
        long totalBytes = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0);
        long wallStart = Stopwatch.GetTimestamp(); // not a Stopwatch object: it would be the 40 bytes measured below
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            loss = model.TrainOnBatch(xs[(warmupSteps + i) % batchCount], ys[(warmupSteps + i) % batchCount]);
            stepTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        double wallSeconds = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        long trainThreadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBytes;
        long trainTotalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBytes;
        int trainGcs = GC.CollectionCount(0) - gen0;
        Array.Sort(stepTimes);
        Console.WriteLine($"train_step_ms_median={Percentile(stepTimes, 0.5):F3}");
        Console.WriteLine($"train_step_ms_p10={Percentile(stepTimes, 0.1):F3}");
        Console.WriteLine($"train_step_ms_p90={Percentile(stepTimes, 0.9):F3}");
        Console.WriteLine($"train_samples_per_s={steps * Batch / wallSeconds:F0}");
        Console.WriteLine($"train_steps={steps}");
        Console.WriteLine($"train_warmup_steps={warmupSteps}");
        Console.WriteLine($"train_last_loss={loss:F4}");
        Console.WriteLine($"alloc_bytes_per_train_step={(double)trainThreadBytes / steps:F1}");
        Console.WriteLine($"alloc_bytes_per_train_step_all_threads={(double)trainTotalBytes / steps:F1}");
        Console.WriteLine($"alloc_bytes_all_timed_steps_all_threads={trainTotalBytes}"); // every byte any thread allocated while the steps were timed
        Console.WriteLine($"gen0_collections_during_training={trainGcs}");

        // Batch-1 inference latency, through the zero-allocation overload.
        var outputs = new float[OutputSize];
        for (int i = 0; i < 200; i++) model.Predict(testX.AsSpan(i % testCount * InputSize, InputSize), outputs);
        var latencies = new double[inferCalls];
        threadBytes = GC.GetAllocatedBytesForCurrentThread();
        totalBytes = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < inferCalls; i++)
        {
            var sample = testX.AsSpan(i % testCount * InputSize, InputSize);
            long start = Stopwatch.GetTimestamp();
            model.Predict(sample, outputs);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        long predictThreadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBytes;
        long predictTotalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBytes;
        Array.Sort(latencies);
        Console.WriteLine($"infer_b1_us_median={Percentile(latencies, 0.5):F1}");
        Console.WriteLine($"infer_b1_us_p10={Percentile(latencies, 0.1):F1}");
        Console.WriteLine($"infer_b1_us_p90={Percentile(latencies, 0.9):F1}");
        Console.WriteLine($"alloc_bytes_per_predict={(double)predictThreadBytes / inferCalls:F1}");
        Console.WriteLine($"alloc_bytes_per_predict_all_threads={(double)predictTotalBytes / inferCalls:F1}");

        // Batch inference throughput: all test images (10,000 for MNIST) in one Predict call, median of 5.
        int n = Math.Min(testCount, 10_000);
        var batchOutputs = new float[n * OutputSize];
        var all = testX.AsSpan(0, n * InputSize);
        model.Predict(all, batchOutputs);
        var throughputs = new double[5];
        for (int i = 0; i < throughputs.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Predict(all, batchOutputs);
            throughputs[i] = n / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(throughputs);
        Console.WriteLine($"infer_samples_per_s={throughputs[throughputs.Length / 2]:F0}");
        Console.WriteLine($"infer_batch_images={n}");
        return 0;
    }

    private static double Percentile(double[] sorted, double fraction) => sorted[Math.Min(sorted.Length - 1, (int)(fraction * sorted.Length))];
}
