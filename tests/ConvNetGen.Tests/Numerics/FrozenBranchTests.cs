namespace ConvNetGen.Tests.Numerics;

/// <summary>The backward flags a generated graph backward reads, exposed for the tests.</summary>
internal partial class GradResidualIdentity
{
    public bool[] InputGradients() => Enumerable.Range(0, Layers.Count).Select(ComputesInputGradient).ToArray();

    public bool[] Backwards() => Enumerable.Range(0, Layers.Count).Select(RunsBackward).ToArray();
}

/// <summary>
/// Frozen layers in a graph (GradResidualIdentity): a frozen branch, a frozen stem whose output two layers read, and
/// everything below the Add frozen. Frozen layers get exactly zero gradients, every other gradient is the reference's
/// (a frozen BatchNormalization in inference mode), and layers with nothing trainable below them skip their input
/// gradients.
/// </summary>
public class FrozenBranchTests
{
    private const int Batch = 3;

    // GradResidualIdentity: 0 stem, 1 conv1, 2 bn1, 3 relu1, 4 conv2, 5 add (conv2 + stem), 6 out_act, 7 flatten, 8 head.
    private const int Stem = 0, Conv1 = 1, Bn1 = 2, Conv2 = 4, Add = 5, Head = 8;

    private static readonly ModelArchitecture Architecture = GradResidualIdentity.Architecture;

    private static float[] Gradients(params int[] frozen)
    {
        var model = new GradResidualIdentity(seed: 1);
        NumericsKit.Randomize(model, 2);
        foreach (int i in frozen) model.Layers[i].Trainable = false;
        var x = NumericsKit.Uniform(Batch * Architecture.InputShape.ElementCount, 3);
        var r = NumericsKit.Uniform(Batch * Architecture.OutputShape.ElementCount, 4);
        var gradients = new float[Architecture.ParameterCount];
        model.BackwardPass(x, r, gradients);
        return gradients;
    }

    private static void AssertZero(float[] gradients, int layer, string what)
    {
        foreach (var weight in Architecture.Layers[layer].Weights)
            for (int i = weight.Offset; i < weight.Offset + weight.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(gradients[i]) == 0,
                    $"{what}: {NumericsKit.ParameterName(Architecture, i)} is frozen but has gradient {gradients[i]}");
    }

    [Fact]
    public void The_model_and_its_layer_indices_are_as_the_tests_assume()
    {
        Assert.Equal(["stem", "conv1", "bn1", "relu1", "conv2", "add", "out_act", "flatten", "head"], Architecture.Layers.Select(l => l.Name));
        Assert.Equal([Conv2, Stem], Architecture.Layers[Add].InputIndices);
        Assert.Equal([Conv1, Add], Architecture.Consumers(Stem));
    }

