using System.Collections.Generic;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>Flatten: channels-last data is already laid out flat, so the output and its gradient are the input's buffers.</summary>
internal sealed class FlattenEmitter : LayerEmitter
{
    public override bool AliasesInput => true;

    public override void Forward(SourceWriter w, LayerContext c) =>
        w.Line("// Nothing to do: the output is the input's buffer, read as (batch, features).");

    public override void Backward(SourceWriter w, LayerContext c) =>
        w.Line("// Nothing to do: the gradient is the input gradient's buffer.");
}

/// <summary>Dropout: while training, a seeded mask zeroes a fraction of the inputs and scales the rest by 1/(1-rate); the identity at inference.</summary>
internal sealed class DropoutEmitter : LayerEmitter
{
    /// <summary>Only a training-mode forward draws the mask (inference copies the input), and only the backward reads it.</summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        yield return Buffer(c, "Mask", "float", BufferSize.Samples(c.OutputSize), true, "0 or 1/(1-rate) per element, from the last training pass",
            ShapeInference.Format(c.Layer.OutputShape));
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"const float Rate = {SourceWriter.Float(c.Layer.Spec.Rate)};");
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, n);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, n);");
        using (w.Block($"if (IsTrainingMode({c.Layer.Index}, training))"))
        {
            w.Line($"global::System.Span<float> mask = ws.{c.Id}Mask.AsSpan(0, n);");
            w.Line("DropoutMask(ws, mask, Rate);");
            w.Line("global::System.Numerics.Tensors.TensorPrimitives.Multiply(input, mask, output);");
        }
        w.Line("else input.CopyTo(output);");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({c.GradientBuffer}.AsSpan(0, n), ws.{c.Id}Mask.AsSpan(0, n), {c.InputGradientBuffer}.AsSpan(0, n));");
    }
}

/// <summary>Rescaling: <c>x · scale + offset</c>.</summary>
internal sealed class RescalingEmitter : LayerEmitter
{
    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"const float Scale = {SourceWriter.Float(c.Layer.Spec.Scale)}, Offset = {SourceWriter.Float(c.Layer.Spec.Offset)};");
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, n);");
        w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({c.InputBuffer}.AsSpan(0, n), Scale, output);");
        w.Line("global::System.Numerics.Tensors.TensorPrimitives.Add(output, Offset, output);");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        w.Line($"const float Scale = {SourceWriter.Float(c.Layer.Spec.Scale)};");
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({c.GradientBuffer}.AsSpan(0, n), Scale, {c.InputGradientBuffer}.AsSpan(0, n));");
    }
}
