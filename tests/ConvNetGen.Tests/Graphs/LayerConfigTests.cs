using ConvNetGen.Tests.Numerics;
using ResNet;

namespace ConvNetGen.Tests.Graphs;

/// <summary>Each layer's settings as the generator resolved them, on the architecture (what exporters read).</summary>
public class LayerConfigTests
{
    [Fact]
    public void Windows_strides_and_the_zeros_added_on_each_side()
    {
        var a = ResNet18.Architecture;
        Assert.Equal(new LayerConfig { PadTop = 3, PadBottom = 3, PadLeft = 3, PadRight = 3 }, a["pad"].Settings);
        Assert.Equal(new LayerConfig { WindowHeight = 7, WindowWidth = 7, StrideHeight = 2, StrideWidth = 2 }, a["conv1"].Settings);
        Assert.Equal(new LayerConfig { WindowHeight = 3, WindowWidth = 3, StrideHeight = 2, StrideWidth = 2 }, a["maxpool"].Settings);
        // Same padding on a 3×3 stride-1 conv: one row and column of zeros each side.
        Assert.Equal(new LayerConfig { WindowHeight = 3, WindowWidth = 3, Padding = Padding.Same, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 },
            a["layer1_0/conv1"].Settings);
        Assert.Equal(new LayerConfig { WindowHeight = 1, WindowWidth = 1, StrideHeight = 2, StrideWidth = 2 }, a["layer2_0/downsample_0"].Settings);
        Assert.Equal(new LayerConfig { Momentum = 0.9, Epsilon = 1e-5 }, a["bn1"].Settings);
        Assert.Same(LayerConfig.None, a["layer1_0/add"].Settings);
        Assert.Same(LayerConfig.None, a["avgpool"].Settings);
    }

    [Fact]
    public void Same_padding_puts_the_odd_zero_below_and_right_as_Keras_does()
    {
        // AveragePooling2D(3, Strides = 2, Same) on 5×4 (after a valid 2×2 conv of 6×5): output 3×2, 2 and 1 zeros in total.
        var pool = GradAveragePoolSame.Architecture.Layers[1];
        Assert.Equal(LayerKind.AveragePooling2D, pool.Kind);
        Assert.Equal(new TensorShape(5, 4, 3), pool.InputShape);
        Assert.Equal(new LayerConfig { WindowHeight = 3, WindowWidth = 3, StrideHeight = 2, StrideWidth = 2, Padding = Padding.Same, PadTop = 1, PadBottom = 1, PadLeft = 0, PadRight = 1 },
            pool.Settings);
    }

    [Fact]
    public void Dropout_rate_and_rescaling()
    {
        Assert.Equal(new LayerConfig { Rate = 0.0 }, GradDropoutZero.Architecture.Layers[1].Settings);
        Assert.Equal(new LayerConfig { Scale = 0.5 }, GradConvPoolFusedAfterRescaling.Architecture.Layers[0].Settings);
    }
}
