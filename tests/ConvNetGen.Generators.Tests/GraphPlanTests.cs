using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Tests.Infrastructure;
using Kind = ConvNetGen.Generators.Model.LayerKind;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// What the plan decides about the graph (<see cref="LayerPlan.Consumers"/>, gradient branches, live layers, the
/// output's Softmax) and how it limits fusion: a conv is fused with or ordered for a max pooling only when the pooling
/// is its sole reader.
/// </summary>
public class GraphPlanTests
{
    private static ModelPlan Plan(string source)
    {
        var run = GeneratorHarness.Run(source);
        run.AssertOutputCompilesCleanly();
        return Assert.Single(run.Plans);
    }

    private static LayerPlan Layer(ModelPlan plan, string name) => plan.Layers.Single(l => l.Name == name);

    [Fact]
    public void A_tensor_read_twice_has_two_consumers_and_one_gradient_branch()
    {
        var plan = Plan(TestModels.Residual);
        Assert.False(plan.IsSequential);
        var stem = Layer(plan, "stem");
        Assert.Equal(new[] { "layer1_0/conv1", "layer1_0/add" }, stem.Consumers.Select(i => plan.Layers[i].Name));
        // The first reader writes a branch of stem's gradient, the last (which runs its backward first) stem's own.
        Assert.Equal(1, Layer(plan, "layer1_0/conv1").InputGradientBranches[0]);
        Assert.Equal(new[] { 0, 0 }, Layer(plan, "layer1_0/add").InputGradientBranches);
        Assert.Contains(plan.Workspace.Buffers, b => b.Name == "StemGradient1" && b.TrainingOnly);

        // The block's output answers to the include's name, and both global poolings read it.
        var relu2 = Layer(plan, "layer2_0/relu2");
        Assert.Equal(new[] { "avg", "max" }, relu2.Consumers.Select(i => plan.Layers[i].Name));
        Assert.Equal(new[] { "avg", "max" }, Layer(plan, "features").InputNames);
    }

    [Fact]
    public void Scoped_names_and_block_numbers_are_resolved()
    {
        var plan = Plan(TestModels.Residual);
        var conv1 = Layer(plan, "layer2_0/conv1");
        Assert.Equal(16, conv1.OutputShape[2]);                                   // Filters = 16
        Assert.Equal(new[] { 3, 3, 8, 16 }, conv1.Weights[0].Shape);
        var shortcut = Layer(plan, "layer2_0/downsample_0");
        Assert.Equal(new[] { "layer1_0/relu2" }, shortcut.InputNames);            // Block.Input: what arrives at the include
        Assert.Equal(new[] { 6, 6, 16 }, shortcut.OutputShape);                  // Strides = 2
        Assert.Equal("Layer20Downsample0", shortcut.Identifier);
    }

    [Fact]
    public void A_conv_read_by_more_than_its_pooling_is_neither_fused_nor_pool_ordered()
    {
        var plan = Plan("""
            using ConvNetGen;
            [Input(12, 12, 1)]
            [Conv2D(8, 3, Activation = Activation.ReLU, Name = "conv")]
            [MaxPooling2D(2, Name = "pool")]
            [Flatten(Name = "a")]
            [GlobalAveragePooling2D(Input = "conv", Name = "side")]
            [Concatenate("a", "side")]
            [Dense(3)]
            public partial class Shared;
            """);
        Assert.Equal(ConvAlgorithm.Im2colGemm, Layer(plan, "conv").Strategy.Conv);
        Assert.Equal(MaxPoolingInput.Image, Layer(plan, "pool").Strategy.PoolingInput);

        // The same pair with the pooling its only reader is fused, as in a stack.
        var alone = Plan("""
            using ConvNetGen;
            [Input(12, 12, 1)]
            [Conv2D(8, 3, Activation = Activation.ReLU, Name = "conv")]
            [MaxPooling2D(2, Name = "pool")]
            [Flatten(Name = "a")]
            [GlobalAveragePooling2D(Input = "pool", Name = "side")]
            [Concatenate("a", "side")]
            [Dense(3)]
            public partial class Sole;
            """);
        Assert.Equal(ConvAlgorithm.FusedWithMaxPool, Layer(alone, "conv").Strategy.Conv);
        Assert.Equal(MaxPoolingInput.ComputedByConv, Layer(alone, "pool").Strategy.PoolingInput);
    }

    [Fact]
    public void Fusion_looks_at_ancestors_not_at_the_layers_written_above()
    {
        // A trainable conv above, on another branch, does not stop the fused pass (which computes no input gradient):
        // nothing the fused conv depends on has weights.
        var plan = Plan("""
            using ConvNetGen;
            [Input(12, 12, 1)]
            [Conv2D(4, 3, Name = "other")]
            [Conv2D(8, 3, Activation = Activation.ReLU, Input = "input_layer", Name = "conv")]
            [MaxPooling2D(2, Name = "pool")]
            [GlobalAveragePooling2D(Name = "a")]
            [GlobalAveragePooling2D(Input = "other", Name = "b")]
            [Concatenate("a", "b")]
            [Dense(3)]
            public partial class Branches;
            """);
        Assert.Equal(ConvAlgorithm.FusedWithMaxPool, Layer(plan, "conv").Strategy.Conv);
    }

    [Fact]
    public void Unused_layers_are_not_live_and_not_consumers()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(4, 3, Name = "conv")]
            [Conv2D(4, 1, Input = "conv", Name = "forgotten")]
            [Flatten(Input = "conv")]
            [Dense(2)]
            public partial class Dangling;
            """);
        var plan = Assert.Single(run.Plans);
        Assert.False(Layer(plan, "forgotten").IsLive);
        Assert.True(Layer(plan, "conv").IsLive);
        Assert.Equal(new[] { "flatten" }, Layer(plan, "conv").Consumers.Select(i => plan.Layers[i].Name));
    }

    [Fact]
    public void Only_the_output_leaves_its_softmax_to_the_loss()
    {
        var plan = Plan(TestModels.Residual);
        Assert.True(plan.Output.SoftmaxFusedIntoLoss);
        Assert.All(plan.Layers.Take(plan.Layers.Count - 1), l => Assert.False(l.SoftmaxFusedIntoLoss));
        Assert.Equal(Kind.Dense, plan.Output.Kind);
    }
}
