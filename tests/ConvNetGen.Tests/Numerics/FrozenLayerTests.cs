namespace ConvNetGen.Tests.Numerics;

/// <summary>Frozen layers: exactly zero gradients for their weights, and every other gradient as if nothing were frozen.</summary>
public class FrozenLayerTests
{
    private const int Batch = 3;

    /// <summary>FreezeNet's gradients with the given layers frozen, from the same parameters, inputs and r every time.</summary>
    private static float[] Gradients(params int[] frozen)
    {
        var model = new FreezeNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        foreach (int i in frozen) model.Layers[i].Trainable = false;
        var x = NumericsKit.Uniform(Batch * FreezeNet.Architecture.InputShape.ElementCount, 3);
        var r = NumericsKit.Uniform(Batch * FreezeNet.Architecture.OutputShape.ElementCount, 4);
        var gradients = new float[FreezeNet.Architecture.ParameterCount];
        model.BackwardPass(x, r, gradients);
        return gradients;
    }

    [Fact]
    public void The_unfrozen_gradients_are_right()
    {
        var result = GradientCheck.Run(new FreezeNet(seed: 1), TestReferences.Freeze(), Batch, seed: 2);
        Assert.True(result.Margins.Smallest > GradientCheck.MinimumKinkMargin, "pick another seed");
        GradientCheck.AssertReferenceAgrees(result);
        GradientCheck.AssertAgrees(result.Architecture, result.Generated, result.Numeric, "FreezeNet");
    }

    // FreezeNet: 0 conv2d, 1 batch_normalization, 2 conv2d_1, 3 max_pooling2d, 4 flatten, 5 dense. BatchNormalization
    // is left out: freezing it also switches it to inference mode, which changes the others (BatchNormalizationTests).
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(0, 2)]
    [InlineData(2, 5)]
    [InlineData(0, 5)]
    [InlineData(3, 4)] // layers without weights: nothing changes
    public void Frozen_layers_get_zero_gradients_and_the_rest_are_unchanged(params int[] frozen)
    {
        var all = Gradients();
        var some = Gradients(frozen);
        foreach (var layer in FreezeNet.Architecture.Layers)
            foreach (var weight in layer.Weights)
                for (int i = weight.Offset; i < weight.Offset + weight.Length; i++)
                {
                    float expected = frozen.Contains(layer.Index) ? 0f : all[i];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(some[i]),
                        $"{NumericsKit.ParameterName(FreezeNet.Architecture, i)} with layers {string.Join(", ", frozen)} frozen: {some[i]}, expected {expected}");
                }
        Assert.Contains(all, g => g != 0);
    }

    [Fact]
    public void With_every_layer_frozen_every_gradient_is_zero()
    {
        var gradients = Gradients(Enumerable.Range(0, FreezeNet.Architecture.Layers.Count).ToArray());
        Assert.All(gradients, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Unfreezing_restores_the_gradients()
    {
        var model = new FreezeNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        var before = model.Parameters.ToArray();
        var x = NumericsKit.Uniform(Batch * FreezeNet.Architecture.InputShape.ElementCount, 3);
        var r = NumericsKit.Uniform(Batch * FreezeNet.Architecture.OutputShape.ElementCount, 4);
        var first = new float[before.Length];
        var again = new float[before.Length];

        model.BackwardPass(x, r, first);
        before.CopyTo(model.Parameters);
        model["conv2d_1"].Trainable = false;
        model.BackwardPass(x, r, again);
        before.CopyTo(model.Parameters);
        model["conv2d_1"].Trainable = true;
        model.BackwardPass(x, r, again);
        Assert.Equal(first, again);
    }
}
