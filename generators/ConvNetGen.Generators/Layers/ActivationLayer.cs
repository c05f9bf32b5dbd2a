using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[Activation(activation)] as written.</summary>
internal sealed record ActivationArguments(ActivationKind Activation) : LayerArguments
{
    public override ActivationKind Activation { get; } = Activation;
}

/// <summary>Activation on its own (Keras' <c>layers.Activation</c>): the input copied and activated; backward the activation's derivative.</summary>
internal sealed class ActivationLayer : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Activation;

    public override string Prefix => "activation";

    public override LayerArguments Read(AttributeArguments args) => new ActivationArguments((ActivationKind)args.Int("activation", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check) => check.Activation(layer.Activation);

    public override int[]? OutputShape(ShapeContext c) => c.Input;

    public override string Describe(LayerPlan layer) => $"Activation {layer.Spec.Activation}; {Shapes(layer)}.";

    public override void Forward(SourceWriter w, LayerContext c)
    {
        int row = c.Layer.OutputShape[c.Layer.OutputShape.Count - 1];
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, n);");
        w.Line($"{c.InputBuffer}.AsSpan(0, n).CopyTo(output);");
        w.Line($"global::ConvNetGen.Kernels.Activations.Forward(global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, output, {row});");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        int row = c.Layer.OutputShape[c.Layer.OutputShape.Count - 1];
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, n);");
        w.Line($"{c.GradientBuffer}.AsSpan(0, n).CopyTo(inputGradient);");
        if (c.SoftmaxFusedIntoLoss)
            w.Line("// Softmax feeds the loss, which already gave the gradient with respect to the logits.");
        else if (c.Layer.Spec.Activation != ActivationKind.Linear)
            w.Line($"global::ConvNetGen.Kernels.Activations.Backward(global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, {c.OutputBuffer}.AsSpan(0, n), inputGradient, {row});");
    }
}
