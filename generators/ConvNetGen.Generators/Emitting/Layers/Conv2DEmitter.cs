using System.Collections.Generic;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>
/// Conv2D as im2col + one matrix multiply: each output pixel's window becomes a row of <c>Taps = KH·KW·IC</c> values,
/// and <c>output[rows×OC] = patches[rows×Taps] · kernel[Taps×OC]</c> (the HWIO kernel is that matrix as stored),
/// with the bias as the starting value and the activation applied to the result.
/// </summary>
internal sealed class Conv2DEmitter : LayerEmitter
{
    public override IEnumerable<Buffer> ExtraBuffers(LayerContext c)
    {
        if (c.FusesNextPool) yield break; // no patches: the fused pass reads its windows from the input
        if (c.Winograd)
        {
            const string W = "global::ConvNetGen.Kernels.Winograd";
            string tiles = $"capacity * {c.Next!.OutputShape[0] * c.Next.OutputShape[1]}";
            string blocks = $"(({tiles} + {WinogradBlock - 1}) / {WinogradBlock})";
            string ic = $"{c.Shapes}.InputChannels", oc = $"{c.Shapes}.OutputChannels";
            yield return new Buffer($"{c.Id}TransformedKernel", "float", $"{W}.Positions * {W}.Plane({ic}, {oc})", "U = G g Gᵀ, per position: IC × OC");
            yield return new Buffer($"{c.Id}TransformedInput", "float", $"{blocks} * {W}.Positions * {W}.Plane({WinogradBlock}, {ic})", "V = Bᵀ d B, block by block, per position: tiles × IC; reused for dV");
            yield return new Buffer($"{c.Id}Products", "float", $"{W}.Positions * {W}.Plane({WinogradBlock}, {oc})", "M = V · U for one block of tiles, per position: tiles × OC; reused for dM");
            yield return new Buffer($"{c.Id}TransformedKernelGradient", "float", $"{W}.Positions * {W}.Plane({ic}, {oc})", "dU = Vᵀ · dM, per position");
            yield return new Buffer($"{c.Id}TransformedKernelTransposed", "float", $"{W}.Positions * {W}.Plane({oc}, {ic})", "Uᵀ, per position: OC × IC, for dV = dM · Uᵀ");
            yield break;
        }
        string rows = $"capacity * {c.Shapes}.OutputHeight * {c.Shapes}.OutputWidth";
        string taps = $"{c.Shapes}.KernelHeight * {c.Shapes}.KernelWidth * {c.Shapes}.InputChannels";
        yield return new Buffer($"{c.Id}Patches", "float", $"{rows} * {taps}", "im2col rows, one per output pixel; reused for the patch gradients");
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        if (c.FusesNextPool)
        {
            FusedForward(w, c);
            return;
        }
        if (c.Winograd)
        {
            WinogradForward(w, c);
            return;
        }
        Constants(w, c, window: true);
        PixelConstants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        w.Line($"global::System.Span<float> patches = ws.{c.Id}Patches;");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, rows * OC);");
        w.Line($"global::System.ReadOnlySpan<float> kernel = Parameters.Slice({Weight(c, "kernel")});");
        w.Line(c.RowsByPoolWindow
            ? $"// im2col: one row per output pixel {SourceWriter.Xml(c.Next!.Name)} reads, window by window, holding the KH×KW×IC window under it."
            : "// im2col: row (b, oy, ox) holds the KH×KW×IC window under output pixel (oy, ox).");
        Im2Col(w, c, gradient: false);
        w.Line($"// output[rows×OC] = {c.Layer.Spec.Activation}(patches[rows×Taps] · kernel[Taps×OC]{(HasBias(c) ? " + bias" : "")}), the bias and activation applied as results leave the registers");
        string bias = HasBias(c) ? $"Parameters.Slice({Weight(c, "bias")})" : "default";
        w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(patches, kernel, {bias}, output, rows, OC, Taps, global::ConvNetGen.Activation.{c.Layer.Spec.Activation});");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.FusesNextPool)
        {
            FusedBackward(w, c);
            return;
        }
        if (c.Winograd)
        {
            WinogradBackward(w, c);
            return;
        }
        Constants(w, c, window: true);
        PixelConstants(w, c);
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * OC);");
        w.Line($"global::System.Span<float> patches = ws.{c.Id}Patches.AsSpan(0, rows * Taps);");
        ActivationAndBiasBackward(w, c, "rows", "OC", () =>
        {
            w.Line("// dKernel[Taps×OC] += patchesᵀ · gradient");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd(patches, gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), Taps, OC, rows);");
        });
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line("// dPatches[rows×Taps] = gradient · kernelᵀ, then col2im adds each window back onto the input it came from.");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedB(gradient, Parameters.Slice({Weight(c, "kernel")}), patches, rows, Taps, OC);");
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC);");
            w.Line("inputGradient.Clear();");
            Im2Col(w, c, gradient: true);
        }
    }

    /// <summary>
    /// <c>Taps</c>, the values in one window, and <c>rows</c>, the output pixels computed: all of them, or, ordered by
    /// the pooling's windows, only those it reads (PH×PW windows of PKH×PKW pixels per sample).
    /// </summary>
    private static void PixelConstants(SourceWriter w, LayerContext c)
    {
        w.Line("const int Taps = KH * KW * IC;");
        if (c.RowsByPoolWindow)
        {
            var pool = c.Next!;
            w.Line($"const int PH = {pool.OutputShape[0]}, PW = {pool.OutputShape[1]}, PKH = {pool.Spec.WindowHeight}, PKW = {pool.Spec.WindowWidth};");
            w.Line($"const int Pixels = PH * PW * PKH * PKW; // the pixels {SourceWriter.Xml(pool.Name)} reads, window by window");
        }
        else
        {
            w.Line("const int Pixels = OH * OW;");
        }
        w.Line("int rows = batch * Pixels;");
    }

    /// <summary>
    /// Tiles per Winograd block: one block's transformed input (16 × block × IC) and products (16 × block × OC) stay
    /// in a core's L2 cache between the transform, the 16 GEMMs and the transform back. 96 = 16 micro-kernel rows.
    /// </summary>
    private const int WinogradBlock = 96;

    /// <summary>
    /// Winograd F(2×2, 3×3): transform the kernel, then, a block of tiles at a time, transform the 4×4 input tiles,
    /// multiply position by position (16 GEMMs of tiles × IC · IC × OC) and transform back to 2×2 output tiles — one
    /// per pooling window, as consecutive rows. The transformed input is kept for the backward pass.
    /// </summary>
    private static void WinogradForward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, window: true);
        PixelConstants(w, c);
        w.Line($"const int Block = {WinogradBlock}; // tiles per block: its V and M stay in L2");
        w.Line("int tiles = batch * PH * PW;");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, rows * OC);");
        w.Line($"global::System.Span<float> u = ws.{c.Id}TransformedKernel, v = ws.{c.Id}TransformedInput, m = ws.{c.Id}Products;");
        w.Line($"// Winograd F(2×2, 3×3): each of {SourceWriter.Xml(c.Next!.Name)}'s 2×2 windows is one output tile, from a 4×4 input tile.");
        w.Line("int uPlane = global::ConvNetGen.Kernels.Winograd.Plane(IC, OC);");
        w.Line($"global::ConvNetGen.Kernels.Winograd.TransformKernel(Parameters.Slice({Weight(c, "kernel")}), u, IC, OC);");
        string bias = HasBias(c) ? $"Parameters.Slice({Weight(c, "bias")})" : "default";
        using (w.Block("for (int first = 0; first < tiles; first += Block)"))
        {
            BlockLocals(w);
            w.Line($"global::ConvNetGen.Kernels.Winograd.TransformInput({c.InputBuffer}, vb, batch, IH, IW, IC, PH, PW, first, n);");
            w.Line("for (int p = 0; p < global::ConvNetGen.Kernels.Winograd.Positions; p++)");
            w.Line("    global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(vb.Slice(p * vPlane, n * IC), u.Slice(p * uPlane, IC * OC), default, m.Slice(p * mPlane, n * OC), n, OC, IC, global::ConvNetGen.Activation.Linear);");
            bool fusedActivation = c.Layer.Spec.Activation is Model.ActivationKind.Linear or Model.ActivationKind.ReLU;
            string activation = fusedActivation ? $", global::ConvNetGen.Activation.{c.Layer.Spec.Activation}" : "";
            w.Line($"global::ConvNetGen.Kernels.Winograd.TransformOutput(m.Slice(0, global::ConvNetGen.Kernels.Winograd.Positions * mPlane), {bias}, output.Slice(first * 4 * OC, n * 4 * OC), n, OC{activation});");
        }
        if (c.Layer.Spec.Activation is not (Model.ActivationKind.Linear or Model.ActivationKind.ReLU))
            w.Line($"global::ConvNetGen.Kernels.Activations.Forward(global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, output, OC);");
    }

    /// <summary>
    /// The block of tiles [first, first + n): its transformed input <c>vb</c> (blocks lie <c>16 · Plane(Block, IC)</c>
    /// apart in V) and the distances between positions in it and in the products.
    /// </summary>
    private static void BlockLocals(SourceWriter w)
    {
        w.Line("int n = global::System.Math.Min(Block, tiles - first);");
        w.Line("int vPlane = global::ConvNetGen.Kernels.Winograd.Plane(n, IC), mPlane = global::ConvNetGen.Kernels.Winograd.Plane(n, OC);");
        w.Line("var vb = v.Slice(first / Block * global::ConvNetGen.Kernels.Winograd.Positions * global::ConvNetGen.Kernels.Winograd.Plane(Block, IC), global::ConvNetGen.Kernels.Winograd.Positions * vPlane);");
    }

    /// <summary>
    /// Winograd backward, the adjoint of the forward, block by block: dM = A dY Aᵀ, then dU += Vᵀ · dM (taken to the
    /// kernel gradient at the end) and dV = dM · Uᵀ (added onto the input gradient).
    /// </summary>
    private static void WinogradBackward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, window: true);
        PixelConstants(w, c);
        w.Line($"const int Block = {WinogradBlock};");
        w.Line("int tiles = batch * PH * PW;");
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * OC);");
        w.Line($"global::System.Span<float> u = ws.{c.Id}TransformedKernel, v = ws.{c.Id}TransformedInput, m = ws.{c.Id}Products;");
        w.Line($"global::System.Span<float> du = ws.{c.Id}TransformedKernelGradient, ut = ws.{c.Id}TransformedKernelTransposed;");
        w.Line("int uPlane = global::ConvNetGen.Kernels.Winograd.Plane(IC, OC), utPlane = global::ConvNetGen.Kernels.Winograd.Plane(OC, IC);");
        ActivationAndBiasBackward(w, c, "rows", "OC", () => { });
        w.Line($"bool weights = ComputesWeightGradients({c.Layer.Index}), inputs = {(c.Previous is null ? "false" : $"ComputesInputGradient({c.Layer.Index})")};");
        w.Line("if (weights) du.Clear();");
        w.Line($"global::System.Span<float> inputGradient = {(c.Previous is null ? "default" : $"{c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC)")};");
        using (w.Block("if (inputs)"))
        {
            w.Line("inputGradient.Clear();");
            w.Line("for (int p = 0; p < global::ConvNetGen.Kernels.Winograd.Positions; p++)");
            w.Line("    global::ConvNetGen.Kernels.Gemm.Transpose(u.Slice(p * uPlane, IC * OC), ut.Slice(p * utPlane, OC * IC), IC, OC);");
        }
        using (w.Block("for (int first = 0; first < tiles; first += Block)"))
        {
            BlockLocals(w);
            w.Line("global::ConvNetGen.Kernels.Winograd.TransformOutputGradient(gradient.Slice(first * 4 * OC, n * 4 * OC), m.Slice(0, global::ConvNetGen.Kernels.Winograd.Positions * mPlane), n, OC); // m now holds dM");
            w.Line("if (weights)");
            w.Line("    for (int p = 0; p < global::ConvNetGen.Kernels.Winograd.Positions; p++)");
            w.Line("        global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd(vb.Slice(p * vPlane, n * IC), m.Slice(p * mPlane, n * OC), du.Slice(p * uPlane, IC * OC), IC, OC, n);");
            using (w.Block("if (inputs)"))
            {
                w.Line("// The block's V is no longer needed: it takes dV.");
                w.Line("for (int p = 0; p < global::ConvNetGen.Kernels.Winograd.Positions; p++)");
                w.Line("    global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(m.Slice(p * mPlane, n * OC), ut.Slice(p * utPlane, OC * IC), default, vb.Slice(p * vPlane, n * IC), n, IC, OC, global::ConvNetGen.Activation.Linear);");
                w.Line("global::ConvNetGen.Kernels.Winograd.AddInputGradient(vb, inputGradient, batch, IH, IW, IC, PH, PW, first, n);");
            }
        }
        w.Line($"if (weights) global::ConvNetGen.Kernels.Winograd.AddKernelGradient(du, ws.Gradients.AsSpan({Weight(c, "kernel")}), IC, OC);");
    }

    /// <summary>The conv and the 2×2 max pooling after it in one pass, writing only the pooled output and each window's winner.</summary>
    private static void FusedForward(SourceWriter w, LayerContext c)
    {
        var pool = c.Next!;
        Constants(w, c, window: true);
        w.Line($"// Fused with {SourceWriter.Xml(pool.Name)}: each pooled value's 2×2 conv pixels are computed in registers, and only their");
        w.Line("// maximum and which pixel won are stored; this layer's own output is never written.");
        string bias = HasBias(c) ? $"Parameters.Slice({Weight(c, "bias")})" : "default";
        w.Line($"global::ConvNetGen.Kernels.ConvMaxPool.Forward({c.InputBuffer}, Parameters.Slice({Weight(c, "kernel")}), {bias}, ws.{pool.Identifier}Output, ws.{pool.Identifier}Winners, batch, IH, IW, IC, KH, KW, OC, global::ConvNetGen.Activation.{c.Layer.Spec.Activation});");
    }

    /// <summary>The fused pass's weight gradients, from the pooled output's gradient; nothing below needs an input gradient.</summary>
    private static void FusedBackward(SourceWriter w, LayerContext c)
    {
        var pool = c.Next!;
        Constants(w, c, window: true);
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            w.Line($"// Fused with {SourceWriter.Xml(pool.Name)}: each pooled value's gradient reaches the conv pixel that won its window,");
            w.Line("// and from there dKernel[KH×KW×IC×OC] += windowᵀ · gradient and dBias[OC] += gradient.");
            string bias = HasBias(c) ? $"ws.Gradients.AsSpan({Weight(c, "bias")})" : "default";
            w.Line($"global::ConvNetGen.Kernels.ConvMaxPool.BackwardWeights({c.InputBuffer}, ws.{pool.Identifier}Output, ws.{pool.Identifier}Winners, ws.{pool.Identifier}Gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), {bias}, batch, IH, IW, IC, KH, KW, OC, global::ConvNetGen.Activation.{c.Layer.Spec.Activation});");
        }
    }

    /// <summary>
    /// Opens the loops over the computed output pixels, in row order, declaring <c>oy</c>, <c>ox</c> and <c>row</c>
    /// (the pixel's first patch value); disposing closes them.
    /// </summary>
    private static System.IDisposable PixelLoops(SourceWriter w, LayerContext c)
    {
        var blocks = new Stack<System.IDisposable>();
        blocks.Push(w.Block("for (int b = 0; b < batch; b++)"));
        if (c.RowsByPoolWindow)
        {
            blocks.Push(w.Block("for (int py = 0; py < PH; py++)"));
            blocks.Push(w.Block("for (int px = 0; px < PW; px++)"));
            blocks.Push(w.Block("for (int wy = 0; wy < PKH; wy++)"));
            blocks.Push(w.Block("for (int wx = 0; wx < PKW; wx++)"));
            w.Line("int oy = py * PKH + wy, ox = px * PKW + wx;");
            w.Line("int row = ((((b * PH + py) * PW + px) * PKH + wy) * PKW + wx) * Taps;");
        }
        else
        {
            blocks.Push(w.Block("for (int oy = 0; oy < OH; oy++)"));
            blocks.Push(w.Block("for (int ox = 0; ox < OW; ox++)"));
            w.Line("int row = ((b * OH + oy) * OW + ox) * Taps;");
        }
        return new Closer(blocks);
    }

    private sealed class Closer(Stack<System.IDisposable> blocks) : System.IDisposable
    {
        public void Dispose()
        {
            while (blocks.Count > 0) blocks.Pop().Dispose();
        }
    }

    /// <summary>im2col (copy windows into rows) or, for the gradient, col2im (add rows back onto the windows).</summary>
    private static void Im2Col(SourceWriter w, LayerContext c, bool gradient)
    {
        bool valid = c.Layer.PadTop == 0 && c.Layer.PadLeft == 0 && c.Layer.Spec.Padding == Model.PaddingKind.Valid;
        using (PixelLoops(w, c))
        {
            if (valid)
            {
                // Without padding every window lies inside the input, and each kernel row is KW·IC contiguous values.
                w.Line("int origin = ((b * IH + oy * SH) * IW + ox * SW) * IC;");
                int rowLength = c.Layer.Spec.WindowWidth * c.Layer.InputShape[2];
                if (!gradient && rowLength <= 8)
                {
                    // A few values per kernel row (e.g. one input channel): element copies beat a CopyTo call each.
                    for (int ky = 0; ky < c.Layer.Spec.WindowHeight; ky++)
                    for (int j = 0; j < rowLength; j++)
                        w.Line($"patches[row + {ky * rowLength + j}] = input[origin + {ky} * IW * IC + {j}];");
                    return;
                }
                for (int ky = 0; ky < c.Layer.Spec.WindowHeight; ky++)
                {
                    if (gradient)
                        w.Line($"global::ConvNetGen.Kernels.Accumulate.Into(patches.Slice(row + {ky} * KW * IC, KW * IC), inputGradient.Slice(origin + {ky} * IW * IC, KW * IC));");
                    else
                        w.Line($"input.Slice(origin + {ky} * IW * IC, KW * IC).CopyTo(patches.Slice(row + {ky} * KW * IC, KW * IC));");
                }
                return;
            }
            using (w.Block("for (int ky = 0; ky < KH; ky++)"))
            {
                w.Line("int iy = oy * SH + ky - PT;");
                using (w.Block("for (int kx = 0; kx < KW; kx++)"))
                {
                    w.Line("int ix = ox * SW + kx - PL;");
                    w.Line("var tap = patches.Slice(row + (ky * KW + kx) * IC, IC);");
                    if (gradient)
                    {
                        w.Line("if ((uint)iy >= IH || (uint)ix >= IW) continue; // padding takes no gradient");
                        w.Line("var target = inputGradient.Slice(((b * IH + iy) * IW + ix) * IC, IC);");
                        w.Line("global::ConvNetGen.Kernels.Accumulate.Into(tap, target);");
                    }
                    else
                    {
                        w.Line("if ((uint)iy < IH && (uint)ix < IW) input.Slice(((b * IH + iy) * IW + ix) * IC, IC).CopyTo(tap);");
                        w.Line("else tap.Clear(); // zero padding");
                    }
                }
            }
        }
    }
}
