using ConvNetGen.Tests.Numerics;

namespace ConvNetGen.Tests.Reliability;

using Losses = global::ConvNetGen.Losses;

/// <summary>A wide model: 256×256×256 activations make every sample cost about 137 MB of training buffers.</summary>
[Input(256, 256, 1)]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(2, Activation = Activation.Softmax)]
internal partial class WideConvNet;

/// <summary>Memory is bounded by what a call needs, and a request that cannot fit is refused before anything is allocated.</summary>
public sealed class MemoryTests
{
    private const long BytesPerTrainingSample = 2L * 256 * 256 * 256 * sizeof(float); // the conv's output and its gradient, at least

    // On the calling thread, which allocates every workspace (other tests run in parallel on other threads).
    private static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Evaluate_with_a_huge_batch_size_holds_no_batch_sized_buffers()
    {
        var model = new MnistConvNetCopy(seed: 1) { ThreadCount = 2 };
        model.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        const int Count = 8000;
        var x = new float[Count * MnistConvNetCopy.Shapes.InputSize];
        var random = new Random(2);
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        var y = Enumerable.Range(0, Count).Select(i => i % 10).ToArray();
        var small = model.Evaluate(x, y, batchSize: 32);
        Evaluation? big = null;
        long allocated = AllocatedBy(() => big = model.Evaluate(x, y, batchSize: Count));
        // Before, this allocated two 4,000-sample training workspaces (≈ 1.8 GB) and kept them.
        Assert.True(allocated < 16L << 20, $"Evaluate(batchSize: {Count}) allocated {allocated:N0} bytes");
        Assert.Equal(small.Loss, big!.Loss); // and the batch size does not change the result
        Assert.Equal(small.Accuracy, big.Accuracy);
    }

    [Fact]
    public void A_batch_too_large_for_memory_is_refused_before_anything_is_allocated()
    {
        var model = new WideConvNet(seed: 1) { ThreadCount = 2 };
        model.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy);
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        int batch = (int)Math.Min(250, memory / BytesPerTrainingSample + 20); // more than the machine holds, ≤ 125 per thread
        Assert.True(batch / 2 <= 125, "this test needs a machine with at most ~16 GB per thread of batch");
        var x = new float[batch * WideConvNet.Shapes.InputSize];
        var y = new int[batch];
        InsufficientMemoryException? e = null;
        long allocated = AllocatedBy(() => e = Assert.Throws<InsufficientMemoryException>(() => model.TrainOnBatch(x, y)));
        Assert.Contains($"batch of {batch}", e!.Message);
        Assert.Contains("WideConvNet", e.Message);
        Assert.Contains("GB", e.Message);
        Assert.True(allocated < 4L << 20, $"the refused call allocated {allocated:N0} bytes");

        // The model is unharmed and runs at batch 1.
        Assert.Equal(0, model.TrainOnBatch(x[..WideConvNet.Shapes.InputSize], y[..1]), 1f);
        Assert.Equal(1f, model.Predict(x.AsSpan(0, WideConvNet.Shapes.InputSize)).Sum(), 1e-5f);
    }

    [Fact]
    public void A_batch_whose_buffer_exceeds_a_dotnet_array_is_refused_naming_the_largest_that_fits()
    {
        // 256×256×256 floats per sample: a single array holds at most 127 samples of the conv's output.
        var model = new WideConvNet(seed: 1) { ThreadCount = 1 };
        model.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy);
        var x = new float[200 * WideConvNet.Shapes.InputSize];
        var y = new int[200];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainOnBatch(x, y));
        Assert.Equal("batchSize", e.ParamName);
        Assert.Contains("at most 127", e.Message);
    }
}
