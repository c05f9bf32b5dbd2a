using System.Collections.Generic;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[ZeroPadding2D(…)] as written: rows of zeros above and below, columns left and right.</summary>
internal sealed record ZeroPadding2DArguments(int Top, int Bottom, int Left, int Right) : LayerArguments;

/// <summary>ZeroPadding2D: the input copied row by row into a larger zeroed output; backward copies the inner gradient back.</summary>
internal sealed class ZeroPadding2D : LayerDefinition
{
    public override LayerKind Kind => LayerKind.ZeroPadding2D;

    public override string Prefix => "zero_padding2d";

    public override LayerArguments Read(AttributeArguments args)
    {
        if (args.Has("top"))
            return new ZeroPadding2DArguments(args.Int("top", 0), args.Int("bottom", 0), args.Int("left", 0), args.Int("right", 0));
        if (args.Has("height"))
            return new ZeroPadding2DArguments(args.Int("height", 0), args.Int("height", 0), args.Int("width", 0), args.Int("width", 0));
        int all = args.Int("padding", 1);
        return new ZeroPadding2DArguments(all, all, all, all);
    }

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<ZeroPadding2DArguments>();
        if (a.Top < 0 || a.Bottom < 0 || a.Left < 0 || a.Right < 0)
            check.Invalid($"padding must not be negative but is top {a.Top}, bottom {a.Bottom}, left {a.Left}, right {a.Right}");
    }

    public override int[]? OutputShape(ShapeContext c)
    {
        if (!c.RequireImage()) return null;
        var a = c.Layer.Args<ZeroPadding2DArguments>();
        long height = (long)c.Input[0] + a.Top + a.Bottom, width = (long)c.Input[1] + a.Left + a.Right;
        if (height > int.MaxValue || width > int.MaxValue)
        {
            c.Report(Diagnostics.Descriptors.SizeExceedsInt, c.Kind, c.Name, $"its output would be {height}×{width} pixels, more than an int counts");
            return null;
        }
        return new[] { (int)height, (int)width, c.Input[2] };
    }

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer)
    {
        var a = layer.Spec.Args<ZeroPadding2DArguments>();
        return new[] { ("PadTop", SourceWriter.Int(a.Top)), ("PadBottom", SourceWriter.Int(a.Bottom)), ("PadLeft", SourceWriter.Int(a.Left)), ("PadRight", SourceWriter.Int(a.Right)) };
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<ZeroPadding2DArguments>();
        return $"ZeroPadding2D top {a.Top}, bottom {a.Bottom}, left {a.Left}, right {a.Right}; {Shapes(layer)}.";
    }

    public override void ShapeConstants(SourceWriter w, LayerPlan layer)
    {
        var a = layer.Spec.Args<ZeroPadding2DArguments>();
        w.Line($"public const int PadTop = {a.Top}, PadBottom = {a.Bottom}, PadLeft = {a.Left}, PadRight = {a.Right};");
    }

    private static void PaddingConstants(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<ZeroPadding2DArguments>();
        Constants(w, c, null);
        w.Line($"const int Top = {a.Top}, Left = {a.Left};");
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        PaddingConstants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, batch * OH * OW * OC);");
        w.Line("// Only the border is zeroed, row by row around the copied pixels: clearing the whole output first would write it twice.");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("output.Slice(b * OH * OW * OC, Top * OW * OC).Clear();");
            using (w.Block("for (int y = 0; y < IH; y++)"))
            {
                w.Line("int row = (b * OH + y + Top) * OW * OC;");
                w.Line("output.Slice(row, Left * OC).Clear();");
                w.Line("input.Slice((b * IH + y) * IW * IC, IW * IC).CopyTo(output.Slice(row + Left * OC, IW * IC));");
                w.Line("output.Slice(row + (Left + IW) * OC, (OW - Left - IW) * OC).Clear();");
            }
            w.Line("output.Slice((b * OH + Top + IH) * OW * OC, (OH - Top - IH) * OW * OC).Clear();");
        }
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        PaddingConstants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
        w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer};");
        w.Line("// The border's gradient goes nowhere: only the inner rows flow back.");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        using (w.Block("for (int y = 0; y < IH; y++)"))
            w.Line("gradient.Slice(((b * OH + y + Top) * OW + Left) * OC, IW * IC).CopyTo(inputGradient.Slice((b * IH + y) * IW * IC, IW * IC));");
    }
}
