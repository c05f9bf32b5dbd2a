using System.Collections.Generic;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[Conv2D(filters, kernelSize, …)] as written; <see cref="Filters"/> below 0 is a multiple of a block's Filters.</summary>
internal sealed record Conv2DArguments(int Filters, Window Window, ActivationKind Activation, bool UseBias) : LayerArguments
{
    public override ActivationKind Activation { get; } = Activation;
}

/// <summary>
/// Conv2D as im2col + one matrix multiply: each output pixel's window becomes a row of <c>Taps = KH·KW·IC</c> values,
/// and <c>output[rows×OC] = patches[rows×Taps] · kernel[Taps×OC]</c> (the HWIO kernel is that matrix as stored),
/// with the bias as the starting value and the activation applied to the result.
/// </summary>
internal sealed class Conv2D : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Conv2D;

    public override string Prefix => "conv2d";

    public override LayerArguments Read(AttributeArguments args) => new Conv2DArguments(
        args.Int("filters", 0),
        new Window(
            args.Int("kernelHeight", args.Int("kernelSize", 0)),
            args.Int("kernelWidth", args.Int("kernelSize", 0)),
            args.Stride("StrideHeight", 1, zeroStridesMeansDefault: false),
            args.Stride("StrideWidth", 1, zeroStridesMeansDefault: false),
            (PaddingKind)args.Int("Padding", 0)),
        (ActivationKind)args.Int("Activation", 0),
        args.Bool("UseBias", true));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<Conv2DArguments>();
        check.Activation(a.Activation);
        if (a.Filters <= 0) check.Invalid($"filters must be positive but is {a.Filters}{BlockHint(a.Filters)}");
        check.Window(a.Window, "kernel", stridesFollowSize: false);
    }

    /// <summary>A negative count is what Block.Filters becomes outside a block.</summary>
    internal static string BlockHint(int count) =>
        count < 0 ? " (Block.Filters stands for the Filters of an [Include] of a [Block]; outside one it means nothing)" : "";

    public override int[]? OutputShape(ShapeContext c) => Pooling2D.WindowOutput(c, c.Layer.Args<Conv2DArguments>().Window, "kernel", c.Layer.Args<Conv2DArguments>().Filters);

    public override IEnumerable<WeightShape> Weights(LayerSpec layer, int[] input)
    {
        var a = layer.Args<Conv2DArguments>();
        yield return new WeightShape("kernel", true, a.Window.Height, a.Window.Width, input[2], a.Filters);
        if (a.UseBias) yield return new WeightShape("bias", true, a.Filters);
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<Conv2DArguments>();
        string activation = a.Activation == ActivationKind.Linear ? "" : $", {a.Activation}";
        return $"Conv2D {a.Filters} filters {Pooling2D.DescribeWindow(a.Window)}{activation}; {Shapes(layer)}.";
    }

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer) => WindowConfig(layer, layer.Spec.Args<Conv2DArguments>().Window);

    public override void ShapeConstants(SourceWriter w, LayerPlan layer) => Pooling2D.WindowConstants(w, layer, layer.Spec.Args<Conv2DArguments>().Window, "Kernel");

    private static Conv2DArguments A(LayerContext c) => c.Layer.Spec.Args<Conv2DArguments>();

    private static bool HasBias(LayerContext c) => A(c).UseBias;

    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        if (c.FusesNextPool) yield break; // no patches: the fused pass reads its windows from the input
        if (c.Winograd || c.WinogradTiled)
        {
            foreach (var buffer in WinogradEmission.Buffers(c)) yield return buffer;
            if (WinogradEmission.MinBatch(c) <= 1) yield break; // Winograd always: no patches
        }
        var s = A(c).Window;
        long pixels = (long)c.Layer.OutputShape[0] * c.Layer.OutputShape[1], taps = (long)s.Height * s.Width * c.Layer.InputShape[2];
        // Training's forward writes them all and the backward reuses them for the patch gradients. Inference writes
        // them block by block into the runtime's per-thread scratch (Im2ColBlocks) unless the rows go in pooling
        // order (and inference does not always take Winograd); then only this layer's forward reads them, so the convs
        // share one array there.
        bool inferenceReadsPatches = c.RowsByPoolWindow && !(c.Winograd && c.Strategy.Winograd!.InferenceMinBatch <= 1);
        yield return Buffer(c, "Patches", "float", BufferSize.Samples(pixels * taps), trainingOnly: !inferenceReadsPatches,
            "im2col rows, one per output pixel; reused for the patch gradients",
            $"{c.Layer.OutputShape[0]}×{c.Layer.OutputShape[1]} pixels × {s.Height}×{s.Width}×{c.Layer.InputShape[2]} taps",
            forwardScratch: true);
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        if (c.FusesNextPool)
        {
            FusedForward(w, c);
            return;
        }
        if (c.Winograd || c.WinogradTiled)
        {
            if (WinogradEmission.MinBatch(c) <= 1)
            {
                WinogradEmission.Forward(w, c);
                return;
            }
            int inference = c.Strategy.Winograd!.InferenceMinBatch;
            w.Line($"// Winograd from {WinogradEmission.MinBatch(c)} samples on; below that, transforming the kernel costs more than it saves.");
            if (inference < WinogradEmission.MinBatch(c))
                w.Line($"// Inference reads the model's transformed kernel, so from {inference} on{(inference == 1 ? " (a single image too)" : "")}: its products have rows enough.");
            string condition = inference < WinogradEmission.MinBatch(c)
                ? $"batch >= (ws.IsTraining ? {WinogradEmission.MinBatch(c)} : {inference})" : $"batch >= {WinogradEmission.MinBatch(c)}";
            using (w.Block($"if ({condition})"))
                WinogradEmission.Forward(w, c);
            using (w.Block("else"))
                DirectForward(w, c);
            return;
        }
        DirectForward(w, c);
    }

    /// <summary>im2col, then one GEMM with the bias and activation fused into its store (at inference, block by block of rows).</summary>
    private static void DirectForward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, A(c).Window);
        PixelConstants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer};");
        var operands = Operands(w, c, "rows * OC");
        w.Line("// Inference reads the kernel packed in the GEMM's panels (kept on the model until the weights change); training as it is.");
        w.Line($"global::System.ReadOnlySpan<float> kernel = PackedKernel({c.Layer.Index}, {operands.Kernel}, Taps, OC, ws.IsTraining, out int kernelPanels);");
        string product = $"{A(c).Activation}(patches[rows×Taps] · kernel[Taps×OC]{(HasBias(c) ? " + bias" : "")})";
        if (c.RowsByPoolWindow)
        {
            AllPatchesForward(w, c, operands, product);
            return;
        }
        using (w.Block("if (!ws.IsTraining)"))
        {
            w.Line($"// output[rows×OC] = {product}, im2col and the product block by block of rows in a per-thread scratch: the patches are never all held");
            w.Line($"global::ConvNetGen.Kernels.Im2ColBlocks.Forward(input, kernel, kernelPanels, {operands.Bias}, output, batch, new global::ConvNetGen.Kernels.ConvGeometry(IH, IW, IC, OH, OW, KH, KW, SH, SW, PT, PL), OC, {operands.Activation});");
        }
        using (w.Block("else"))
            AllPatchesForward(w, c, operands, product);
    }

    /// <summary>What a conv's product reads (the kernel and bias) and how it stores (the activation); the output span is declared as <c>output</c>.</summary>
    internal sealed record ConvOperands(string Kernel, string Bias, string Activation);

    /// <summary>
    /// Declares <c>output</c> (<paramref name="length"/> floats) and returns the product's operands: the layer's kernel,
    /// bias and activation as written — or, when the conv folds layers in at inference (<see cref="LayerContext.Fold"/>),
    /// locals that an inference workspace points at the kernel and bias with the BatchNormalization folded in
    /// (<c>Model.FoldedKernel</c>), the folded ReLU and the last folded layer's output.
    /// </summary>
    internal static ConvOperands Operands(SourceWriter w, LayerContext c, string length)
    {
        string kernel = $"ParameterBuffer.Slice({Weight(c, "kernel")})";
        string bias = HasBias(c) ? $"ParameterBuffer.Slice({Weight(c, "bias")})" : "default";
        if (c.Fold is { Pool: >= 0 } pooled)
        {
            // At inference the conv writes the pooling's output (WinogradEmission); its own exists in training only.
            w.Line($"global::System.Span<float> output = ws.IsTraining ? {c.OutputBuffer}.AsSpan(0, {length}) : default;");
            return new ConvOperands(kernel, bias, $"global::ConvNetGen.Activation.{A(c).Activation}");
        }
        if (c.Fold is not { } fold)
        {
            w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, {length});");
            return new ConvOperands(kernel, bias, $"global::ConvNetGen.Activation.{A(c).Activation}");
        }
        var bn = c.Of(fold.BatchNormalization);
        var writes = c.Of(fold.Writes);
        string folded = SourceWriter.Xml(bn.Layer.Name) + (fold.Activation >= 0 ? $" and {SourceWriter.Xml(c.Model.Layers[fold.Activation].Name)}" : "");
        w.Line($"// At inference {folded} {(fold.Activation >= 0 ? "are" : "is")} folded into this conv (moving statistics are constants there): each filter's weights");
        w.Line("// scaled by γ/√(var + ε) and its bias made (b − mean)·γ/√(var + ε) + β (Model.FoldedKernel, kept until the weights change)" + (fold.Activation >= 0 ? "," : ";"));
        if (fold.Activation >= 0) w.Line("// the ReLU applied as results leave the registers;");
        w.Line($"// the result goes straight into {SourceWriter.Xml(writes.Layer.Name)}'s output, and the folded layers' forwards do nothing there.");
        w.Line($"global::System.ReadOnlySpan<float> weights = {kernel}, bias = {bias};");
        w.Line("global::System.Span<float> output;");
        w.Line("global::ConvNetGen.Activation activation = global::ConvNetGen.Activation.Linear;");
        w.Line($"if (ws.IsTraining) output = {c.OutputBuffer}.AsSpan(0, {length});");
        using (w.Block("else"))
        {
            string epsilon = SourceWriter.Float(bn.Layer.Spec.Args<BatchNormalizationArguments>().Epsilon);
            w.Line($"weights = FoldedKernel({c.Layer.Index}, weights, bias, ParameterBuffer.Slice({Weight(bn, "gamma")}), ParameterBuffer.Slice({Weight(bn, "beta")}),");
            w.Line($"    ParameterBuffer.Slice({Weight(bn, "moving_mean")}), ParameterBuffer.Slice({Weight(bn, "moving_variance")}), {epsilon}, OC, out bias);");
            w.Line($"output = {writes.OutputBuffer}.AsSpan(0, {length});");
            if (fold.Activation >= 0) w.Line("activation = global::ConvNetGen.Activation.ReLU;");
        }
        return new ConvOperands("weights", "bias", "activation");
    }

    /// <summary>im2col of every row into the workspace's patches (the backward reads them), then one GEMM.</summary>
    private static void AllPatchesForward(SourceWriter w, LayerContext c, ConvOperands operands, string product)
    {
        w.Line($"global::System.Span<float> patches = ws.{c.Id}Patches.AsSpan(0, rows * Taps);");
        w.Line(c.RowsByPoolWindow
            ? $"// im2col: one row per output pixel {SourceWriter.Xml(c.Next!.Name)} reads, window by window, holding the KH×KW×IC window under it."
            : "// im2col: row (b, oy, ox) holds the KH×KW×IC window under output pixel (oy, ox).");
        Im2Col(w, c, gradient: false);
        w.Line($"// output[rows×OC] = {product}, the bias and activation applied as results leave the registers");
        w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(patches, kernel, kernelPanels, {operands.Bias}, output, rows, OC, Taps, {operands.Activation});");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.FusesNextPool)
        {
            FusedBackward(w, c);
            return;
        }
        if (c.Winograd || c.WinogradTiled)
        {
            if (WinogradEmission.MinBatch(c) <= 1)
            {
                WinogradEmission.Backward(w, c);
                return;
            }
            using (w.Block($"if (batch >= {WinogradEmission.MinBatch(c)}) // as the forward pass chose"))
                WinogradEmission.Backward(w, c);
            using (w.Block("else"))
                DirectBackward(w, c);
            return;
        }
        DirectBackward(w, c);
    }

    /// <summary>The activation's derivative and bias gradient, dKernel from the stored patches, and dInput through col2im.</summary>
    private static void DirectBackward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, A(c).Window);
        PixelConstants(w, c);
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * OC);");
        w.Line($"global::System.Span<float> patches = ws.{c.Id}Patches.AsSpan(0, rows * Taps);");
        ActivationAndBiasBackward(w, c, HasBias(c), "rows", "OC", () =>
        {
            w.Line("// dKernel[Taps×OC] += patchesᵀ · gradient");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd(patches, gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), Taps, OC, rows);");
        });
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line("// dPatches[rows×Taps] = gradient · kernelᵀ, then col2im adds each window back onto the input it came from.");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedB(gradient, ParameterBuffer.Slice({Weight(c, "kernel")}), patches, rows, Taps, OC);");
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC);");
            w.Line("inputGradient.Clear();");
            Im2Col(w, c, gradient: true);
        }
    }

    /// <summary>
    /// <c>Taps</c>, the values in one window, and <c>rows</c>, the output pixels computed: all of them, or, ordered by
    /// the pooling's windows, only those it reads (PH×PW windows of PKH×PKW pixels per sample).
    /// </summary>
    internal static void PixelConstants(SourceWriter w, LayerContext c)
    {
        w.Line("const int Taps = KH * KW * IC;");
        if (c.RowsByPoolWindow)
        {
            var pool = c.Next!;
            var pw = pool.Spec.Args<Pooling2DArguments>().Window;
            w.Line($"const int PH = {pool.OutputShape[0]}, PW = {pool.OutputShape[1]}, PKH = {pw.Height}, PKW = {pw.Width};");
            w.Line($"const int Pixels = PH * PW * PKH * PKW; // the pixels {SourceWriter.Xml(pool.Name)} reads, window by window");
        }
        else
        {
            w.Line("const int Pixels = OH * OW;");
        }
        w.Line("int rows = batch * Pixels;");
    }

    /// <summary>The conv and the 2×2 max pooling after it in one pass, writing only the pooled output and each window's winner.</summary>
    private static void FusedForward(SourceWriter w, LayerContext c)
    {
        var pool = c.Next!;
        Constants(w, c, A(c).Window);
        w.Line($"// Fused with {SourceWriter.Xml(pool.Name)}: each pooled value's 2×2 conv pixels are computed in registers, and only their");
        w.Line("// maximum and which pixel won are stored; this layer's own output is never written.");
        string bias = HasBias(c) ? $"ParameterBuffer.Slice({Weight(c, "bias")})" : "default";
        w.Line($"global::ConvNetGen.Kernels.ConvMaxPool.Forward({c.InputBuffer}, ParameterBuffer.Slice({Weight(c, "kernel")}), {bias}, ws.{pool.Identifier}Output, ws.{pool.Identifier}Winners, batch, IH, IW, IC, KH, KW, OC, global::ConvNetGen.Activation.{A(c).Activation});");
    }

    /// <summary>The fused pass's weight gradients, from the pooled output's gradient; nothing below needs an input gradient.</summary>
    private static void FusedBackward(SourceWriter w, LayerContext c)
    {
        var pool = c.Next!;
        Constants(w, c, A(c).Window);
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            w.Line($"// Fused with {SourceWriter.Xml(pool.Name)}: each pooled value's gradient reaches the conv pixel that won its window,");
            w.Line("// and from there dKernel[KH×KW×IC×OC] += windowᵀ · gradient and dBias[OC] += gradient.");
            string bias = HasBias(c) ? $"ws.Gradients.AsSpan({Weight(c, "bias")})" : "default";
            w.Line($"global::ConvNetGen.Kernels.ConvMaxPool.BackwardWeights({c.InputBuffer}, ws.{pool.Identifier}Output, ws.{pool.Identifier}Winners, ws.{pool.Identifier}Gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), {bias}, batch, IH, IW, IC, KH, KW, OC, global::ConvNetGen.Activation.{A(c).Activation});");
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
        var window = A(c).Window;
        bool valid = c.Layer.PadTop == 0 && c.Layer.PadLeft == 0 && window.Padding == PaddingKind.Valid;
        using (PixelLoops(w, c))
        {
            if (valid)
            {
                // Without padding every window lies inside the input, and each kernel row is KW·IC contiguous values.
                w.Line("int origin = ((b * IH + oy * SH) * IW + ox * SW) * IC;");
                int rowLength = window.Width * c.Layer.InputShape[2];
                if (!gradient && rowLength <= 8)
                {
                    // A few values per kernel row (e.g. one input channel): element copies beat a CopyTo call each.
                    for (int ky = 0; ky < window.Height; ky++)
                    for (int j = 0; j < rowLength; j++)
                        w.Line($"patches[row + {ky * rowLength + j}] = input[origin + {ky} * IW * IC + {j}];");
                    return;
                }
                for (int ky = 0; ky < window.Height; ky++)
                {
                    if (gradient)
                        w.Line($"global::ConvNetGen.Kernels.Accumulate.Into(patches.Slice(row + {ky} * KW * IC, KW * IC), inputGradient.Slice(origin + {ky} * IW * IC, KW * IC));");
                    else
                        w.Line($"input.Slice(origin + {ky} * IW * IC, KW * IC).CopyTo(patches.Slice(row + {ky} * KW * IC, KW * IC));");
                }
                return;
            }
            // With padding, a kernel row's taps inside the input are one contiguous run [first, last) of pixels:
            // copied (or, for the gradient, added back) in one go, and the padding around it zeroed.
            w.Line("int x0 = ox * SW - PL; // the input column under kx = 0");
            w.Line("int first = global::System.Math.Max(0, -x0), last = global::System.Math.Min(KW, IW - x0);");
            bool shortRows = window.Width * c.Layer.InputShape[2] <= 8;
            using (w.Block("for (int ky = 0; ky < KH; ky++)"))
            {
                w.Line("int iy = oy * SH + ky - PT;");
                if (gradient)
                {
                    w.Line("if ((uint)iy >= IH || last <= first) continue; // padding takes no gradient");
                    if (shortRows)
                    {
                        // A few values per kernel row (e.g. one input channel): element adds beat a call each.
                        w.Line("int at = ((b * IH + iy) * IW + x0) * IC, tap = row + ky * KW * IC;");
                        w.Line("for (int j = first * IC; j < last * IC; j++) inputGradient[at + j] += patches[tap + j];");
                    }
                    else
                        w.Line("global::ConvNetGen.Kernels.Accumulate.Into(patches.Slice(row + (ky * KW + first) * IC, (last - first) * IC), inputGradient.Slice(((b * IH + iy) * IW + x0 + first) * IC, (last - first) * IC));");
                }
                else
                {
                    w.Line("var taps = patches.Slice(row + ky * KW * IC, KW * IC);");
                    using (w.Block("if ((uint)iy >= IH || last <= first)"))
                    {
                        w.Line("taps.Clear(); // the whole kernel row lies in the padding");
                        w.Line("continue;");
                    }
                    if (shortRows)
                    {
                        w.Line("int at = ((b * IH + iy) * IW + x0) * IC;");
                        w.Line("for (int j = 0; j < KW * IC; j++) taps[j] = j >= first * IC && j < last * IC ? input[at + j] : 0f;");
                    }
                    else
                    {
                        w.Line("taps.Slice(0, first * IC).Clear();");
                        w.Line("input.Slice(((b * IH + iy) * IW + x0 + first) * IC, (last - first) * IC).CopyTo(taps.Slice(first * IC));");
                        w.Line("taps.Slice(last * IC).Clear();");
                    }
                }
            }
        }
    }
}
