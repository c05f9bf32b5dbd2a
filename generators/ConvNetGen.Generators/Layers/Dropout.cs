using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>[Dropout(rate)] as written.</summary>
internal sealed record DropoutArguments(double Rate) : LayerArguments;

/// <summary>Dropout: while training, a seeded mask zeroes a fraction of the inputs and scales the rest by 1/(1-rate); the identity at inference.</summary>
internal sealed class Dropout : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Dropout;

    public override string Prefix => "dropout";

    public override LayerArguments Read(AttributeArguments args) => new DropoutArguments(args.Double("rate", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        double rate = layer.Args<DropoutArguments>().Rate;
        if (!(rate >= 0 && rate < 1)) check.Report(Descriptors.DropoutRateOutOfRange, check.Name, Number(rate));
    }

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer) =>
        new[] { ("Rate", Double(layer.Spec.Args<DropoutArguments>().Rate)) };

    public override int[]? OutputShape(ShapeContext c) => c.Input;

    /// <summary>Only a training-mode forward draws the mask (inference copies the input), and only the backward reads it.</summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        yield return Buffer(c, "Mask", "float", BufferSize.Samples(c.OutputSize), true, "0 or 1/(1-rate) per element, from the last training pass",
            ShapeInference.Format(c.Layer.OutputShape));
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"const float Rate = {SourceWriter.Float(c.Layer.Spec.Args<DropoutArguments>().Rate)};");
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
