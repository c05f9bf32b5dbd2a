using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Layers;

/// <summary>Add (Keras' <c>layers.Add</c>): the inputs' sum, element by element; backward hands the gradient to each input unchanged.</summary>
internal sealed class Add : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Add;

    public override string Prefix => "add";

    public override bool Merges => true;

    public override int[]? OutputShape(ShapeContext c)
    {
        var first = c.Inputs[0];
        foreach (var other in c.Inputs.Skip(1))
        {
            if (other.Shape.SequenceEqual(first.Shape)) continue;
            c.Report(Descriptors.MergeShapeMismatch, c.Kind, c.Name, first.Name, Format(first.Shape), other.Name, Format(other.Shape),
                "Add needs inputs of one shape");
            return null;
        }
        return first.Shape;
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"int n = batch * {c.Shapes}.OutputSize;");
        string relu = "false";
        if (c.Fold is { } fold) // two inputs (FoldPlanning)
        {
            var folded = c.Of(fold.Activation);
            w.Line($"// At inference {SourceWriter.Xml(folded.Layer.Name)} is folded in: the sum goes into its output with the ReLU applied, and its forward does nothing there.");
            w.Line($"bool folded = !ws.IsTraining;");
            w.Line($"global::System.Span<float> output = folded ? {folded.OutputBuffer}.AsSpan(0, n) : {c.OutputBuffer}.AsSpan(0, n);");
            relu = "folded";
        }
        else
            w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, n);");
        w.Line($"global::ConvNetGen.Kernels.AddShared.Forward({c.InputBufferOf(0)}.AsSpan(0, n), {c.InputBufferOf(1)}.AsSpan(0, n), output, relu: {relu}); // a single image's shared with the team");
        for (int k = 2; k < c.Layer.Inputs.Count; k++)
            w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Add(output, {c.InputBufferOf(k)}.AsSpan(0, n), output);");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        var slots = Enumerable.Range(0, c.Layer.Inputs.Count).Where(k => c.ProducerOf(k) is not null).ToList();
        if (slots.Count == 0) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line($"int n = batch * {c.Shapes}.OutputSize;");
            w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer}.AsSpan(0, n);");
            w.Line("// d(a + b)/da = d(a + b)/db = 1: each input gets the gradient as it is.");
            foreach (int k in slots)
                w.Line($"gradient.CopyTo({c.InputGradientBufferOf(k)}.AsSpan(0, n));");
        }
    }
}
