namespace ConvNetGen.Tests.Numerics;

[Input(6, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Tanh)]
[Rescaling(0.5, 0.25)]
[Conv2D(2, 2)]
internal partial class GradRescaling;

/// <summary>An image pipeline's first layer: pixels in [0, 255] scaled to [0, 1], offset 0.</summary>
[Input(5, 4, 3)]
[Rescaling(1.0 / 255)]
[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Rescaling(-2, 1)]
[GlobalAveragePooling2D]
[Dense(3, Activation = Activation.Softmax)]
internal partial class RescalingNet;

/// <summary>
/// Rescaling between two convs (gradients) and as an image pipeline's first layer (forward). Until the generator's
/// RescalingEmitter stopped emitting a TensorPrimitives.MultiplyAdd(span, float, float, span) overload that does not
/// exist, any model with a Rescaling layer failed to compile.
/// </summary>
public class RescalingTests
{
    internal static ModelArchitecture[] Architectures => [GradRescaling.Architecture, RescalingNet.Architecture];

    private static ReferenceModel GradRescalingReference() => ReferenceModel.Of(GradRescaling.Architecture,
        new RefConv2D(3, 3, 3, activation: Activation.Tanh),
        new RefRescaling(0.5, 0.25),
        new RefConv2D(2, 2, 2));

    private static ReferenceModel RescalingNetReference() => ReferenceModel.Of(RescalingNet.Architecture,
        new RefRescaling(1.0 / 255),
        new RefConv2D(4, 3, 3, padding: Padding.Same, activation: Activation.ReLU),
        new RefRescaling(-2, 1),
        new RefGlobalAveragePooling2D(),
        new RefDense(3, Activation.Softmax));

    [Fact]
    public void Rescaling_between_two_convs_matches_the_reference() =>
        GradientCheck.Check(new GradRescaling(seed: 1), GradRescalingReference());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Rescaling_forward_matches_the_reference(int batch)
    {
        var model = new RescalingNet(seed: 2);
        NumericsKit.Randomize(model, 3);
        var reference = RescalingNetReference();
        var x = NumericsKit.Uniform(batch * reference.InputSize, 4, 0, 255);
        var output = new float[batch * reference.OutputSize];
        model.ForwardPass(x, output, training: false);
        NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), batch, NumericsKit.ToDouble(model.Parameters), training: false),
            NumericsKit.ForwardTolerance, "RescalingNet");
    }
}

