using System;
using System.Collections.Generic;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>[MaxPooling2D(…)] or [AveragePooling2D(…)] as written: the pool window, strides defaulting to it.</summary>
internal sealed record Pooling2DArguments(Window Window) : LayerArguments;

/// <summary>What the windowed kinds share: reading a pool, Keras' output size, the summary's and Shapes' words.</summary>
internal abstract class Pooling2D : LayerDefinition
{
    public override LayerArguments Read(AttributeArguments args)
    {
        int height = args.Int("poolHeight", args.Int("poolSize", 2));
        int width = args.Int("poolWidth", args.Int("poolSize", 2));
        return new Pooling2DArguments(new Window(height, width,
            args.Stride("StrideHeight", height), args.Stride("StrideWidth", width), (PaddingKind)args.Int("Padding", 0)));
    }

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check) =>
        check.Window(layer.Args<Pooling2DArguments>().Window, "pool size", stridesFollowSize: true);

    public override int[]? OutputShape(ShapeContext c) => WindowOutput(c, c.Layer.Args<Pooling2DArguments>().Window, "pool size", 0);

    public override string Describe(LayerPlan layer) => $"{Kind} {DescribeWindow(layer.Spec.Args<Pooling2DArguments>().Window)}; {Shapes(layer)}.";

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer) => WindowConfig(layer, layer.Spec.Args<Pooling2DArguments>().Window);

    public override void ShapeConstants(SourceWriter w, LayerPlan layer) => WindowConstants(w, layer, layer.Spec.Args<Pooling2DArguments>().Window, "Pool");

    protected static Window W(LayerContext c) => c.Layer.Spec.Args<Pooling2DArguments>().Window;

    /// <summary>A window's output (height, width, <paramref name="channels"/> or the input's when 0), with Keras' rules; the padding before goes on the context.</summary>
    internal static int[]? WindowOutput(ShapeContext c, Window window, string what, int channels)
    {
        if (!c.RequireImage()) return null;
        var input = c.Input;
        if (window.Padding == PaddingKind.Valid && (window.Height > input[0] || window.Width > input[1]))
        {
            c.Report(Descriptors.WindowLargerThanInput, c.Kind, c.Name, $"{window.Height}×{window.Width}", Format(input), c.From, what);
            return null;
        }
        int height = OutputSize(input[0], window.Height, window.StrideHeight, window.Padding, out int padTop);
        int width = OutputSize(input[1], window.Width, window.StrideWidth, window.Padding, out int padLeft);
        c.PadTop = padTop;
        c.PadLeft = padLeft;
        return new[] { height, width, channels == 0 ? input[2] : channels };
    }

    /// <summary>Keras' output size; for Same padding also the padding before the first row/column (the rest goes after).</summary>
    /// <remarks>In long, so a dimension near int.MaxValue or a large stride or window cannot overflow; the result is at most the input.</remarks>
    internal static int OutputSize(int input, int window, int stride, PaddingKind padding, out int padBefore)
    {
        if (padding == PaddingKind.Valid)
        {
            padBefore = 0;
            return (int)(((long)input - window) / stride + 1);
        }
        long output = ((long)input + stride - 1) / stride;
        long padTotal = Math.Max((output - 1) * stride + window - input, 0);
        padBefore = (int)Math.Min(padTotal / 2, int.MaxValue);
        return (int)output;
    }

    internal static string DescribeWindow(Window s) =>
        $"{s.Height}×{s.Width}, stride {s.StrideHeight}×{s.StrideWidth}, {s.Padding.ToString().ToLowerInvariant()} padding";

    internal static void WindowConstants(SourceWriter w, LayerPlan layer, Window window, string name)
    {
        w.Line($"public const int {name}Height = {window.Height}, {name}Width = {window.Width};");
        w.Line($"public const int StrideHeight = {window.StrideHeight}, StrideWidth = {window.StrideWidth};");
        w.Line($"public const int PadTop = {layer.PadTop}, PadLeft = {layer.PadLeft};");
    }
}

