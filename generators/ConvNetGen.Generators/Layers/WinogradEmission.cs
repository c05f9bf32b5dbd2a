using System.Collections.Generic;
using ConvNetGen.Generators.Model;

using ConvNetGen.Generators.Emitting;

namespace ConvNetGen.Generators.Layers;

/// <summary>
/// A Conv2D as Winograd's minimal filtering, in the flavour the plan chose: F(2×2, 3×3) when each 2×2 window of the
/// max pooling after the conv is one output tile (outputs ordered window by window), F(3×3, 3×3) or F(4×4, 3×3) over a
/// plain NHWC output (F(3×3)'s last row and column of tiles may overhang it). Either way the kernel and a block of input tiles are transformed, multiplied
/// position by position (one GEMM per position), and transformed back; backward is the adjoint, block by block.
/// </summary>
internal static class WinogradEmission
{
    /// <summary>The runtime class of one flavour, its <c>WinogradFlavour</c> member and how the comments name it.</summary>
    private sealed record Flavour(string Kernels, string Member, string Description);

    private static readonly Flavour Pooled = new("global::ConvNetGen.Kernels.Winograd", "F2x2", "F(2×2, 3×3)");
    private static readonly Flavour Threes = new("global::ConvNetGen.Kernels.WinogradF3", "F3x3", "F(3×3, 3×3)");
    private static readonly Flavour Fours = new("global::ConvNetGen.Kernels.WinogradF4", "F4x4", "F(4×4, 3×3)");

    private static Flavour Of(LayerContext c) => c.Winograd ? Pooled : Tile(c) == 4 ? Fours : Threes;

    /// <summary>The output tile's side the plan chose.</summary>
    private static int Tile(LayerContext c) => c.Strategy.Winograd!.OutputTile;

    /// <summary>The smallest batch that runs Winograd (below it, im2col + GEMM), as the plan decided it.</summary>
    public static int MinBatch(LayerContext c) => c.Strategy.Winograd!.MinBatch;

    /// <summary>
    /// The distance between consecutive positions' matrices in a transformed buffer: the runtime's
    /// <c>ConvNetGen.Kernels.Winograd.Plane</c> (rows × columns + 16), which both flavours use.
    /// </summary>
    private static long Plane(long rows, long columns) => rows * columns + 16;

    /// <summary>
    /// The transformed kernel, input and products, which the forward pass uses in either mode; the kernel's gradient
    /// and its transpose, which only the backward pass does.
    /// </summary>
    public static IEnumerable<BufferPlan> Buffers(LayerContext c)
    {
        var t = c.Strategy.Winograd!;
        int ic = c.Layer.InputShape[2], oc = c.Layer.OutputShape[2], block = t.BlockTiles;
        BufferPlan Make(string suffix, BufferSize size, bool trainingOnly, string comment, string derivation) =>
            new(c.Layer.Index, c.Id + suffix, "float", BufferKind.Allocated, size, trainingOnly, comment, derivation);
        long oneBlock = t.Positions * Plane(block, ic);
        // A training step transforms the kernel into its workspace (the backward pass reads it); inference reads the
        // model's copy, transformed once per change of the weights (Model.WinogradKernel), so it has no U of its own.
        yield return Make("TransformedKernel", BufferSize.Constant(t.Positions * Plane(ic, oc)), true, "U = G g Gᵀ, per position: IC × OC",
            $"{t.Positions} positions × ({ic}×{oc} + 16)");
        // Each pass works block by block, so V and M are one block each (in L2), and in an inference workspace
        // scratch shared with the other Winograd convs'. The backward pass transforms each block's input again rather
        // than keeping every block's V from the forward: V is 36/16 of the input, and writing it all to memory and
        // reading it back cost more than the transform.
        yield return Make("TransformedInput", BufferSize.Constant(oneBlock), false, "V = Bᵀ d B for one block of tiles, per position: tiles × IC; reused for dV",
            $"{t.Positions} positions × ({block}×{ic} + 16)")
            with { ForwardScratch = true, ScratchShare = WorkspaceLayout.InferenceInputScratch };
        yield return Make("Products", BufferSize.Constant(t.Positions * Plane(block, oc)), false, "M = V · U for one block of tiles, per position: tiles × OC; reused for dM",
            $"{t.Positions} positions × ({block}×{oc} + 16)") with { ForwardScratch = true, ScratchShare = WorkspaceLayout.InferenceProductScratch };
        yield return Make("TransformedKernelGradient", BufferSize.Constant(t.Positions * Plane(ic, oc)), true, "dU = Vᵀ · dM, per position",
            $"{t.Positions} positions × ({ic}×{oc} + 16)");
        yield return Make("TransformedKernelTransposed", BufferSize.Constant(t.Positions * Plane(oc, ic)), true, "Uᵀ, per position: OC × IC, for dV = dM · Uᵀ",
            $"{t.Positions} positions × ({oc}×{ic} + 16)");
    }