    /// <summary>Without a BatchNormalization among them, freezing changes nothing else, bit for bit.</summary>
    [Theory]
    [InlineData(Conv2)]                 // on the branch: the stem still gets its gradient through conv2's input gradient
    [InlineData(Conv1)]
    [InlineData(Conv1, Conv2)]          // the branch's weights (bn1 still training)
    [InlineData(Stem)]                  // read by two layers, neither of which needs to pass anything down any more
    [InlineData(Head)]
    [InlineData(Stem, Conv1, Conv2)]
    [InlineData(3, Add, 6, 7)]          // layers without weights: nothing changes
    public void Frozen_layers_get_zero_gradients_and_the_rest_are_unchanged(params int[] frozen)
    {
        var all = Gradients();
        var some = Gradients(frozen);
        foreach (var layer in Architecture.Layers)
            foreach (var weight in layer.Weights)
                for (int i = weight.Offset; i < weight.Offset + weight.Length; i++)
                {
                    float expected = frozen.Contains(layer.Index) ? 0f : all[i];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(some[i]),
                        $"{NumericsKit.ParameterName(Architecture, i)} with layers {string.Join(", ", frozen)} frozen: {some[i]}, expected {expected}");
                }
        Assert.Contains(all, g => g != 0);
    }

    /// <summary>
    /// Against the float64 reference with the same layers frozen (a frozen bn1 in inference mode there too), and the
    /// reference against central differences of the parameters that still train.
    /// </summary>
    [Theory]
    [InlineData(Conv1, Bn1, Conv2)]       // the whole branch: only the shortcut and the stem's own path train below the Add
    [InlineData(Bn1)]
    [InlineData(Stem)]
    [InlineData(Stem, Conv1, Bn1, Conv2)] // everything below the Add: only the head trains
    public void Frozen_layers_give_the_reference_gradient(params int[] frozen)
    {
        var model = new GradResidualIdentity(seed: 1);
        foreach (int i in frozen) model.Layers[i].Trainable = false;
        var reference = TestReferences.ResidualIdentity();
        ((RefBatchNormalization)reference.Ops[Bn1]).Frozen = frozen.Contains(Bn1);
        var result = GradientCheck.Run(model, reference, Batch, seed: 1, frozen: frozen.ToHashSet());
        Assert.True(result.Margins.Smallest > GradientCheck.MinimumKinkMargin, "pick another seed");

        var numeric = result.Numeric;
        foreach (int i in frozen) numeric = BatchNormalizationTests.Masked(numeric, Architecture.Layers[i]);
        GradientCheck.AssertReferenceAgrees(result with { Numeric = numeric });
        GradientCheck.AssertAgrees(Architecture, result.Generated, numeric, $"layers {string.Join(", ", frozen)} frozen");
        foreach (int i in frozen) AssertZero(result.Generated, i, $"layers {string.Join(", ", frozen)} frozen");
        Assert.Contains(result.Generated, g => g != 0);
    }

    [Fact]
    public void A_frozen_batch_normalization_on_the_branch_runs_in_inference_mode()
    {
        var model = new GradResidualIdentity(seed: 1);
        NumericsKit.Randomize(model, 5);
        model["bn1"].Trainable = false;
        var before = model.Parameters.ToArray();
        var x = NumericsKit.Uniform(Batch * Architecture.InputShape.ElementCount, 6);
        var output = new float[Batch * Architecture.OutputShape.ElementCount];
        model.ForwardPass(x, output, training: true);

        var reference = TestReferences.ResidualIdentity();
        var xd = NumericsKit.ToDouble(x);
        var p = NumericsKit.ToDouble(before);
        ((RefBatchNormalization)reference.Ops[Bn1]).Frozen = true;
        NumericsKit.AssertClose(output, reference.Forward(xd, Batch, p, training: true), NumericsKit.ForwardTolerance, "frozen bn1, training pass");
        Assert.Equal(before, model.Parameters.ToArray()); // its moving statistics did not move

        // And it is not the training-mode output: the check above could tell the two apart.
        ((RefBatchNormalization)reference.Ops[Bn1]).Frozen = false;
        var batchStatistics = reference.Forward(xd, Batch, p, training: true);
        Assert.ThrowsAny<Exception>(() => NumericsKit.AssertClose(output, batchStatistics, NumericsKit.ForwardTolerance, "bn1 in training mode"));
    }

    [Fact]
    public void Layers_with_nothing_trainable_below_them_pass_no_gradient_down()
    {
        var model = new GradResidualIdentity(seed: 1);
        //                   stem   conv1  bn1   relu1 conv2 add   out_act flatten head
        Assert.Equal([false, true, true, true, true, true, true, true, true], model.InputGradients()); // the stem reads only the input
        Assert.All(model.Backwards(), Assert.True);

        model["stem"].Trainable = false; // conv1 reads only the stem: it has nothing to pass down; the Add still does (conv1, bn1 and conv2 train)
        Assert.Equal([false, false, true, true, true, true, true, true, true], model.InputGradients());
        Assert.Equal([false, true, true, true, true, true, true, true, true], model.Backwards());

        foreach (var name in new[] { "conv1", "bn1", "conv2" }) model[name].Trainable = false; // everything below the Add
        Assert.Equal([false, false, false, false, false, false, false, false, false], model.InputGradients());
        Assert.Equal([false, false, false, false, false, false, false, false, true], model.Backwards()); // only the head's weights

        model["stem"].Trainable = true; // the stem trains again: every layer above it passes its gradient down, the frozen convs included
        Assert.Equal([false, true, true, true, true, true, true, true, true], model.InputGradients());
        Assert.Equal([true, true, true, true, true, true, true, true, true], model.Backwards());

        model["head"].Trainable = false;
        Assert.Equal([true, true, true, true, true, true, true, true, true], model.Backwards()); // the head still passes the stem's gradient down
    }

    [Fact]
    public void With_every_layer_frozen_every_gradient_is_zero()
    {
        var gradients = Gradients(Enumerable.Range(0, Architecture.Layers.Count).ToArray());
        Assert.All(gradients, g => Assert.Equal(0f, g));
    }
}