/// <summary>MaxPooling2D: each output keeps its window's largest input and remembers which one, so backward routes the gradient there.</summary>
internal sealed class MaxPooling2D : Pooling2D
{
    public override LayerKind Kind => LayerKind.MaxPooling2D;

    public override string Prefix => "max_pooling2d";

    /// <summary>
    /// The fused, window-ordered and 2×2 forward passes write the winners (or argmax) in either mode, so inference
    /// workspaces keep them too; the general window loop finds only the maxima at inference.
    /// </summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        var size = BufferSize.Samples(c.OutputSize);
        string shape = ShapeInference.Format(c.Layer.OutputShape);
        if (c.FusedIntoPrevious)
            yield return Buffer(c, "Winners", "float", size, false, "which pixel of each 2×2 window won (0–3), from the fused conv", shape);
        else
            yield return Buffer(c, "Argmax", "int", size, trainingOnly: !c.ReadsRowsByPoolWindow && !TwoByTwo(c), "index into the input of each output's maximum", shape);
    }

    /// <summary>2×2 windows, stride 2, no padding before, every window inside the input: each output row reads two whole input rows.</summary>
    private static bool TwoByTwo(LayerContext c)
    {
        var spec = W(c);
        return spec.Height == 2 && spec.Width == 2 && spec.StrideHeight == 2 && spec.StrideWidth == 2 && c.Layer.PadTop == 0 && c.Layer.PadLeft == 0
            && 2 * c.Layer.OutputShape[0] <= c.Layer.InputShape[0] && 2 * c.Layer.OutputShape[1] <= c.Layer.InputShape[1];
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        if (c.FusedIntoPrevious)
        {
            w.Line($"// Nothing to do: {SourceWriter.Xml(c.Previous!.Name)} computed this layer's output in its fused pass.");
            return;
        }
        Constants(w, c, W(c));
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer};");
        w.Line($"global::System.Span<int> argmax = ws.{c.Id}Argmax;");
        if (c.Fold is { Padding: >= 0 } folded)
        {
            var pad = c.Of(folded.Padding);
            var a = pad.Layer.Spec.Args<ZeroPadding2DArguments>();
            using (w.Block("if (!ws.IsTraining)"))
            {
                w.Line($"// At inference {SourceWriter.Xml(pad.Layer.Name)} is folded in: its input is a ReLU's, never negative, so its zeros never win a window");
                w.Line("// that also covers the image. The windows read the unpadded input, the border as padding (never taken).");
                w.Line($"global::ConvNetGen.Kernels.MaxPoolWindows.Forward({pad.InputBuffer}, output, batch, new global::ConvNetGen.Kernels.ConvGeometry(IH - {a.Top + a.Bottom}, IW - {a.Left + a.Right}, IC, OH, OW, KH, KW, SH, SW, {a.Top}, {a.Left}));");
                w.Line("return;");
            }
        }
        if (c.ReadsRowsByPoolWindow)
        {
            w.Line($"// {SourceWriter.Xml(c.Previous!.Name)} computed only the pixels these windows cover, window by window: each window's KH×KW pixels are consecutive rows.");
            using (w.Block("for (int o = 0; o < batch * OH * OW; o++)"))
                w.Line("global::ConvNetGen.Kernels.Pooling.MaxOfRows(input.Slice(o * KH * KW * IC, KH * KW * IC), KH * KW, o * KH * KW * IC, output.Slice(o * OC, OC), argmax.Slice(o * OC, OC));");
            return;
        }
        if (TwoByTwo(c))
        {
            // 2×2 windows, stride 2, no padding before: each output row reads two whole input rows (a trailing odd
            // column or row, as with valid padding on 11 × 11, is never read).
            using (w.Block("for (int b = 0; b < batch; b++)"))
            using (w.Block("for (int oy = 0; oy < OH; oy++)"))
            {
                w.Line("int top = ((b * IH + 2 * oy) * IW) * IC, bottom = top + IW * IC, o = (b * OH + oy) * OW * OC;");
                w.Line("global::ConvNetGen.Kernels.Pooling.Max2x2Row(input.Slice(top, 2 * OW * IC), input.Slice(bottom, 2 * OW * IC), top, bottom, output.Slice(o, OW * OC), argmax.Slice(o, OW * OC), OW, OC);");
            }
            return;
        }
        using (w.Block("if (!ws.IsTraining)"))
        {
            w.Line("// Inference: only the maxima (the backward pass alone reads where each was), in registers, a single image's rows shared with the team.");
            w.Line("global::ConvNetGen.Kernels.MaxPoolWindows.Forward(input, output, batch, new global::ConvNetGen.Kernels.ConvGeometry(IH, IW, IC, OH, OW, KH, KW, SH, SW, PT, PL));");
            w.Line("return;");
        }
        w.Line("// Training: each maximum and where it was, for the backward pass.");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        using (w.Block("for (int oy = 0; oy < OH; oy++)"))
        using (w.Block("for (int ox = 0; ox < OW; ox++)"))
        {
            w.Line("int o = ((b * OH + oy) * OW + ox) * OC;");
            w.Line("var best = output.Slice(o, OC);");
            w.Line("var bestIndex = argmax.Slice(o, OC);");
            w.Line("best.Fill(float.NegativeInfinity);");
            using (w.Block("for (int ky = 0; ky < KH; ky++)"))
            {
                w.Line("int iy = oy * SH + ky - PT;");
                w.Line("if ((uint)iy >= IH) continue; // padding never wins");
                using (w.Block("for (int kx = 0; kx < KW; kx++)"))
                {
                    w.Line("int ix = ox * SW + kx - PL;");
                    w.Line("if ((uint)ix >= IW) continue;");
                    w.Line("int i = ((b * IH + iy) * IW + ix) * IC;");
                    w.Line("global::ConvNetGen.Kernels.Pooling.MaxInto(input.Slice(i, IC), i, best, bestIndex);");
                }
            }
        }
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        if (c.FusedIntoPrevious)
        {
            w.Line($"// Nothing to do: {SourceWriter.Xml(c.Previous.Name)}'s fused backward reads this layer's gradient directly.");
            return;
        }
        w.Line($"int outputs = batch * {c.Shapes}.OutputSize;");
        w.Line(c.ReadsRowsByPoolWindow
            ? $"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, outputs * {W(c).Height * W(c).Width}); // window by window, as {SourceWriter.Xml(c.Previous.Name)} computed them"
            : $"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * {c.Shapes}.InputSize);");
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
        w.Line($"global::System.ReadOnlySpan<int> argmax = ws.{c.Id}Argmax;");
        w.Line("inputGradient.Clear();");
        w.Line("for (int o = 0; o < outputs; o++) inputGradient[argmax[o]] += gradient[o];");
    }
}

