using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Tests.Infrastructure;
using Kind = ConvNetGen.Generators.Model.LayerKind;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// How the plan says each Conv2D runs (<see cref="LayerPlan.Strategy"/>): which Conv2D + MaxPooling2D pairs are one
/// fused pass (ConvMaxPool), which convs compute only the pixels a tiling max pooling reads, and which run as
/// Winograd; the fused pass computes no input gradient and only 2×2 pooling of a ReLU or linear conv with small
/// windows, so anything else must not take it. Every case's generated code must compile cleanly too.
/// </summary>
public class FusionTests
{
    private static string Model(string layers, string input = "[Input(12, 12, 1)]") => $$"""
        using ConvNetGen;
        namespace Demo;
        {{input}}
        {{layers}}
        [Flatten]
        [Dense(3)]
        public partial class Net;
        """;

    /// <summary>The model's plan, after checking its generated code compiles cleanly.</summary>
    private static ModelPlan Plan(string source, out GeneratorRun run)
    {
        run = GeneratorHarness.Run(source);
        run.AssertOutputCompilesCleanly();
        return Assert.Single(run.Plans);
    }

    private static ModelPlan Plan(string source) => Plan(source, out _);

    /// <summary>The Conv2D just before the model's MaxPooling2D (or its last Conv2D when there is none) and the layer after it.</summary>
    private static (LayerPlan Conv, LayerPlan Next) ConvUnderTest(ModelPlan plan)
    {
        var conv = plan.Layers.Last(l => l.Kind == Kind.Conv2D && plan.Layers[l.Index + 1].Kind != Kind.Conv2D);
        return (conv, plan.Layers[conv.Index + 1]);
    }

    [Theory]
    [InlineData("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2)]")]
    [InlineData("[Rescaling(0.5)] [Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")] // nothing trainable below
    [InlineData("[Conv2D(8, 2, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]")]
    public void A_first_conv_and_its_two_by_two_pooling_are_fused(string layers)
    {
        var (conv, pool) = ConvUnderTest(Plan(Model(layers)));
        Assert.Equal(ConvAlgorithm.FusedWithMaxPool, conv.Strategy.Conv);
        Assert.Equal(MaxPoolingInput.ComputedByConv, pool.Strategy.PoolingInput);
    }

    [Fact]
    public void A_fused_pair_is_written_as_one_ConvMaxPool_pass()
    {
        Plan(Model("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]"), out var run);
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
        var plan = Plan(Model(layers));
        Assert.DoesNotContain(plan.Layers, l => l.Strategy.Conv == ConvAlgorithm.FusedWithMaxPool);
        Assert.DoesNotContain(plan.Layers, l => l.Strategy.PoolingInput == MaxPoolingInput.ComputedByConv);
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
        var (conv, pool) = ConvUnderTest(Plan(Model(layers)));
        Assert.Equal(expected, conv.Strategy.Conv == ConvAlgorithm.PoolOrderedRows);
        Assert.Equal(expected, pool.Strategy.PoolingInput == MaxPoolingInput.PoolOrderedRows);
    }

