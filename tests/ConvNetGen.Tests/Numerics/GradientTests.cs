using ConvNetGen.Tests.Augmentation;

namespace ConvNetGen.Tests.Numerics;

/// <summary>
/// For each layer kind and activation, a small model (see TestModels.cs) whose every parameter gradient from the
/// generated BackwardPass matches central differences of the float64 reference, with L = Σ r·output.
/// </summary>
public class GradientTests
{
    /// <summary>Each gradient-check model with its hand-written reference, mirroring its attributes.</summary>
    private static readonly Dictionary<string, (Func<Model> Create, Func<ReferenceModel> Reference)> Models = new()
    {
        ["ConvValid"] = (() => new GradConvValid(seed: 1), () => ReferenceModel.Of(GradConvValid.Architecture,
            new RefConv2D(3, 3, 3, activation: Activation.Tanh),
            new RefConv2D(2, 2, 2))),
        ["ConvSame"] = (() => new GradConvSame(seed: 1), () => ReferenceModel.Of(GradConvSame.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefConv2D(2, 4, 4, padding: Padding.Same, activation: Activation.Sigmoid),
            new RefConv2D(2, 2, 3, padding: Padding.Same))),
        ["ConvStrided"] = (() => new GradConvStrided(seed: 1), () => ReferenceModel.Of(GradConvStrided.Architecture,
            new RefConv2D(3, 3, 3, 2, 2, Padding.Same),
            new RefConv2D(3, 2, 2, 1, 2, Padding.Same, Activation.Tanh),
            new RefConv2D(2, 2, 2, 2, 2))),
        ["ConvNoBias"] = (() => new GradConvNoBias(seed: 1), () => ReferenceModel.Of(GradConvNoBias.Architecture,
            new RefConv2D(3, 3, 3, activation: Activation.ReLU, useBias: false),
            new RefConv2D(2, 2, 2, useBias: false))),
        ["ConvRectangular"] = (() => new GradConvRectangular(seed: 1), () => ReferenceModel.Of(GradConvRectangular.Architecture,
            new RefConv2D(3, 1, 3),
            new RefConv2D(2, 3, 1, padding: Padding.Same, activation: Activation.Tanh),
            new RefConv2D(2, 1, 3, 2, 2, Padding.Same))),
        ["MaxPoolValid"] = (() => new GradMaxPoolValid(seed: 1), () => ReferenceModel.Of(GradMaxPoolValid.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefPooling2D(max: true, 2, 2),
            new RefFlatten(),
            new RefDense(3))),
        ["MaxPoolSame"] = (() => new GradMaxPoolSame(seed: 1), () => ReferenceModel.Of(GradMaxPoolSame.Architecture,
            new RefConv2D(3, 2, 2),
            new RefPooling2D(max: true, 2, 2, padding: Padding.Same),
            new RefConv2D(2, 2, 2, padding: Padding.Same),
            new RefFlatten(),
            new RefDense(2))),
        ["MaxPoolOverlapping"] = (() => new GradMaxPoolOverlapping(seed: 1), () => ReferenceModel.Of(GradMaxPoolOverlapping.Architecture,
            new RefConv2D(3, 2, 2, padding: Padding.Same),
            new RefPooling2D(max: true, 3, 3, 1, 1),
            new RefConv2D(3, 2, 2, padding: Padding.Same),
            new RefPooling2D(max: true, 2, 3, strideHeight: 1, padding: Padding.Same),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvPoolFused"] = (() => new GradConvPoolFused(seed: 1), () => ReferenceModel.Of(GradConvPoolFused.Architecture,
            new RefConv2D(3, 2, 2, activation: Activation.ReLU),
            new RefPooling2D(max: true, 2, 2),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvPoolFusedAfterRescaling"] = (() => new GradConvPoolFusedAfterRescaling(seed: 1), () => ReferenceModel.Of(GradConvPoolFusedAfterRescaling.Architecture,
            new RefRescaling(0.5),
            new RefConv2D(20, 3, 3),
            new RefPooling2D(max: true, 2, 2),
            new RefConv2D(2, 2, 2),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvRowsByPoolWindow"] = (() => new GradConvRowsByPoolWindow(seed: 1), () => ReferenceModel.Of(GradConvRowsByPoolWindow.Architecture,
            new RefConv2D(2, 1, 1),
            new RefConv2D(3, 2, 2, activation: Activation.Tanh),
            new RefPooling2D(max: true, 3, 3),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinograd"] = (() => new GradConvWinograd(seed: 1), () => ReferenceModel.Of(GradConvWinograd.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, activation: Activation.Tanh),
            new RefPooling2D(max: true, 2, 2),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinogradF3"] = (() => new GradConvWinogradF3(seed: 1), () => ReferenceModel.Of(GradConvWinogradF3.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, activation: Activation.Tanh),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinogradSame"] = (() => new GradConvWinogradSame(seed: 1), () => ReferenceModel.Of(GradConvWinogradSame.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, padding: Padding.Same, activation: Activation.ReLU),
            new RefPooling2D(max: true, 2, 2),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinogradF3Same"] = (() => new GradConvWinogradF3Same(seed: 1), () => ReferenceModel.Of(GradConvWinogradF3Same.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, padding: Padding.Same, activation: Activation.Tanh),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinogradF4"] = (() => new GradConvWinogradF4(seed: 1), () => ReferenceModel.Of(GradConvWinogradF4.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, activation: Activation.Tanh),
            new RefFlatten(),
            new RefDense(2))),
        ["ConvWinogradF4Same"] = (() => new GradConvWinogradF4Same(seed: 1), () => ReferenceModel.Of(GradConvWinogradF4Same.Architecture,
            new RefConv2D(8, 1, 1),
            new RefConv2D(5, 3, 3, padding: Padding.Same, activation: Activation.ReLU),
            new RefPooling2D(max: true, 2, 2),
            new RefFlatten(),
            new RefDense(2))),
        ["BatchNormWide"] = (() => new GradBatchNormWide(seed: 1), () => ReferenceModel.Of(GradBatchNormWide.Architecture,
            new RefConv2D(19, 1, 1),
            new RefBatchNormalization(momentum: 0.8),
            new RefConv2D(2, 2, 2, activation: Activation.Tanh))),
        ["MaxPoolRectangular"] = (() => new GradMaxPoolRectangular(seed: 1), () => ReferenceModel.Of(GradMaxPoolRectangular.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefPooling2D(max: true, 2, 1),
            new RefConv2D(2, 1, 2))),
        ["AveragePoolSame"] = (() => new GradAveragePoolSame(seed: 1), () => ReferenceModel.Of(GradAveragePoolSame.Architecture,
            new RefConv2D(3, 2, 2),
            new RefPooling2D(max: false, 3, 3, 2, 2, Padding.Same),
            new RefConv2D(2, 2, 2, padding: Padding.Same),
            new RefFlatten(),
            new RefDense(2))),
        ["AveragePoolValidAndRectangular"] = (() => new GradAveragePoolValidAndRectangular(seed: 1), () => ReferenceModel.Of(GradAveragePoolValidAndRectangular.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefPooling2D(max: false, 2, 2),
            new RefPooling2D(max: false, 2, 3, 1, 1, Padding.Same),
            new RefConv2D(2, 1, 1))),
        ["GlobalAveragePool"] = (() => new GradGlobalAveragePool(seed: 1), () => ReferenceModel.Of(GradGlobalAveragePool.Architecture,
            new RefConv2D(4, 3, 3),
            new RefGlobalAveragePooling2D(),
            new RefDense(3, Activation.Tanh))),
        ["DenseLinear"] = (() => new GradDenseLinear(seed: 1), () => DenseReference(GradDenseLinear.Architecture, Activation.Linear)),
        ["DenseRelu"] = (() => new GradDenseRelu(seed: 1), () => DenseReference(GradDenseRelu.Architecture, Activation.ReLU)),
        ["DenseSigmoid"] = (() => new GradDenseSigmoid(seed: 1), () => DenseReference(GradDenseSigmoid.Architecture, Activation.Sigmoid)),
        ["DenseTanh"] = (() => new GradDenseTanh(seed: 1), () => DenseReference(GradDenseTanh.Architecture, Activation.Tanh)),
        ["DenseSoftmaxLast"] = (() => new GradDenseSoftmaxLast(seed: 1), () => ReferenceModel.Of(GradDenseSoftmaxLast.Architecture,
            new RefConv2D(2, 1, 1),
            new RefFlatten(),
            new RefDense(5, Activation.Tanh),
            new RefDense(4, Activation.Softmax))),
        ["DenseSoftmaxInside"] = (() => new GradDenseSoftmaxInside(seed: 1), () => ReferenceModel.Of(GradDenseSoftmaxInside.Architecture,
            new RefConv2D(2, 1, 1),
            new RefFlatten(),
            new RefDense(5, Activation.Softmax),
            new RefDense(3, useBias: false))),
        ["ConvSoftmaxInside"] = (() => new GradConvSoftmaxInside(seed: 1), () => ReferenceModel.Of(GradConvSoftmaxInside.Architecture,
            new RefConv2D(3, 3, 3, activation: Activation.Softmax),
            new RefConv2D(2, 2, 2))),
        ["ConvSoftmaxLast"] = (() => new GradConvSoftmaxLast(seed: 1), () => ReferenceModel.Of(GradConvSoftmaxLast.Architecture,
            new RefConv2D(2, 2, 2),
            new RefConv2D(3, 2, 2, activation: Activation.Softmax))),
        ["FlatInput"] = (() => new GradFlatInput(seed: 1), () => ReferenceModel.Of(GradFlatInput.Architecture,
            new RefDense(4, Activation.Sigmoid),
            new RefDense(2, useBias: false))),
        ["BatchNormConv"] = (() => new GradBatchNormConv(seed: 1), () => ReferenceModel.Of(GradBatchNormConv.Architecture,
            new RefConv2D(3, 3, 3),
            new RefBatchNormalization(),
            new RefConv2D(2, 2, 2, activation: Activation.Tanh))),
        ["BatchNormDense"] = (() => new GradBatchNormDense(seed: 1), () => ReferenceModel.Of(GradBatchNormDense.Architecture,
            new RefFlatten(),
            new RefDense(4),
            new RefBatchNormalization(momentum: 0.8, epsilon: 0.01),
            new RefDense(3))),
        ["DropoutZero"] = (() => new GradDropoutZero(seed: 1), () => ReferenceModel.Of(GradDropoutZero.Architecture,
            new RefConv2D(3, 3, 3),
            new RefDropout(0.0),
            new RefFlatten(),
            new RefDense(3))),
        // Augmentation layers in training mode above a trainable conv: the reference follows the first workspace's draws.
        ["RandomFlip"] = (() => new GradRandomFlip(seed: 1), () => ReferenceModel.Of(GradRandomFlip.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomFlip(AugmentationDraws.FirstWorkspace(1, 64), RandomFlipMode.HorizontalAndVertical),
            new RefConv2D(2, 2, 2))),
        ["RandomTranslation"] = (() => new GradRandomTranslation(seed: 1), () => ReferenceModel.Of(GradRandomTranslation.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomTranslation(AugmentationDraws.FirstWorkspace(1, 64), 0.4, 0.5),
            new RefConv2D(2, 2, 2))),
        ["RandomTranslationConstant"] = (() => new GradRandomTranslationConstant(seed: 1), () => ReferenceModel.Of(GradRandomTranslationConstant.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomTranslation(AugmentationDraws.FirstWorkspace(1, 64), 0.3, 0.6, reflect: false, fill: 0.5),
            new RefConv2D(2, 2, 2))),
        ["RandomRotation"] = (() => new GradRandomRotation(seed: 1), () => ReferenceModel.Of(GradRandomRotation.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomRotation(AugmentationDraws.FirstWorkspace(1, 64), 0.3),
            new RefConv2D(2, 2, 2))),
        ["RandomZoom"] = (() => new GradRandomZoom(seed: 1), () => ReferenceModel.Of(GradRandomZoom.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomZoom(AugmentationDraws.FirstWorkspace(1, 64), 0.4, 0.3, reflect: false, fill: 0.5),
            new RefConv2D(2, 2, 2))),
        ["RandomCrop"] = (() => new GradRandomCrop(seed: 1), () => ReferenceModel.Of(GradRandomCrop.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomCrop(AugmentationDraws.FirstWorkspace(1, 64), 4, 3),
            new RefConv2D(2, 2, 2))),
        ["RandomContrast"] = (() => new GradRandomContrast(seed: 1), () => ReferenceModel.Of(GradRandomContrast.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomContrast(AugmentationDraws.FirstWorkspace(1, 64), 0.5, -1000, 1000),
            new RefConv2D(2, 2, 2))),
        ["RandomBrightness"] = (() => new GradRandomBrightness(seed: 1), () => ReferenceModel.Of(GradRandomBrightness.Architecture,
            new RefConv2D(3, 3, 3, padding: Padding.Same),
            new RefRandomBrightness(AugmentationDraws.FirstWorkspace(1, 64), 0.2, -100, 100),
            new RefConv2D(2, 2, 2))),
        // Larger mixes: BatchNormalization as the first layer, and two batch normalizations (conv and dense) in one model.
        ["BatchNormFirst"] = (() => new BatchNormFirstNet(seed: 1), TestReferences.BatchNormFirst),
        ["TrainingMix"] = (() => new TrainingMixNet(seed: 1), TestReferences.TrainingMix),
        // Graphs: a tensor read by several layers (its gradient summed), merges, named inputs, blocks.
        ["ResidualIdentity"] = (() => new GradResidualIdentity(seed: 1), TestReferences.ResidualIdentity),
        ["ProjectionShortcut"] = (() => new GradProjectionShortcut(seed: 1), TestReferences.ProjectionShortcut),
        ["ConcatenateBranches"] = (() => new GradConcatenateBranches(seed: 1), TestReferences.ConcatenateBranches),
        ["ActivationLayers"] = (() => new GradActivationLayers(seed: 1), TestReferences.ActivationLayers),
        ["PaddedPooling"] = (() => new GradPaddedPooling(seed: 1), TestReferences.PaddedPooling),
        ["BlockTwice"] = (() => new GradBlockTwice(seed: 1), TestReferences.BlockTwice),
        ["GraphCorners"] = (() => new GradGraphCorners(seed: 1), TestReferences.GraphCorners),
        ["GraphCorners2"] = (() => new GradGraphCorners2(seed: 1), TestReferences.GraphCorners2),
    };

