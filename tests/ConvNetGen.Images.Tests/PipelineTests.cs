using System.Collections.Concurrent;

namespace ConvNetGen.Images.Tests;

/// <summary>A dataset of 4×4×1 samples made on the fly (value = index), recording every read; optionally slow or failing.</summary>
internal sealed class RecordingDataset(int count, int classes = 3, int delayEveryN = 0, int failAt = -1, int skipEvery = 0) : IDataset
{
    public readonly ConcurrentQueue<int> Reads = new();
    private int _skipped;
    public int Count => count;
    public int Height => 4;
    public int Width => 4;
    public int Channels => 1;
    public IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, classes).Select(i => "c" + i).ToArray();
    public int Skipped => _skipped;

    public int Read(int index, Span<float> image)
    {
        Reads.Enqueue(index);
        if (index == failAt) throw new InvalidDataException($"sample {index} is broken");
        if (delayEveryN > 0 && index % delayEveryN == 0) Thread.Sleep(1);
        if (skipEvery > 0 && index % skipEvery == skipEvery - 1)
        {
            Interlocked.Increment(ref _skipped);
            return -1;
        }
        image.Fill((index % 97) / 97f);
        return index % classes;
    }
}

public sealed class PipelineTests
{
    [Fact]
    public void Every_sample_is_read_exactly_once_per_epoch_in_the_order_asked()
    {
        var data = new RecordingDataset(1000, delayEveryN: 7);
        var order = Enumerable.Range(0, 1000).Reverse().ToArray();
        using var pipeline = new BatchPipeline(data, order, 64, readers: 3);
        var delivered = new List<float>();
        int batches = 0;
        while (pipeline.Next(out var x, out var y, out int n))
        {
            batches++;
            for (int i = 0; i < n; i++) delivered.Add(x[i * 16]);
        }
        Assert.Equal(16, batches);
        Assert.Equal(order.Select(i => (i % 97) / 97f), delivered); // in order, every sample once
        Assert.Equal(1000, data.Reads.Count);
        Assert.Equal(1000, data.Reads.Distinct().Count());
    }

    [Fact]
    public void Reading_stays_a_bounded_number_of_batches_ahead()
    {
        var data = new RecordingDataset(100_000);
        var order = Enumerable.Range(0, 100_000).ToArray();
        using var pipeline = new BatchPipeline(data, order, 32, readers: 3);
        int consumed = 0, maxAhead = 0;
        for (int b = 0; b < 50 && pipeline.Next(out _, out _, out int n); b++)
        {
            Thread.Sleep(2); // a slow training step
            consumed += n;
            maxAhead = Math.Max(maxAhead, data.Reads.Count - consumed);
        }
        // At most the batches in the queue (3) plus the one the consumer holds, never the dataset.
        Assert.InRange(maxAhead, 0, (BatchPipeline.Prefetch + 1) * 32);
    }

    [Fact]
    public void Disposing_mid_pass_stops_the_readers()
    {
        var data = new RecordingDataset(1_000_000, delayEveryN: 1);
        var pipeline = new BatchPipeline(data, Enumerable.Range(0, 1_000_000).ToArray(), 64, readers: 3);
        pipeline.Next(out _, out _, out _);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        pipeline.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        int after = data.Reads.Count;
        Thread.Sleep(50);
        Assert.Equal(after, data.Reads.Count); // nothing reads once Dispose returned
    }

    [Fact]
    public void Fit_on_an_ArrayDataset_is_bit_identical_to_Fit_on_the_arrays()
    {
        var rng = new Random(5);
        int n = 203;
        var x = Enumerable.Range(0, n * 16).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var arrays = new TinyDense(seed: 9) { ThreadCount = 2 };
        var streamed = new TinyDense(seed: 9) { ThreadCount = 2 };
        arrays.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        streamed.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var h1 = arrays.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);
        var set = new ArrayDataset(x, y, 4, 4, 1);
        var h2 = streamed.Fit(set, epochs: 3, batchSize: 16, validation: set, verbose: Verbosity.Silent);
        Assert.Equal(arrays.Parameters.ToArray(), streamed.Parameters.ToArray());
        Assert.Equal(h1["loss"], h2["loss"]);

        // Evaluate and Predict agree bit for bit too.
        Assert.Equal(arrays.Evaluate(x, y).Loss, streamed.Evaluate(set).Loss);
        var outputs = new float[n * 3];
        arrays.Predict(x, outputs);
        Assert.Equal(outputs, streamed.Predict(set));
    }

    [Fact]
    public void Fit_reads_every_sample_once_per_epoch_and_skipped_samples_are_left_out_and_shown()
    {
        var data = new RecordingDataset(250, skipEvery: 50, delayEveryN: 11);
        var model = new TinyDense(seed: 1);
        model.Compile(new SGD(0.1f), Losses.SparseCategoricalCrossentropy);
        var output = new StringWriter();
        model.Fit(data, epochs: 4, batchSize: 20, output: output, verbose: Verbosity.OneLinePerEpoch);
        var counts = data.Reads.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(250, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(4, c));
        Assert.Equal(20, data.Skipped);
        Assert.Contains("skipped: 5 bad file(s)", output.ToString());

        var predictions = model.Predict(data);
        Assert.True(float.IsNaN(predictions[49 * 3]));
        Assert.False(float.IsNaN(predictions[48 * 3]));
    }

    [Fact]
    public void A_reader_exception_comes_out_of_Fit_and_leaves_the_model_usable()
    {
        var model = new TinyDense(seed: 1);
        model.Compile(new SGD(0.1f), Losses.SparseCategoricalCrossentropy);
        var e = Assert.Throws<InvalidDataException>(() => model.Fit(new RecordingDataset(300, failAt: 0), epochs: 1, batchSize: 10, shuffle: false, verbose: Verbosity.Silent));
        Assert.Contains("sample 0", e.Message);
        model.Fit(new RecordingDataset(30), epochs: 1, verbose: Verbosity.Silent); // not stuck "training"
    }

    [Fact]
    public void A_dataset_of_the_wrong_shape_or_too_many_classes_is_refused()
    {
        var model = new TinyDense(seed: 1);
        model.Compile(new SGD(0.1f), Losses.SparseCategoricalCrossentropy);
        Assert.Contains("(4, 4, 1)", Assert.Throws<ArgumentException>(() => model.Fit(new ArrayDataset(new float[2 * 16], [0, 1], 2, 8, 1), verbose: Verbosity.Silent)).Message);
        Assert.Contains("5 classes", Assert.Throws<ArgumentException>(() => model.Fit(new RecordingDataset(10, classes: 5), verbose: Verbosity.Silent)).Message);
    }
}