    [Theory]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", true)]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [MaxPooling2D(3)]", false)]                        // a 3×3 window is not a 2×2 tile
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)] [MaxPooling2D(2)]", true, "[Input(10, 10, 1)]")]  // border tiles read the zero padding
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)] [MaxPooling2D(2)]", false)] // 12×12: F(4×4) tiles it
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Strides = 2)] [MaxPooling2D(2)]", false)]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 2)] [MaxPooling2D(2)]", false)]
    [InlineData("[Conv2D(4, 1)] [Conv2D(16, 3)] [MaxPooling2D(2)]", false)]                        // too few input channels to pay
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [Flatten] [Dense(4)]", false)]
    public void A_three_by_three_conv_before_two_by_two_pooling_runs_as_Winograd(string layers, bool expected, string? input = null)
    {
        var (conv, next) = ConvUnderTest(Plan(input is null ? Model(layers) : Model(layers, input)));
        Assert.Equal(expected, conv.Strategy.Conv == ConvAlgorithm.WinogradF2PoolOrdered);
        Assert.Equal(expected, conv.Strategy.Winograd is { Positions: 16, OutputTile: 2 });
        // Its rows are ordered by pool window like im2col's, so the pooling reads them the same way.
        if (expected) Assert.Equal(MaxPoolingInput.PoolOrderedRows, next.Strategy.PoolingInput);
    }

    [Theory]
    [InlineData("[Conv2D(8, 2, 5)] [Conv2D(16, 3, Activation = Activation.ReLU)]", true)]                    // 11×8×8 → 9×6: 3×2 tiles
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)] [Conv2D(4, 1)]", true)]                                    // 10×10: 4×4 tiles keep 2.25× fewer multiplies
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", true, "[Input(9, 9, 1)]")]        // 9×9, the border read as zeros
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", false)]                          // 12×12: F(4×4) instead
    [InlineData("[Conv2D(4, 2, 5)] [Conv2D(16, 3)]", false)]                                               // 4 input channels: too few
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)]", false, "[Input(6, 6, 1)]")]                              // 4×4: 2×2 tiles waste too much (1.44×)
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", true, "[Input(11, 11, 1)]")]      // 11×11: 4×4 tiles of 3 keep 2.72×
    public void A_three_by_three_conv_its_tiles_cover_without_much_waste_runs_as_Winograd_F3(string layers, bool expected, string input = "[Input(12, 12, 1)]")
    {
        var plan = Plan(Model(layers, input));
        var conv = plan.Layers.Single(l => l.Kind == Kind.Conv2D && l.Spec.Args<ConvNetGen.Generators.Layers.Conv2DArguments>().Window.Height == 3);
        Assert.Equal(expected, conv.Strategy.Conv == ConvAlgorithm.WinogradF3);
        Assert.Equal(expected, conv.Strategy.Winograd is { Positions: 25, OutputTile: 3 });
    }

    [Theory]
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", true)]                           // 12×12: 3×3 tiles of 4
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Padding = Padding.Same, Activation = Activation.ReLU)] [MaxPooling2D(2)]", true)] // before the pooling-ordered plans
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)]", true, "[Input(6, 6, 1)]")]                               // valid 4×4: one tile
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3)]", false)]                                                  // 10×10: the tiles would overhang
    [InlineData("[Conv2D(8, 1)] [Conv2D(16, 3, Strides = 2, Padding = Padding.Same)]", false, "[Input(16, 16, 1)]")] // strided
    [InlineData("[Conv2D(4, 1)] [Conv2D(16, 3, Padding = Padding.Same)]", false)]                          // 4 input channels: too few
    public void A_three_by_three_conv_four_by_four_tiles_cover_exactly_runs_as_Winograd_F4(string layers, bool expected, string input = "[Input(12, 12, 1)]")
    {
        var plan = Plan(Model(layers, input));
        var conv = plan.Layers.Single(l => l.Kind == Kind.Conv2D && l.Spec.Args<ConvNetGen.Generators.Layers.Conv2DArguments>().Window.Height == 3);
        Assert.Equal(expected, conv.Strategy.Conv == ConvAlgorithm.WinogradF4);
        Assert.Equal(expected, conv.Strategy.Winograd is { Positions: 36, OutputTile: 4 });
        // A pooling after it reads its plain NHWC output.
        if (expected && plan.Layers.FirstOrDefault(l => l.Kind == Kind.MaxPooling2D) is { } pool) Assert.Equal(MaxPoolingInput.Image, pool.Strategy.PoolingInput);
    }

    [Fact]
    public void Windows_above_64_values_are_not_fused()
    {
        // 3×3×8 = 72 values per window: im2col and the GEMM's register blocking win there.
        var (conv, pool) = ConvUnderTest(Plan(Model("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", "[Input(12, 12, 8)]")));
        Assert.NotEqual(ConvAlgorithm.FusedWithMaxPool, conv.Strategy.Conv);
        Assert.NotEqual(MaxPoolingInput.ComputedByConv, pool.Strategy.PoolingInput);
    }

    [Fact]
    public void The_sample_plans_each_conv_its_own_way_with_its_Winograd_numbers()
    {
        var plan = Assert.Single(GeneratorHarness.Run(TestModels.MnistConvNet).Plans);
        LayerStrategy Of(string name) => plan.Layers.Single(l => l.Name == name).Strategy;
        Assert.Equal(new LayerStrategy(ConvAlgorithm.FusedWithMaxPool, MaxPoolingInput.Image), Of("conv2d"));
        Assert.Equal(MaxPoolingInput.ComputedByConv, Of("max_pooling2d").PoolingInput);
        // 11×11 → 5×5 windows: 25 tiles a sample, 96 a block, Winograd from one sample on.
        // At inference it pools each tile, one window of max_pooling2d_1 (layer 3), as the tile leaves the output transform.
        Assert.Equal(new LayerStrategy(ConvAlgorithm.WinogradF2PoolOrdered, MaxPoolingInput.Image, new WinogradTiling(16, 2, 25, 96, 1, 1)) { Fold = new InferenceFold(-1, -1, 3, 3) }, Of("conv2d_1"));
        Assert.Equal(MaxPoolingInput.PoolOrderedRows, Of("max_pooling2d_1").PoolingInput);
        // 3×3 output: one tile a sample; training takes Winograd from 9 samples, inference (its kernel transformed once) from 1.
        Assert.Equal(new LayerStrategy(ConvAlgorithm.WinogradF3, MaxPoolingInput.Image, new WinogradTiling(25, 3, 1, 36, 9, 1)), Of("conv2d_2"));
        Assert.All(plan.Layers.Where(l => l.Kind is Kind.Flatten or Kind.Dense), l => Assert.Equal(LayerStrategy.Plain, l.Strategy));
    }
}
