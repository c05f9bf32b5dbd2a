using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Tests.Infrastructure;
using Kind = ConvNetGen.Generators.Model.LayerKind;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// Which layers a Conv2D folds in at inference (<see cref="LayerStrategy.Fold"/>): a linear conv read only by a
/// BatchNormalization takes it in, and a ReLU read only by that BatchNormalization too; an F(4×4) Winograd conv read
/// only by a 2×2 max pooling pools in its output transform; anything else keeps its own forward. Every case's
/// generated code must compile cleanly.
/// </summary>
public class FoldTests
{
    private static string Model(string layers, string input = "[Input(10, 10, 8)]") => $$"""
        using ConvNetGen;
        namespace Demo;
        {{input}}
        {{layers}}
        [Flatten]
        [Dense(3)]
        public partial class Net;
        """;

    private static ModelPlan Plan(string source, out GeneratorRun run)
    {
        run = GeneratorHarness.Run(source);
        run.AssertOutputCompilesCleanly();
        return Assert.Single(run.Plans);
    }

    private static ModelPlan Plan(string source) => Plan(source, out _);

    [Theory]
    [InlineData("[Conv2D(8, 3, Padding = Padding.Same, UseBias = false)] [BatchNormalization] [Activation(Activation.ReLU)]", "WinogradF3")]
    [InlineData("[Conv2D(8, 3, Strides = 2)] [BatchNormalization] [Activation(Activation.ReLU)]", "Im2colGemm")]
    [InlineData("[Conv2D(8, 1)] [BatchNormalization] [Activation(Activation.ReLU)]", "Im2colGemm")]
    public void A_linear_conv_folds_in_the_BatchNormalization_and_the_ReLU_after_it(string layers, string algorithm)
    {
        var plan = Plan(Model(layers), out var run);
        var conv = plan.Layers[0];
        Assert.Equal(algorithm, conv.Strategy.Conv.ToString());
        Assert.Equal(new InferenceFold(1, 2, 2), conv.Strategy.Fold);
        Assert.Equal(0, plan.Layers[1].Strategy.FoldedInto);
        Assert.Equal(0, plan.Layers[2].Strategy.FoldedInto);
        Assert.Equal(-1, plan.Layers[3].Strategy.FoldedInto);
        Assert.Contains("weights = FoldedKernel(0, weights, bias,", run.SingleSource.Text);
        Assert.Contains("output = ws.ActivationLayerOutput.AsSpan(0, rows * OC);", run.SingleSource.Text);
        // An inference workspace holds neither the conv's output nor the BatchNormalization's; training holds both.
        var buffers = plan.Workspace.Buffers.ToDictionary(b => b.Name);
        Assert.True(buffers["Conv2dOutput"].TrainingOnly);
        Assert.True(buffers["BatchNormalizationOutput"].TrainingOnly);
        Assert.False(buffers["ActivationLayerOutput"].TrainingOnly);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(run.SingleSource.Text, @"if \(!ws\.IsTraining\) return; // at inference conv2d computes this layer too").Count);
    }

    [Fact]
    public void Without_a_ReLU_after_it_the_conv_writes_the_BatchNormalization_output()
    {
        var plan = Plan(Model("[Conv2D(8, 3, Padding = Padding.Same)] [BatchNormalization] [Activation(Activation.Tanh)]"));
        Assert.Equal(new InferenceFold(1, -1, 1), plan.Layers[0].Strategy.Fold);
        Assert.Equal(-1, plan.Layers[2].Strategy.FoldedInto);
        var buffers = plan.Workspace.Buffers.ToDictionary(b => b.Name);
        Assert.True(buffers["Conv2dOutput"].TrainingOnly);
        Assert.False(buffers["BatchNormalizationOutput"].TrainingOnly);
    }

    [Theory]
    [InlineData("[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU)] [BatchNormalization]")]   // the activation comes before the scale
    [InlineData("[Conv2D(8, 3, Activation = Activation.Tanh)] [MaxPooling2D(2)] [BatchNormalization]")]     // not the conv's reader
    [InlineData("[Conv2D(8, 3, Name = \"c\")] [BatchNormalization] [Add(\"batch_normalization\", \"c\")]")]        // the conv's output is read twice
    [InlineData("[Conv2D(8, 3)] [Dropout(0.5)] [BatchNormalization] [Activation(Activation.ReLU)]")]
    [InlineData("[GlobalAveragePooling2D] [Dense(8)] [BatchNormalization] [Activation(Activation.ReLU)]")]
    public void Other_convs_and_BatchNormalizations_keep_their_own_forwards(string layers)
    {
        var plan = Plan(Model(layers));
        Assert.All(plan.Layers, l => Assert.Null(l.Strategy.Fold));
        Assert.All(plan.Layers, l => Assert.Equal(-1, l.Strategy.FoldedInto));
        Assert.DoesNotContain(plan.Workspace.Buffers, b => b.Name.EndsWith("Output") && b.TrainingOnly);
    }

    [Theory]
    [InlineData("[Conv2D(8, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", "[Input(10, 10, 8)]", "WinogradF4", "WinogradF4")]          // valid: 8×8, 2×2 tiles
    [InlineData("[Conv2D(16, 3, Padding = Padding.Same)] [MaxPooling2D(2, Strides = 2)]", "[Input(16, 16, 8)]", "WinogradF4", "WinogradF4")] // same, linear
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2)]", "[Input(11, 11, 8)]", "WinogradF2PoolOrdered", "Winograd")]                               // 9×9: the pooling reads 8×8, a tile a window
    [InlineData("[Conv2D(64, 3, Activation = Activation.ReLU)] [MaxPooling2D(2)]", "[Input(13, 13, 32)]", "WinogradF2PoolOrdered", "Winograd")] // the reference model's conv2d_1
    public void A_Winograd_conv_read_only_by_a_2x2_max_pooling_pools_in_its_output_transform(string layers, string input, string algorithm, string kernels)
    {
        var plan = Plan(Model(layers, input), out var run);
        Assert.Equal(System.Enum.Parse<ConvAlgorithm>(algorithm), plan.Layers[0].Strategy.Conv);
        Assert.Equal(new InferenceFold(-1, -1, 1, 1), plan.Layers[0].Strategy.Fold);
        Assert.Equal(0, plan.Layers[1].Strategy.FoldedInto);
        Assert.Matches($@"global::ConvNetGen\.Kernels\.{kernels}\.ForwardBlock\(.*pooled: true", run.SingleSource.Text);
        Assert.Contains("if (!ws.IsTraining) return; // at inference conv2d computes this layer too", run.SingleSource.Text);
        // At inference the conv writes the pooling's output; its own, four times as large, exists in training only.
        var buffers = plan.Workspace.Buffers.ToDictionary(b => b.Name);
        Assert.True(buffers["Conv2dOutput"].TrainingOnly);
        Assert.False(buffers["MaxPooling2dOutput"].TrainingOnly);
    }

    [Theory]
    [InlineData("[Conv2D(8, 3, Activation = Activation.Tanh)] [MaxPooling2D(2)]", "[Input(10, 10, 8)]")]  // an activation the transform does not apply
    [InlineData("[Conv2D(8, 3)] [MaxPooling2D(2, Strides = 1)]", "[Input(10, 10, 8)]")]                   // overlapping windows
    [InlineData("[Conv2D(8, 3)] [AveragePooling2D(2)]", "[Input(10, 10, 8)]")]                            // not a max
    public void Other_poolings_after_a_conv_keep_their_own_forwards(string layers, string input)
    {
        var plan = Plan(Model(layers, input));
        Assert.All(plan.Layers, l => Assert.Null(l.Strategy.Fold));
        Assert.All(plan.Layers, l => Assert.Equal(-1, l.Strategy.FoldedInto));
    }

    [Theory]
    [InlineData("[Activation(Activation.ReLU)] [ZeroPadding2D(1, 0, 1, 0)] [MaxPooling2D(3, Strides = 2)]", 1, 2)] // ResNet18's stem, as imported
    [InlineData("[Conv2D(4, 1, Activation = Activation.ReLU)] [ZeroPadding2D(1)] [MaxPooling2D(2)]", 1, 2)]     // a 2×2 pooling too
    public void A_max_pooling_of_a_padded_ReLU_output_reads_it_unpadded_at_inference(string layers, int padIndex, int poolIndex)
    {
        var plan = Plan(Model(layers), out var run);
        Assert.Equal(new InferenceFold(-1, -1, poolIndex, Padding: padIndex), plan.Layers[poolIndex].Strategy.Fold);
        Assert.Equal(poolIndex, plan.Layers[padIndex].Strategy.FoldedInto);
        Assert.Contains("global::ConvNetGen.Kernels.MaxPoolWindows.Forward(ws.", run.SingleSource.Text);
        // The padded copy exists in training only.
        Assert.True(plan.Workspace.Buffers.Single(b => b.Name == plan.Layers[padIndex].Identifier + "Output").TrainingOnly);
    }

    [Theory]
    [InlineData("[Activation(Activation.Tanh)] [ZeroPadding2D(1)] [MaxPooling2D(3, Strides = 2)]")]          // may be negative: the zeros could win
    [InlineData("[Activation(Activation.ReLU)] [ZeroPadding2D(3)] [MaxPooling2D(3, Strides = 2)]")]          // the first window sees only zeros
    [InlineData("[Activation(Activation.ReLU)] [ZeroPadding2D(1)] [AveragePooling2D(3, Strides = 2)]")]      // zeros count in an average
    [InlineData("[Activation(Activation.ReLU)] [ZeroPadding2D(1)] [MaxPooling2D(3, Strides = 2, Padding = Padding.Same)]")]
    public void Other_paddings_before_a_pooling_stay_as_written(string layers)
    {
        var plan = Plan(Model(layers));
        Assert.All(plan.Layers, l => Assert.Null(l.Strategy.Fold));
        Assert.All(plan.Layers, l => Assert.Equal(-1, l.Strategy.FoldedInto));
    }

    [Fact]
    public void A_BatchNormalization_read_twice_is_folded_but_not_the_ReLU_after_it()
    {
        var plan = Plan(Model("""
            [Conv2D(8, 3, Padding = Padding.Same, Name = "c")]
            [BatchNormalization(Name = "bn")]
            [Activation(Activation.ReLU, Name = "r")]
            [Add("r", "bn", Name = "sum")]
            """));
        // bn is read by r and by sum: the ReLU stays its own layer, bn is folded and its output written by the conv.
        Assert.Equal(new InferenceFold(1, -1, 1), plan.Layers[0].Strategy.Fold);
        Assert.Equal(-1, plan.Layers[2].Strategy.FoldedInto);
    }

    [Fact]
    public void An_Add_read_only_by_a_ReLU_applies_it_as_it_stores()
    {
        var plan = Plan(Model("""
            [Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "a")]
            [Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "b")]
            [Add("a", "b", Name = "sum")]
            [Activation(Activation.ReLU, Name = "r")]
            """), out var run);
        Assert.Equal(new InferenceFold(-1, 3, 3), plan.Layers[2].Strategy.Fold);
        Assert.Equal(2, plan.Layers[3].Strategy.FoldedInto);
        var buffers = plan.Workspace.Buffers.ToDictionary(b => b.Name);
        Assert.True(buffers["SumOutput"].TrainingOnly);
        Assert.False(buffers["ROutput"].TrainingOnly);
        Assert.Contains("global::System.Span<float> output = folded ? ws.ROutput.AsSpan(0, n) : ws.SumOutput.AsSpan(0, n);", run.SingleSource.Text);
        Assert.Contains("if (!ws.IsTraining) return; // at inference sum computes this layer too", run.SingleSource.Text);
    }
}