    private static ReferenceModel DenseReference(ModelArchitecture architecture, Activation activation) =>
        ReferenceModel.Of(architecture, new RefConv2D(2, 1, 1), new RefFlatten(), new RefDense(6, activation), new RefDense(3));

    public static TheoryData<string> Names => new(Models.Keys);

    [Theory]
    [InlineData("ConvWinograd")]
    [InlineData("ConvWinogradF3")]
    [InlineData("ConvWinogradSame")]
    [InlineData("ConvWinogradF3Same")]
    [InlineData("ConvWinogradF4")]
    [InlineData("ConvWinogradF4Same")]
    public void Winograd_layers_take_the_direct_path_for_one_sample_and_still_match(string name)
    {
        // Below a layer's minimum batch (2 for these models) the generated code keeps im2col + GEMM in training.
        var (create, reference) = Models[name];
        GradientCheck.Check(create(), reference(), batch: 1);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_parameter_gradient_matches_central_differences(string name)
    {
        var (create, reference) = Models[name];
        GradientCheck.Check(create(), reference());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Training_mode_forward_matches_the_reference(string name)
    {
        var (create, createReference) = Models[name];
        var model = create();
        var reference = createReference();
        NumericsKit.Randomize(model, 5);
        const int Batch = 3;
        var x = NumericsKit.Uniform(Batch * reference.InputSize, 6);
        var p = NumericsKit.ToDouble(model.Parameters);
        var output = new float[Batch * reference.OutputSize];
        model.ForwardPass(x, output, training: true);
        NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), Batch, p, training: true), NumericsKit.ForwardTolerance, name);
    }

    /// <summary>GradGraphCorners' "dead" conv (CNG0023) does not run: its gradients are exactly 0 and its weights change no output.</summary>
    [Fact]
    public void A_layer_nothing_reads_gets_zero_gradients_and_changes_nothing()
    {
        var model = new GradGraphCorners(seed: 1);
        NumericsKit.Randomize(model, 2);
        var dead = GradGraphCorners.Architecture["dead"];
        Assert.Empty(GradGraphCorners.Architecture.Consumers(dead.Index));
        var x = NumericsKit.Uniform(3 * GradGraphCorners.Architecture.InputShape.ElementCount, 3);
        var r = NumericsKit.Uniform(3 * GradGraphCorners.Architecture.OutputShape.ElementCount, 4);
        var gradients = new float[model.Parameters.Length];
        var before = model.Parameters.ToArray();
        model.BackwardPass(x, r, gradients);
        before.CopyTo(model.Parameters);
        Assert.All(gradients.AsSpan(dead.ParameterOffset, dead.ParameterCount).ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(gradients, g => g != 0);

        var output = new float[r.Length];
        model.ForwardPass(x, output, training: false);
        model.Parameters.Slice(dead.ParameterOffset, dead.ParameterCount).Fill(float.NaN);
        var again = new float[r.Length];
        model.ForwardPass(x, again, training: false);
        Assert.Equal(output, again);
    }

    [Fact]
    public void Every_layer_kind_and_activation_is_covered()
    {
        var architectures = Models.Values.Select(m => m.Reference().Architecture).ToList();
        var kinds = architectures.SelectMany(a => a.Layers).Select(l => l.Kind).ToHashSet();
        kinds.UnionWith(RescalingTests.Architectures.SelectMany(a => a.Layers).Select(l => l.Kind));
        foreach (var kind in Enum.GetValues<LayerKind>().Where(k => k != LayerKind.Input))
            Assert.Contains(kind, kinds);
        foreach (var activation in Enum.GetValues<Activation>())
        {
            Assert.Contains(architectures, a => a.Layers.Any(l => l.Kind == LayerKind.Dense && l.Activation == activation));
            Assert.Contains(architectures, a => a.Layers.Any(l => l.Kind == LayerKind.Conv2D && l.Activation == activation));
        }
    }

    /// <summary>
    /// The check is sharp: the same comparison rejects gradients a plausible bug would give. Each corruption below
    /// must push some parameter past the tolerance.
    /// </summary>
    [Fact]
    public void The_tolerance_rejects_slightly_wrong_gradients()
    {
        var result = GradientCheck.Run(new GradBatchNormConv(seed: 1), Models["BatchNormConv"].Reference());
        var architecture = result.Architecture;
        var trainable = architecture.Layers.SelectMany(l => l.Weights).Where(w => w.IsTrainableVariable).ToList();

        // Correct: passes.
        GradientCheck.AssertAgrees(architecture, result.Generated, result.Numeric, "unchanged");

        // One parameter's gradient off by 1 % of its own value or of its tensor's largest, for every weight tensor
        // but conv2d/bias: the batch normalization right after it cancels any shift, so its gradient is 0.
        double global = result.Numeric.Max(Math.Abs);
        foreach (var weight in trainable)
        {
            double largest = Enumerable.Range(weight.Offset, weight.Length).Max(i => Math.Abs(result.Numeric[i]));
            if (largest < 1e-6 * global)
            {
                Assert.Equal("conv2d", architecture.Layers.Single(l => l.Weights.Contains(weight)).Name);
                continue;
            }
            int index = Enumerable.Range(weight.Offset, weight.Length).MaxBy(i => Math.Abs(result.Numeric[i]));
            var scaled = (float[])result.Generated.Clone();
            scaled[index] *= 1.01f;
            Assert.ThrowsAny<Exception>(() => GradientCheck.AssertAgrees(architecture, scaled, result.Numeric, "scaled"));
            var shifted = (float[])result.Generated.Clone();
            shifted[weight.Offset] += (float)(0.01 * largest);
            Assert.ThrowsAny<Exception>(() => GradientCheck.AssertAgrees(architecture, shifted, result.Numeric, "shifted"));
        }
    }
}
