using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Layers;

/// <summary>Concatenate (Keras' <c>layers.Concatenate</c>, axis -1): each position's channels, input after input; backward splits them again.</summary>
internal sealed class Concatenate : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Concatenate;

    public override string Prefix => "concatenate";

    public override bool Merges => true;

    public override int[]? OutputShape(ShapeContext c)
    {
        var first = c.Inputs[0];
        long channels = 0;
        foreach (var input in c.Inputs)
        {
            bool fits = input.Shape.Length == first.Shape.Length
                && input.Shape.Take(input.Shape.Length - 1).SequenceEqual(first.Shape.Take(first.Shape.Length - 1));
            if (!fits)
            {
                c.Report(Descriptors.MergeShapeMismatch, c.Kind, c.Name, first.Name, Format(first.Shape), input.Name, Format(input.Shape),
                    "Concatenate joins along the channels (the last axis), so every other dimension must match");
                return null;
            }
            channels += input.Shape[input.Shape.Length - 1];
        }
        var output = first.Shape.ToArray();
        output[output.Length - 1] = (int)System.Math.Min(channels, int.MaxValue);
        return output;
    }

    public override string Describe(LayerPlan layer) =>
        $"Concatenate {string.Join(" + ", layer.InputShapes.Select(s => s[s.Count - 1]))} channels; → {Format(layer.OutputShape)}.";

    private static void Rows(SourceWriter w, LayerContext c)
    {
        var o = c.Layer.OutputShape;
        w.Line($"const int C = {o[o.Count - 1]};");
        w.Line($"int rows = batch * ({c.Shapes}.OutputSize / C);");
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Rows(w, c);
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, rows * C);");
        int offset = 0;
        for (int k = 0; k < c.Layer.Inputs.Count; k++)
        {
            var shape = c.Layer.InputShapes[k];
            int channels = shape[shape.Count - 1];
            w.Line($"// {SourceWriter.Xml(c.Layer.InputNames[k])}: channels {offset}–{offset + channels - 1}");
            w.Line($"for (int r = 0; r < rows; r++) {c.InputBufferOf(k)}.AsSpan(r * {channels}, {channels}).CopyTo(output.Slice(r * C + {offset}, {channels}));");
            offset += channels;
        }
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (Enumerable.Range(0, c.Layer.Inputs.Count).All(k => c.ProducerOf(k) is null)) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            Rows(w, c);
            w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * C);");
            int offset = 0;
            for (int k = 0; k < c.Layer.Inputs.Count; k++)
            {
                var shape = c.Layer.InputShapes[k];
                int channels = shape[shape.Count - 1];
                if (c.ProducerOf(k) is not null)
                    w.Line($"for (int r = 0; r < rows; r++) gradient.Slice(r * C + {offset}, {channels}).CopyTo({c.InputGradientBufferOf(k)}.AsSpan(r * {channels}, {channels}));");
                offset += channels;
            }
        }
    }
}