    /// <summary>The constants and locals both passes start with: shapes, tiles, block size and the buffers.</summary>
    private static void Prologue(SourceWriter w, LayerContext c, System.Action gradientOrOutput)
    {
        var f = Of(c);
        LayerDefinition.Constants(w, c, c.Layer.Spec.Args<Conv2DArguments>().Window);
        Conv2D.PixelConstants(w, c);
        int m = Tile(c);
        if (!c.Winograd)
            w.Line(Exact(c) ? $"const int PH = OH / {m}, PW = OW / {m}; // {m}×{m} output tiles, exactly"
                : $"const int PH = (OH + {m - 1}) / {m}, PW = (OW + {m - 1}) / {m}; // {m}×{m} output tiles; the last row and column keep what the output has");
        w.Line($"const int Positions = {f.Kernels}.Positions, Block = {c.Strategy.Winograd!.BlockTiles}; // tiles per block: its V and M stay in L2");
        w.Line("int tiles = batch * PH * PW;");
        gradientOrOutput();
        w.Line($"global::System.Span<float> v = ws.{c.Id}TransformedInput, m = ws.{c.Id}Products;");
        w.Line("int uPlane = global::ConvNetGen.Kernels.Winograd.Plane(IC, OC);");
    }

    /// <summary>Whether a plain flavour's tiles divide the output exactly (otherwise the last row and column are cut to it).</summary>
    private static bool Exact(LayerContext c) => c.Layer.OutputShape[0] % Tile(c) == 0 && c.Layer.OutputShape[1] % Tile(c) == 0;

    /// <summary>The zero border the input tiles start inside, when same padding gives one (PT, PL).</summary>
    private static string Padding(LayerContext c) =>
        c.Layer.PadTop == 0 && c.Layer.PadLeft == 0 ? "" : ", padTop: PT, padLeft: PL";

    /// <summary>The output a plain flavour cuts its last tiles to, when the tiles do not divide it.</summary>
    private static string OutputSize(LayerContext c) => c.Winograd || Exact(c) ? "" : ", outputHeight: OH, outputWidth: OW";

    /// <summary>The block of tiles [first, first + n): its transformed input <c>vb</c> and the distances between positions in it and in the products.</summary>
    private static void BlockLocals(SourceWriter w)
    {
        w.Line("int n = global::System.Math.Min(Block, tiles - first);");
        w.Line("int vPlane = global::ConvNetGen.Kernels.Winograd.Plane(n, IC), mPlane = global::ConvNetGen.Kernels.Winograd.Plane(n, OC);");
        w.Line("var vb = v.Slice(0, Positions * vPlane);");
    }

