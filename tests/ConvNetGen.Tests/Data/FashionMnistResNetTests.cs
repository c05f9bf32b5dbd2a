using System.Diagnostics;
using ConvNetGen.Tests.Numerics;
using Xunit.Abstractions;

namespace ConvNetGen.Tests.Data;

using Losses = global::ConvNetGen.Losses;

/// <summary>ResNet's basic block with the identity shortcut.</summary>
[Block]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
[BatchNormalization(Momentum = 0.9, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Momentum = 0.9, Name = "bn2")]
[Add("bn2", Block.Input, Name = "add")]
[Activation(Activation.ReLU, Name = "relu2")]
internal partial class ResNetIdentityBlock;

/// <summary>ResNet's downsampling block: a strided 3×3 on the branch, a 1×1 strided projection with its own batch normalization on the shortcut.</summary>
[Block]
[Conv2D(Block.Filters, 3, Strides = Block.Strides, Padding = Padding.Same, UseBias = false, Name = "conv1")]
[BatchNormalization(Momentum = 0.9, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Momentum = 0.9, Name = "bn2")]
[Conv2D(Block.Filters, 1, Strides = Block.Strides, UseBias = false, Input = Block.Input, Name = "downsample")]
[BatchNormalization(Momentum = 0.9, Name = "downsample_bn")]
[Add("bn2", "downsample_bn", Name = "add")]
[Activation(Activation.ReLU, Name = "relu2")]
internal partial class ResNetProjectionBlock;

/// <summary>
/// A ResNet-8 for 28×28×1: a 3×3 stem, three stages of one basic block each (identity at 28×28, then 1×1/2
/// projections to 14×14 and 7×7), global average pooling, a 10-way softmax. 8 weighted layers on the main path.
/// </summary>
[Input(28, 28, 1)]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "stem")]
[BatchNormalization(Momentum = 0.9, Name = "stem_bn")]
[Activation(Activation.ReLU, Name = "stem_relu")]
[Include(typeof(ResNetIdentityBlock), Name = "stage1", Filters = 16)]
[Include(typeof(ResNetProjectionBlock), Name = "stage2", Filters = 32, Strides = 2)]
[Include(typeof(ResNetProjectionBlock), Name = "stage3", Filters = 64, Strides = 2)]
[GlobalAveragePooling2D(Name = "avg_pool")]
[Dense(10, Activation = Activation.Softmax, Name = "fc")]
internal partial class FashionResNet8;

/// <summary>A ResNet-8 (graph model: blocks, identity and projection shortcuts) trains on a slice of the real Fashion-MNIST.</summary>
public sealed class FashionMnistResNetTests(ITestOutputHelper output)
{
    private const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void The_architecture_has_the_stages_and_shapes_of_a_resnet8()
    {
        var architecture = FashionResNet8.Architecture;
        Assert.False(architecture.IsSequential);
        Assert.Equal(9, architecture.Layers.Count(l => l.Kind == LayerKind.Conv2D)); // stem, 2 + 2 + 2 on the branches, 2 projections
        Assert.Equal(3, architecture.Layers.Count(l => l.Kind == LayerKind.Add));
        Assert.Equal(new TensorShape(28, 28, 16), architecture["stage1/relu2"].OutputShape);
        Assert.Equal(new TensorShape(14, 14, 32), architecture["stage2/relu2"].OutputShape);
        Assert.Equal(new TensorShape(7, 7, 64), architecture["stage3/relu2"].OutputShape);
        Assert.Equal([architecture["stage1/bn2"].Index, architecture["stem_relu"].Index], architecture["stage1/add"].InputIndices);
        Assert.Equal([architecture["stage1/relu2"].Index], architecture["stage2/downsample"].InputIndices);
        Assert.Equal([architecture["stage2/conv1"].Index, architecture["stage2/downsample"].Index], architecture.Consumers(architecture["stage1/relu2"].Index));
    }