/// <summary>Fine-tuning the ResNet-8: the stem and stage 1 frozen (their batch normalizations in inference mode).</summary>
public class FrozenResNetTests
{
    [Fact]
    public void Freezing_the_stem_and_stage1_gives_the_reference_gradient_and_skips_their_input_gradients()
    {
        const int Batch = 3;
        var architecture = Data.FashionResNet8.Architecture;
        int firstTrained = architecture["stage2/conv1"].Index;
        var frozen = Enumerable.Range(0, firstTrained).ToHashSet();
        var model = new Data.FashionResNet8(seed: 3);
        NumericsKit.Randomize(model, 4);
        foreach (int i in frozen) model.Layers[i].Trainable = false;
        var reference = Data.FashionMnistResNetTests.Reference();
        foreach (int i in frozen)
            if (reference.Ops[i] is RefBatchNormalization bn) bn.Frozen = true;

        var x = NumericsKit.Uniform(Batch * reference.InputSize, 5, 0, 1);
        var r = NumericsKit.Uniform(Batch * reference.OutputSize, 6);
        var p = NumericsKit.ToDouble(model.Parameters);
        var before = model.Parameters.ToArray();
        var generated = new float[p.Length];
        model.BackwardPass(x, r, generated);
        var analytic = reference.Gradient(NumericsKit.ToDouble(x), Batch, p, NumericsKit.ToDouble(r), frozen: frozen);
        GradientCheck.AssertAgrees(architecture, generated, analytic, "ResNet-8 with the stem and stage 1 frozen");
        foreach (int i in frozen)
            for (int j = architecture.Layers[i].ParameterOffset; j < architecture.Layers[i].ParameterOffset + architecture.Layers[i].ParameterCount; j++)
                Assert.True(generated[j] == 0, $"{NumericsKit.ParameterName(architecture, j)} is frozen but has gradient {generated[j]}");
        // The frozen batch normalizations kept their moving statistics (inference mode); the others moved.
        for (int i = 0; i < architecture.Layers.Count; i++)
            foreach (var weight in architecture.Layers[i].Weights.Where(w => !w.IsTrainableVariable))
            {
                bool same = model.Parameters.Slice(weight.Offset, weight.Length).SequenceEqual(before.AsSpan(weight.Offset, weight.Length));
                Assert.True(same == frozen.Contains(i), $"{architecture.Layers[i].Name}/{weight.Name} {(same ? "did not move" : "moved")}");
            }

        Assert.All(Enumerable.Range(0, firstTrained), i => Assert.False(model.ComputesInputGradientOf(i), architecture.Layers[i].Name));
        Assert.All(Enumerable.Range(0, firstTrained), i => Assert.False(model.RunsBackwardOf(i), architecture.Layers[i].Name));
        Assert.False(model.ComputesInputGradientOf(firstTrained)); // stage2/conv1 and the projection read stage 1's frozen output
        Assert.False(model.ComputesInputGradientOf(architecture["stage2/downsample"].Index));
        Assert.True(model.RunsBackwardOf(firstTrained));
        Assert.True(model.ComputesInputGradientOf(architecture["stage2/bn1"].Index));
    }
}