    public static void Forward(SourceWriter w, LayerContext c)
    {
        var f = Of(c);
        Conv2D.ConvOperands operands = null!;
        Prologue(w, c, () => operands = Conv2D.Operands(w, c, "rows * OC"));
        w.Line(c.Winograd
            ? $"// Winograd {f.Description}: each of {SourceWriter.Xml(c.Next!.Name)}'s 2×2 windows is one output tile, from a 4×4 input tile."
            : $"// Winograd {f.Description}: each {Tile(c)}×{Tile(c)} block of the output is one tile, from a {Tile(c) + 2}×{Tile(c) + 2} input tile.");
        w.Line("// Training transforms the kernel into the workspace each step; inference reads the model's copy, transformed once per");
        w.Line("// change of the weights and packed in the panels the products read (uPanels columns wide; 0: row by row).");
        w.Line($"global::System.ReadOnlySpan<float> u = WinogradKernel({c.Layer.Index}, global::ConvNetGen.Kernels.WinogradFlavour.{f.Member}, {operands.Kernel}, IC, OC, ws.IsTraining, ws.{c.Id}TransformedKernel, out int uPanels);");
        string bias = operands.Bias;
        bool fusedActivation = c.Layer.Spec.Activation is Model.ActivationKind.Linear or Model.ActivationKind.ReLU;
        string activation = fusedActivation ? $", {operands.Activation}" : "";
        if (c.Fold is { Pool: >= 0 } folded)
        {
            w.Line($"// At inference {SourceWriter.Xml(c.Of(folded.Pool).Layer.Name)} is folded into this conv: each output tile's 2×2 windows are pooled as the");
            w.Line("// transform leaves them, straight into the pooling's output; this conv's own output is not stored, and the pooling's forward does nothing there.");
            w.Line($"global::System.Span<float> pooled = ws.IsTraining ? default : {c.Of(folded.Pool).OutputBuffer}.AsSpan(0, rows / 4 * OC);");
        }
        bool pools = c.Fold is { Pool: >= 0 };
        using (w.Block("for (int first = 0; first < tiles; first += Block)"))
        {
            BlockLocals(w);
            using (w.Block("if (ws.IsTraining)"))
            {
                w.Line($"{f.Kernels}.TransformInput({c.InputBuffer}, vb, batch, IH, IW, IC, PH, PW, first, n{Padding(c)});");
                w.Line("global::ConvNetGen.Kernels.Winograd.MultiplyPositions(vb, u, m, Positions, n, IC, OC, uPanels); // M[p] = V[p] · U[p] for every position p");
                w.Line(c.Winograd
                    ? $"{f.Kernels}.TransformOutput(m.Slice(0, Positions * mPlane), {bias}, output.Slice(first * 4 * OC, n * 4 * OC), n, OC{activation});"
                    : $"{f.Kernels}.TransformOutput(m.Slice(0, Positions * mPlane), {bias}, output, batch, PH, PW, OC, first, n{activation}{OutputSize(c)});");
            }
            // Inference: the three steps in one call, which a single image on several threads shares by tiles. F(2×2)
            // writes the block's own slice of its output; F(3×3) and F(4×4) the batch's, which a pooled F(4×4) tiles exactly.
            string target = c.Winograd
                ? pools ? "pooled.Slice(first * OC, n * OC)" : "output.Slice(first * 4 * OC, n * 4 * OC)"
                : pools ? "pooled" : "output";
            string inferenceActivation = fusedActivation ? operands.Activation : "global::ConvNetGen.Activation.Linear";
            string options = c.Winograd
                ? $"{inferenceActivation}, pooled: {(pools ? "true" : "false")}{Padding(c)}"
                : $"activation: {inferenceActivation}{(pools ? ", pooled: true" : "")}{Padding(c)}{(pools ? "" : OutputSize(c))}";
            string note = !pools ? ""
                : c.Winograd ? " // each tile, one window, pooled as it leaves the registers"
                : " // each tile's 2×2 windows pooled as they leave the registers";
            w.Line($"else {f.Kernels}.ForwardBlock({c.InputBuffer}, vb, u, m, {bias}, {target}, batch, IH, IW, IC, PH, PW, OC, first, n, uPanels, {options});{note}");
        }
        if (!fusedActivation)
            w.Line($"global::ConvNetGen.Kernels.Activations.Forward(global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, output, OC);");
    }

