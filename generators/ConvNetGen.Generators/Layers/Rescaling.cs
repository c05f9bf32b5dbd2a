using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>[Rescaling(scale, offset)] as written.</summary>
internal sealed record RescalingArguments(double Scale, double Offset) : LayerArguments;

/// <summary>Rescaling: <c>x · scale + offset</c>.</summary>
internal sealed class Rescaling : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Rescaling;

    public override string Prefix => "rescaling";

    public override LayerArguments Read(AttributeArguments args) => new RescalingArguments(args.Double("scale", 1), args.Double("offset", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RescalingArguments>();
        if (double.IsNaN(a.Scale) || double.IsInfinity(a.Scale)) check.Invalid($"scale must be finite but is {Number(a.Scale)}");
        if (double.IsNaN(a.Offset) || double.IsInfinity(a.Offset)) check.Invalid($"offset must be finite but is {Number(a.Offset)}");
    }

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer)
    {
        var a = layer.Spec.Args<RescalingArguments>();
        return new[] { ("Scale", Double(a.Scale)), ("Offset", Double(a.Offset)) };
    }

    public override int[]? OutputShape(ShapeContext c) => c.Input;

    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"const float Scale = {SourceWriter.Float(c.Layer.Spec.Args<RescalingArguments>().Scale)}, Offset = {SourceWriter.Float(c.Layer.Spec.Args<RescalingArguments>().Offset)};");
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, n);");
        w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({c.InputBuffer}.AsSpan(0, n), Scale, output);");
        w.Line("global::System.Numerics.Tensors.TensorPrimitives.Add(output, Offset, output);");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        w.Line($"const float Scale = {SourceWriter.Float(c.Layer.Spec.Args<RescalingArguments>().Scale)};");
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({c.GradientBuffer}.AsSpan(0, n), Scale, {c.InputGradientBuffer}.AsSpan(0, n));");
    }
}