/// <summary>AveragePooling2D: the mean of each window's inputs, padding excluded from the count as in Keras.</summary>
internal sealed class AveragePooling2D : Pooling2D
{
    public override LayerKind Kind => LayerKind.AveragePooling2D;

    public override string Prefix => "average_pooling2d";

    public override void Forward(SourceWriter w, LayerContext c) => Loops(w, c, backward: false);

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        Loops(w, c, backward: true);
    }

    private static void Loops(SourceWriter w, LayerContext c, bool backward)
    {
        Constants(w, c, W(c));
        if (backward)
        {
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC);");
            w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
            w.Line("inputGradient.Clear();");
        }
        else
        {
            w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
            w.Line($"global::System.Span<float> output = {c.OutputBuffer};");
        }
        using (w.Block("for (int b = 0; b < batch; b++)"))
        using (w.Block("for (int oy = 0; oy < OH; oy++)"))
        using (w.Block("for (int ox = 0; ox < OW; ox++)"))
        {
            w.Line("int o = ((b * OH + oy) * OW + ox) * OC;");
            w.Line("int y0 = global::System.Math.Max(oy * SH - PT, 0), y1 = global::System.Math.Min(oy * SH - PT + KH, IH);");
            w.Line("int x0 = global::System.Math.Max(ox * SW - PL, 0), x1 = global::System.Math.Min(ox * SW - PL + KW, IW);");
            w.Line("float scale = 1f / ((y1 - y0) * (x1 - x0));");
            if (!backward) w.Line("output.Slice(o, OC).Clear();");
            using (w.Block("for (int iy = y0; iy < y1; iy++)"))
            using (w.Block("for (int ix = x0; ix < x1; ix++)"))
            {
                w.Line("int i = ((b * IH + iy) * IW + ix) * IC;");
                if (backward)
                    w.Line("for (int ch = 0; ch < OC; ch++) inputGradient[i + ch] += gradient[o + ch] * scale;");
                else
                    w.Line("for (int ch = 0; ch < OC; ch++) output[o + ch] += input[i + ch] * scale;");
            }
        }
    }
}

