using ConvNetGen.Generators.Tests.Infrastructure;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// Which Conv2D + MaxPooling2D pairs the generator runs as one fused pass (ConvMaxPool), and which it leaves to
/// im2col + GEMM and the pooling loops: the fused pass computes no input gradient and only 2×2 pooling of a ReLU or
/// linear conv with small windows, so anything else must not take it.
/// </summary>
public class FusionTests
{
    private static string Model(string layers) => $$"""
        using ConvNetGen;
        namespace Demo;
        [Input(12, 12, 1)]
        {{layers}}
        [Flatten]
        [Dense(3)]
        public partial class Net;
        """;

    [Theory]
    [InlineData("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2)]")]
    [InlineData("[Rescaling(0.5)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")] // nothing trainable below
    [InlineData("[Conv2D(8, 2, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]
    public void A_first_conv_and_its_two_by_two_pooling_are_fused(string layers)
    {
        var run = GeneratorHarness.Run(Model(layers));
        run.AssertOutputCompilesCleanly();
        Assert.Contains("ConvMaxPool.Forward(", run.SingleSource.Text);
        Assert.Contains("ConvMaxPool.BackwardWeights(", run.SingleSource.Text);
        Assert.DoesNotContain("Pooling.Max2x2Row(", run.SingleSource.Text);
    }

    [Theory]
    [InlineData("[Conv2D(8, 3, Activation = Activation.Tanh)] [MaxPooling2D(2)]")]                         // does not commute with max
    [InlineData("[Conv2D(8, 3, Padding = Padding.Same)] [MaxPooling2D(2)]")]
    [InlineData("[Conv2D(8, 3, Strides = 2)] [MaxPooling2D(2)]")]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(3)]")]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, Strides = 1)]")]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, Padding = Padding.Same)]")]
    [InlineData("[Conv2D(8, 3)] [AveragePooling2D(2)]")]
    [InlineData("[Conv2D(4, 1)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]      // needs an input gradient
    [InlineData("[BatchNormalization] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")] // trainable gamma and beta below
    [InlineData("[Conv2D(8, 1)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]
    public void Other_pairs_keep_the_unfused_passes(string layers)
    {
        var run = GeneratorHarness.Run(Model(layers));
        run.AssertOutputCompilesCleanly();
        Assert.DoesNotContain("ConvMaxPool.", run.SingleSource.Text);
    }

    [Theory]
    [InlineData("[Conv2D(4, 1)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", true)]   // needs an input gradient
    [InlineData("[Conv2D(8, 3, Activation = Activation.Tanh)] [MaxPooling2D(2)]", true)]
    [InlineData("[Conv2D(8, 3, Padding = Padding.Same)] [MaxPooling2D(3)]", true)]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, 3)]", true)]                                           // rectangular windows, stride = window
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, Strides = 1)]", false)]                                // overlapping windows
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, Padding = Padding.Same)]", false)]
    [InlineData("[Conv2D(8, 3)] [AveragePooling2D(2)]", false)]
    [InlineData("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", false)]               // fused instead
    public void Unfused_convs_before_tiling_max_pooling_compute_only_the_pixels_it_reads(string layers, bool expected)
    {
        var run = GeneratorHarness.Run(Model(layers));
        run.AssertOutputCompilesCleanly();
        Assert.Equal(expected, run.SingleSource.Text.Contains("Pooling.MaxOfRows("));
        Assert.Equal(expected, run.SingleSource.Text.Contains("window by window"));
    }

    [Theory]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", true)]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [MaxPooling2D(3)]", false)]                        // a 3×3 window is not a 2×2 tile
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)] [MaxPooling2D(2)]", false)]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Strides = 2)] [MaxPooling2D(2)]", false)]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 2)] [MaxPooling2D(2)]", false)]
    [InlineData("[Conv2D(4, 1)] [Conv2D(16, 3)] [MaxPooling2D(2)]", false)]                        // too few input channels to pay
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [Flatten] [Dense(4)]", false)]
    public void A_three_by_three_conv_before_two_by_two_pooling_runs_as_Winograd(string layers, bool expected)
    {
        var run = GeneratorHarness.Run(Model(layers));
        run.AssertOutputCompilesCleanly();
        Assert.Equal(expected, run.SingleSource.Text.Contains("Winograd.TransformInput("));
    }

    [Theory]
    [InlineData("[Conv2D(8, 2, 5)] [Conv2D(16, 3, Activation = Activation.ReLU)]", true)]                    // 11×8×8 → 9×6: 3×2 tiles
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [Conv2D(4, 1)]", false)]                                   // 10×10 output: not a multiple of 3
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", false)]
    [InlineData("[Conv2D(4, 2, 5)] [Conv2D(16, 3)]", false)]                                               // 4 input channels: too few
    public void A_three_by_three_conv_whose_output_tiles_by_three_runs_as_Winograd_F3(string layers, bool expected)
    {
        var run = GeneratorHarness.Run(Model(layers));
        run.AssertOutputCompilesCleanly();
        Assert.Equal(expected, run.SingleSource.Text.Contains("WinogradF3.TransformInput("));
    }

    [Fact]
    public void Windows_above_64_values_are_not_fused()
    {
        // 3×3×8 = 72 values per window: im2col and the GEMM's register blocking win there.
        var run = GeneratorHarness.Run(Model("[Conv2D(8, 1)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]").Replace("[Input(12, 12, 1)]", "[Input(12, 12, 8)]").Replace("[Conv2D(8, 1)] ", ""));
        run.AssertOutputCompilesCleanly();
        Assert.DoesNotContain("ConvMaxPool.", run.SingleSource.Text);
    }
}