    private static RefOp[] IdentityBlock(int filters) =>
    [
        new RefConv2D(filters, 3, 3, padding: Padding.Same, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefActivationLayer(Activation.ReLU),
        new RefConv2D(filters, 3, 3, padding: Padding.Same, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefAdd(),
        new RefActivationLayer(Activation.ReLU),
    ];

    private static RefOp[] ProjectionBlock(int filters) =>
    [
        new RefConv2D(filters, 3, 3, 2, 2, Padding.Same, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefActivationLayer(Activation.ReLU),
        new RefConv2D(filters, 3, 3, padding: Padding.Same, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefConv2D(filters, 1, 1, 2, 2, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefAdd(),
        new RefActivationLayer(Activation.ReLU),
    ];

    /// <summary>The float64 reference of <see cref="FashionResNet8"/> (Numerics.ForwardTests runs it on every SIMD path).</summary>
    internal static ReferenceModel Reference() => ReferenceModel.Of(FashionResNet8.Architecture,
    [
        new RefConv2D(16, 3, 3, padding: Padding.Same, useBias: false),
        new RefBatchNormalization(momentum: 0.9),
        new RefActivationLayer(Activation.ReLU),
        .. IdentityBlock(16),
        .. ProjectionBlock(32),
        .. ProjectionBlock(64),
        new RefGlobalAveragePooling2D(),
        new RefDense(10, Activation.Softmax),
    ]);

    [Fact]
    public void Trains_on_a_slice_of_fashion_mnist_and_beats_chance_clearly()
    {
        if (!Directory.Exists(DebianFolder))
        {
            output.WriteLine($"Skipped: {DebianFolder} is absent (apt-get install dataset-fashion-mnist).");
            return;
        }
        var (train, test) = Idx.Load(DebianFolder);
        train = train.Take(TrainCount);
        test = test.Take(TestCount);

        var model = new FashionResNet8(seed: 3) { ThreadCount = 2 };
        model.Compile(new Adam(0.002f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var clock = Stopwatch.StartNew();
        var history = model.Fit(train.Images, train.Labels, epochs: Epochs, batchSize: 32, verbose: Verbosity.Silent);
        var fit = clock.Elapsed;
        var (loss, accuracy) = model.Evaluate(test.Images, test.Labels);
        output.WriteLine($"{TrainCount} images × {Epochs} epochs in {fit.TotalSeconds:F1} s; training loss {string.Join(" → ", history["loss"].Select(l => l.ToString("F3")))}; " +
            $"test loss {loss:F3}, accuracy {accuracy:F3} on {TestCount} images");
        Assert.True(history["loss"][^1] < history["loss"][0], "the training loss went down");
        Assert.True(accuracy >= MinimumAccuracy, $"test accuracy {accuracy} (chance is 0.1)");

        // Predict, one sample and a batch of 8: probabilities, and the same numbers both ways (up to rounding).
        int size = FashionResNet8.Architecture.InputShape.ElementCount;
        var batch = new float[8 * 10];
        model.Predict(test.Images.AsSpan(0, 8 * size), batch);
        for (int i = 0; i < 8; i++)
        {
            float[] single = model.Predict(test.Images.AsSpan(i * size, size));
            Assert.Equal(1f, single.Sum(), 4);
            for (int j = 0; j < 10; j++) Assert.Equal(batch[i * 10 + j], single[j], 1e-5f);
        }

        // One more step on a batch of 8 moves the weights and returns a finite loss.
        var before = model.Parameters.ToArray();
        float stepLoss = model.TrainOnBatch(test.Images[..(8 * size)], test.Labels[..8]);
        Assert.True(float.IsFinite(stepLoss) && stepLoss > 0, $"TrainOnBatch loss {stepLoss}");
        Assert.NotEqual(before, model.Parameters.ToArray());
    }

    private const int TrainCount = 4000, TestCount = 1000, Epochs = 2;

    /// <summary>Measured: see the report; the bar leaves a margin below it.</summary>
    private const float MinimumAccuracy = 0.70f;
}

/// <summary>The backward flags of a ResNet-8, for the freezing tests.</summary>
internal partial class FashionResNet8
{
    public bool ComputesInputGradientOf(int layer) => ComputesInputGradient(layer);

    public bool RunsBackwardOf(int layer) => RunsBackward(layer);
}