    public static void Backward(SourceWriter w, LayerContext c)
    {
        var f = Of(c);
        Prologue(w, c, () => w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * OC);"));
        w.Line($"global::System.Span<float> u = ws.{c.Id}TransformedKernel, du = ws.{c.Id}TransformedKernelGradient, ut = ws.{c.Id}TransformedKernelTransposed; // u: as this step's forward transformed it");
        w.Line("int utPlane = global::ConvNetGen.Kernels.Winograd.Plane(OC, IC);");
        bool hasBias = c.Layer.Spec.Args<Conv2DArguments>().UseBias;
        if (!c.ActivationBackwardInTransform) LayerDefinition.ActivationAndBiasBackward(w, c, hasBias, "rows", "OC", () => { });
        w.Line($"bool weights = ComputesWeightGradients({c.Layer.Index}), inputs = {(c.Previous is null ? "false" : $"ComputesInputGradient({c.Layer.Index})")};");
        if (c.ActivationBackwardInTransform)
        {
            w.Line($"// The activation's derivative is taken as each tile of the gradient is transformed{(hasBias ? ", and dBias from the tiles' sums" : "")}: no pass of its own.");
            w.Line($"global::System.Span<float> biasGradient = {(hasBias ? $"weights ? ws.Gradients.AsSpan({LayerDefinition.Weight(c, "bias")}) : default" : "default")};");
        }
        w.Line("if (weights) du.Clear();");
        w.Line($"global::System.Span<float> inputGradient = {(c.Previous is null ? "default" : $"{c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC)")};");
        using (w.Block("if (inputs)"))
        {
            w.Line("inputGradient.Clear();");
            w.Line("for (int p = 0; p < Positions; p++)");
            w.Line("    global::ConvNetGen.Kernels.Gemm.Transpose(u.Slice(p * uPlane, IC * OC), ut.Slice(p * utPlane, OC * IC), IC, OC);");
        }
        using (w.Block("for (int first = 0; first < tiles; first += Block)"))
        {
            BlockLocals(w);
            w.Line(c.Winograd
                ? $"{f.Kernels}.TransformOutputGradient(gradient.Slice(first * 4 * OC, n * 4 * OC), m.Slice(0, Positions * mPlane), n, OC); // m now holds dM"
                : c.ActivationBackwardInTransform
                ? $"{f.Kernels}.TransformActivationGradient(gradient, {(c.Layer.Spec.Activation == Model.ActivationKind.ReLU ? $"{c.OutputBuffer}.AsSpan(0, rows * OC)" : "default")}, global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, biasGradient, m.Slice(0, Positions * mPlane), batch, PH, PW, OC, first, n); // m now holds dM"
                : $"{f.Kernels}.TransformOutputGradient(gradient, m.Slice(0, Positions * mPlane), batch, PH, PW, OC, first, n{OutputSize(c)}); // m now holds dM");
            using (w.Block("if (weights)"))
            {
                w.Line("// The block's V again, as the forward pass made it.");
                w.Line($"{f.Kernels}.TransformInput({c.InputBuffer}, vb, batch, IH, IW, IC, PH, PW, first, n{Padding(c)});");
                w.Line("for (int p = 0; p < Positions; p++)");
                w.Line("    global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd(vb.Slice(p * vPlane, n * IC), m.Slice(p * mPlane, n * OC), du.Slice(p * uPlane, IC * OC), IC, OC, n);");
            }
            using (w.Block("if (inputs)"))
            {
                w.Line("// The block's V is no longer needed (or was not made): it takes dV.");
                w.Line("for (int p = 0; p < Positions; p++)");
                w.Line("    global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(m.Slice(p * mPlane, n * OC), ut.Slice(p * utPlane, OC * IC), default, vb.Slice(p * vPlane, n * IC), n, IC, OC, global::ConvNetGen.Activation.Linear);");
                w.Line($"{f.Kernels}.AddInputGradient(vb, inputGradient, batch, IH, IW, IC, PH, PW, first, n{Padding(c)});");
            }
        }
        w.Line($"if (weights) {f.Kernels}.AddKernelGradient(du, ws.Gradients.AsSpan({LayerDefinition.Weight(c, "kernel")}), IC, OC);");
    }
}
