using System.Collections.Generic;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>MaxPooling2D: each output keeps its window's largest input and remembers which one, so backward routes the gradient there.</summary>
internal sealed class MaxPooling2DEmitter : LayerEmitter
{
    /// <summary>The forward pass writes the winners (or argmax) in either mode, so inference workspaces keep them too.</summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        var size = BufferSize.Samples(c.OutputSize);
        string shape = ShapeInference.Format(c.Layer.OutputShape);
        if (c.FusedIntoPrevious)
            yield return Buffer(c, "Winners", "float", size, false, "which pixel of each 2×2 window won (0–3), from the fused conv", shape);
        else
            yield return Buffer(c, "Argmax", "int", size, false, "index into the input of each output's maximum", shape);
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        if (c.FusedIntoPrevious)
        {
            w.Line($"// Nothing to do: {SourceWriter.Xml(c.Previous!.Name)} computed this layer's output in its fused pass.");
            return;
        }
        Constants(w, c, window: true);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer};");
        w.Line($"global::System.Span<int> argmax = ws.{c.Id}Argmax;");
        if (c.ReadsRowsByPoolWindow)
        {
            w.Line($"// {SourceWriter.Xml(c.Previous!.Name)} computed only the pixels these windows cover, window by window: each window's KH×KW pixels are consecutive rows.");
            using (w.Block("for (int o = 0; o < batch * OH * OW; o++)"))
                w.Line("global::ConvNetGen.Kernels.Pooling.MaxOfRows(input.Slice(o * KH * KW * IC, KH * KW * IC), KH * KW, o * KH * KW * IC, output.Slice(o * OC, OC), argmax.Slice(o * OC, OC));");
            return;
        }
        var spec = c.Layer.Spec;
        if (spec.WindowHeight == 2 && spec.WindowWidth == 2 && spec.StrideHeight == 2 && spec.StrideWidth == 2 && c.Layer.PadTop == 0 && c.Layer.PadLeft == 0
            && 2 * c.Layer.OutputShape[0] <= c.Layer.InputShape[0] && 2 * c.Layer.OutputShape[1] <= c.Layer.InputShape[1])
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
            ? $"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, outputs * {c.Layer.Spec.WindowHeight * c.Layer.Spec.WindowWidth}); // window by window, as {SourceWriter.Xml(c.Previous.Name)} computed them"
            : $"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * {c.Shapes}.InputSize);");
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer};");
        w.Line($"global::System.ReadOnlySpan<int> argmax = ws.{c.Id}Argmax;");
        w.Line("inputGradient.Clear();");
        w.Line("for (int o = 0; o < outputs; o++) inputGradient[argmax[o]] += gradient[o];");
    }
}

/// <summary>AveragePooling2D: the mean of each window's inputs, padding excluded from the count as in Keras.</summary>
internal sealed class AveragePooling2DEmitter : LayerEmitter
{
    public override void Forward(SourceWriter w, LayerContext c) => Loops(w, c, backward: false);

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        Loops(w, c, backward: true);
    }

    private static void Loops(SourceWriter w, LayerContext c, bool backward)
    {
        Constants(w, c, window: true);
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
internal sealed class GlobalAveragePooling2DEmitter : LayerEmitter
{
    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, window: false);
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
        Constants(w, c, window: false);
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