/// <summary>GlobalAveragePooling2D: each channel's mean over height and width.</summary>
internal sealed class GlobalAveragePooling2D : LayerDefinition
{
    public override LayerKind Kind => LayerKind.GlobalAveragePooling2D;

    public override string Prefix => "global_average_pooling2d";

    public override int[]? OutputShape(ShapeContext c) => c.RequireImage() ? new[] { c.Input[2] } : null;

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, null);
        w.Line("const float Scale = 1f / (IH * IW);");
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer};");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("var sum = output.Slice(b * IC, IC);");
            w.Line("sum.Clear();");
            w.Line("for (int p = 0; p < IH * IW; p++) global::ConvNetGen.Kernels.Accumulate.Into(input.Slice((b * IH * IW + p) * IC, IC), sum);");
            w.Line("global::System.Numerics.Tensors.TensorPrimitives.Multiply(sum, Scale, sum);");
        }
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        Constants(w, c, null);
        w.Line("const float Scale = 1f / (IH * IW);");
        w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer};");
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("var g = gradient.Slice(b * IC, IC);");
            w.Line("for (int p = 0; p < IH * IW; p++) global::System.Numerics.Tensors.TensorPrimitives.Multiply(g, Scale, inputGradient.Slice((b * IH * IW + p) * IC, IC));");
        }
    }
}

/// <summary>GlobalMaxPooling2D: each channel's largest value over height and width, remembering where, so backward routes the gradient there.</summary>
internal sealed class GlobalMaxPooling2D : LayerDefinition
{
    public override LayerKind Kind => LayerKind.GlobalMaxPooling2D;

    public override string Prefix => "global_max_pooling2d";

    public override int[]? OutputShape(ShapeContext c) => c.RequireImage() ? new[] { c.Input[2] } : null;

    /// <summary>The forward pass writes the argmax in either mode (it is how the maximum is found), so inference keeps it too.</summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        yield return Buffer(c, "Argmax", "int", BufferSize.Samples(c.OutputSize), false, "index into the input of each channel's maximum", ShapeInference.Format(c.Layer.OutputShape));
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, null);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer};");
        w.Line($"global::System.Span<int> argmax = ws.{c.Id}Argmax;");
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("var best = output.Slice(b * IC, IC);");
            w.Line("var bestIndex = argmax.Slice(b * IC, IC);");
            w.Line("best.Fill(float.NegativeInfinity);");
            using (w.Block("for (int p = 0; p < IH * IW; p++)"))
            {
                w.Line("int i = (b * IH * IW + p) * IC;");
                w.Line("global::ConvNetGen.Kernels.Pooling.MaxInto(input.Slice(i, IC), i, best, bestIndex);");
            }
        }
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line($"int outputs = batch * {c.Shapes}.OutputSize;");
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * {c.Shapes}.InputSize);");
            w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
            w.Line($"global::System.ReadOnlySpan<int> argmax = ws.{c.Id}Argmax;");
            w.Line("inputGradient.Clear();");
            w.Line("for (int o = 0; o < outputs; o++) inputGradient[argmax[o]] += gradient[o];");
        }
    }
}
