using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Winograd's F(2×2, 3×3) for a 3×3, stride-1 convolution, valid or same-padded, whose output is read in 2×2 tiles
/// (the windows of the 2×2 max pooling after it): each tile's 4 outputs come from a 4×4 input tile with 16 multiplies per input
/// channel and filter instead of 36, so the three matrix multiplies of a training step shrink 2.25×.
/// <para>
/// The caller transforms the kernel (<see cref="TransformKernel"/>: U, 16 × IC × OC) and the input tiles
/// (<see cref="TransformInput"/>: V, 16 × tiles × IC), multiplies position by position (<c>M[p] = V[p] · U[p]</c>,
/// tiles × OC, with <see cref="Gemm"/>), and transforms back (<see cref="TransformOutput"/>). Each transformed
/// buffer holds its 16 matrices <see cref="Plane"/> apart. Backward is the adjoint:
/// <see cref="TransformOutputGradient"/> gives dM, then <c>dU[p] = V[p]ᵀ · dM[p]</c> (<see cref="AddKernelGradient"/>
/// takes it to the kernel) and <c>dV[p] = dM[p] · U[p]ᵀ</c> (<see cref="AddInputGradient"/> takes it to the input).
/// </para>
/// <para>
/// Layouts: input NHWC; kernel HWIO; tile t = (b·TH + ty)·TW + tx covers input rows 2·ty − padTop … 2·ty − padTop + 3
/// (columns alike), pixels outside the image reading as zero (same padding); position p = 4·i + j of the 4×4 transformed tile; outputs are written tile by tile, the tile's
/// 2×2 pixels as consecutive rows (q = 2·i + j) — the order the pooling reads.
/// </para>
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Winograd
{
    /// <summary>Positions in a transformed 4×4 tile: the number of matrix multiplies per pass.</summary>
    public const int Positions = 16;

    /// <summary>
    /// The distance between consecutive positions' matrices of <paramref name="rows"/> × <paramref name="columns"/> in
    /// every transformed buffer: position p's matrix starts at p · Plane. 16 floats (a cache line) longer than the
    /// matrix, so the 16 positions a transform reads or writes together do not all fall in one cache set (a plain
    /// multiple of 4 KB would, and thrash the L1 cache).
    /// </summary>
    public static int Plane(int rows, int columns) => rows * columns + 16;

    /// <summary>U[p][c][f] = (G g Gᵀ)[p] for each input channel c and filter f of the 3×3 HWIO kernel g.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformKernel(ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || kernel.Length < 9L * inputChannels * filters || transformed.Length < (long)Positions * Plane(inputChannels, filters))
            throw new ArgumentException($"Winograd.TransformKernel: a 3×3×{inputChannels}×{filters} kernel needs {9L * inputChannels * filters} values (got {kernel.Length}) and {(long)Positions * Plane(inputChannels, filters)} transformed (got {transformed.Length}).");
        fixed (float* k = kernel, u = transformed)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradKernel<Simd512, Vector512<float>>.TransformKernel(k, inputChannels, filters, u); break;
                case 256: WinogradKernel<Simd256, Vector256<float>>.TransformKernel(k, inputChannels, filters, u); break;
                case 128: WinogradKernel<Simd128, Vector128<float>>.TransformKernel(k, inputChannels, filters, u); break;
                default: WinogradKernel<SimdScalar, float>.TransformKernel(k, inputChannels, filters, u); break;
            }
        }
    }

    /// <summary>
    /// V[p][t − first][c] = (Bᵀ d B)[p] for the 4×4 input tiles d of tiles [<paramref name="firstTile"/>,
    /// <paramref name="firstTile"/> + <paramref name="tileCount"/>), of <paramref name="tilesHigh"/> × <paramref name="tilesWide"/>
    /// per sample: a block of tiles at a time, so V and the products stay in cache.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static unsafe void TransformInput(ReadOnlySpan<float> input, Span<float> transformed, int batch, int inputHeight, int inputWidth,
                                             int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked("Winograd." + nameof(TransformInput), 2, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require("Winograd." + nameof(TransformInput), "input", input.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        WinogradShape.Require("Winograd." + nameof(TransformInput), "transformed", transformed.Length, (long)Positions * Plane(tileCount, inputChannels));
        fixed (float* x = input, v = transformed)
            WinogradTransformSplit.InputTiles(Gemm.ActiveWidth, WinogradFlavour.F2x2, s, x, v, firstTile, tileCount);
    }

    /// <summary>
    /// <c>M[p] = V[p] · U[p]</c> for each of a block's <paramref name="positions"/> positions (<paramref name="tiles"/> ×
    /// IC times IC × OC, each matrix <see cref="Plane"/> apart), for either flavour. In an inference pass that may use
    /// several threads the positions are shared between them, each product computed whole by one thread, so the
    /// results are the same bits either way. <paramref name="kernelPanels"/>: 0 when each U[p] is row by row; else the
    /// panel width U was packed in (<see cref="PackKernel"/>, as inference's prepared kernels are), which must be this
    /// thread's path's — the same products, read in order.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, a span is too short, or U was packed for another path.</exception>
    public static unsafe void MultiplyPositions(ReadOnlySpan<float> transformedInput, ReadOnlySpan<float> transformedKernel, Span<float> products,
                                                int positions, int tiles, int inputChannels, int filters, int kernelPanels = 0)
    {
        if (positions <= 0 || tiles < 0 || inputChannels <= 0 || filters <= 0)
            throw new ArgumentException($"Winograd.MultiplyPositions: {positions} positions of {tiles} tiles, {inputChannels} input channels, {filters} filters.");
        WinogradShape.Require("Winograd." + nameof(MultiplyPositions), "transformed input", transformedInput.Length, (long)positions * Plane(tiles, inputChannels));
        WinogradShape.Require("Winograd." + nameof(MultiplyPositions), "transformed kernel", transformedKernel.Length, (long)positions * Plane(inputChannels, filters));
        WinogradShape.Require("Winograd." + nameof(MultiplyPositions), "products", products.Length, (long)positions * Plane(tiles, filters));
        int width = Gemm.ActiveWidth;
        Gemm.RequirePanels("Winograd.MultiplyPositions", "U", kernelPanels, width, nameof(kernelPanels));
        if (tiles == 0) return;
        bool packed = kernelPanels != 0;
        fixed (float* v = transformedInput, u = transformedKernel, m = products)
        {
            if (WinogradPositionSplit.TryRun(width, v, u, m, positions, tiles, inputChannels, filters, packed)) return;
            nint vPlane = Plane(tiles, inputChannels), uPlane = Plane(inputChannels, filters), mPlane = Plane(tiles, filters);
            for (int p = 0; p < positions; p++) WinogradPositionSplit.Multiply(width, v, u, m, p, vPlane, uPlane, mPlane, tiles, inputChannels, filters, packed);
        }
    }

    /// <summary>
    /// Each position's U[p] (IC × OC, <see cref="Plane"/> apart) rewritten in the panels of this thread's path
    /// (<see cref="Gemm.PackPanels"/>), for <see cref="MultiplyPositions"/>; returns the panel width to pass it.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    internal static int PackKernel(ReadOnlySpan<float> transformed, Span<float> packed, int positions, int inputChannels, int filters)
    {
        int plane = Plane(inputChannels, filters), panel = Gemm.PanelColumns(Gemm.ActiveWidth);
        WinogradShape.Require("Winograd." + nameof(PackKernel), "transformed kernel", transformed.Length, (long)positions * plane);
        WinogradShape.Require("Winograd." + nameof(PackKernel), "packed kernel", packed.Length, (long)positions * plane);
        for (int p = 0; p < positions; p++)
            Gemm.PackPanels(transformed.Slice(p * plane, inputChannels * filters), packed.Slice(p * plane, inputChannels * filters), inputChannels, filters, panel);
        return panel;
    }

    /// <summary>
    /// <c>output[(t·4 + q)·OC + f] = activation((Aᵀ M A)[q] + bias[f])</c> (no bias when empty): ReLU and linear are
    /// applied as the values are stored; other activations are left to the caller.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformOutput(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> output, int tiles, int filters,
                                              Activation activation = Activation.Linear)
    {
        if (activation is not (Activation.Linear or Activation.ReLU))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Winograd.TransformOutput applies ReLU or nothing; apply other activations afterwards.");
        bool relu = activation == Activation.ReLU;
        if (tiles < 0 || filters <= 0 || (bias.Length != 0 && bias.Length != filters))
            throw new ArgumentException($"Winograd.TransformOutput: {tiles} tiles of {filters} filters, with a bias of {bias.Length} (needs {filters} or none).");
        WinogradShape.Require("Winograd." + nameof(TransformOutput), "products", products.Length, (long)Positions * Plane(tiles, filters));
        WinogradShape.Require("Winograd." + nameof(TransformOutput), "output", output.Length, 4L * tiles * filters);
        fixed (float* m = products, b = bias, o = output)
            WinogradTransformSplit.OutputTiles(Gemm.ActiveWidth, WinogradFlavour.F2x2, default, filters, m, bias.IsEmpty ? null : b, relu, o, 0, tiles);
    }

    /// <summary>
    /// <c>pooled[t·OC + f]</c> = the maximum of the four outputs <see cref="TransformOutput"/> writes for tile t and
    /// filter f: each tile is one window of the 2×2 max pooling after a pool-ordered conv, so inference pools as the
    /// values leave the registers and never stores the conv's output. ReLU and linear only, as TransformOutput.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformOutputPooled(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> pooled, int tiles, int filters,
                                                    Activation activation = Activation.Linear)
    {
        if (activation is not (Activation.Linear or Activation.ReLU))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Winograd.TransformOutputPooled applies ReLU or nothing.");
        if (tiles < 0 || filters <= 0 || (bias.Length != 0 && bias.Length != filters))
            throw new ArgumentException($"Winograd.TransformOutputPooled: {tiles} tiles of {filters} filters, with a bias of {bias.Length} (needs {filters} or none).");
        WinogradShape.Require("Winograd." + nameof(TransformOutputPooled), "products", products.Length, (long)Positions * Plane(tiles, filters));
        WinogradShape.Require("Winograd." + nameof(TransformOutputPooled), "pooled", pooled.Length, (long)tiles * filters);
        fixed (float* m = products, b = bias, o = pooled)
            WinogradTransformSplit.OutputPooledTiles(Gemm.ActiveWidth, WinogradFlavour.F2x2, default, filters, m, bias.IsEmpty ? null : b, activation == Activation.ReLU, o, 0, tiles);
    }

    /// <summary>
    /// Inference's block of tiles [<paramref name="firstTile"/>, + <paramref name="tileCount"/>) in one call:
    /// <see cref="TransformInput"/> into <paramref name="transformed"/>, <see cref="MultiplyPositions"/> into
    /// <paramref name="products"/>, then <see cref="TransformOutputPooled"/> (<paramref name="pooled"/>) or
    /// <see cref="TransformOutput"/> into the block's <paramref name="output"/>. In a single sample's inference on several
    /// threads a block with a small transformed kernel is shared by tiles, each thread doing all three steps for its
    /// own, so nothing one core makes is read by the other; the same bits either way.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static unsafe void ForwardBlock(ReadOnlySpan<float> input, Span<float> transformed, ReadOnlySpan<float> transformedKernel, Span<float> products,
                                           ReadOnlySpan<float> bias, Span<float> output, int batch, int inputHeight, int inputWidth, int inputChannels,
                                           int tilesHigh, int tilesWide, int filters, int firstTile, int tileCount, int kernelPanels,
                                           Activation activation, bool pooled, int padTop = 0, int padLeft = 0)
    {
        if (activation is Activation.Linear or Activation.ReLU && WinogradBlockSplit.Wanted(Positions, tileCount, inputChannels, filters))
        {
            const string Caller = "Winograd." + nameof(ForwardBlock);
            var s = WinogradShape.Checked(Caller, 2, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
            WinogradBlockSplit.Require(Caller, Positions, input.Length, (long)batch * inputHeight * inputWidth * inputChannels, transformed.Length, transformedKernel.Length,
                                       products.Length, output.Length, (pooled ? 1L : 4L) * tileCount * filters, bias.Length, tileCount, inputChannels, filters, kernelPanels);
            fixed (float* x = input, v = transformed, u = transformedKernel, m = products, b = bias, o = output)
                if (WinogradBlockSplit.TryRun(Gemm.ActiveWidth, WinogradFlavour.F2x2, s, default, x, v, u, kernelPanels != 0, m, bias.IsEmpty ? null : b,
                                              activation == Activation.ReLU, o, pooled, Positions, filters, firstTile, tileCount)) return;
        }
        TransformInput(input, transformed, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        MultiplyPositions(transformed, transformedKernel, products, Positions, tileCount, inputChannels, filters, kernelPanels);
        if (pooled) TransformOutputPooled(products, bias, output, tileCount, filters, activation);
        else TransformOutput(products, bias, output, tileCount, filters, activation);
    }

    /// <summary><c>dM[p][t][f] = (A dY Aᵀ)[p]</c> from the output gradient, laid out as <see cref="TransformOutput"/> writes outputs.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformOutputGradient(ReadOnlySpan<float> gradient, Span<float> transformed, int tiles, int filters)
    {
        if (tiles < 0 || filters <= 0)
            throw new ArgumentException($"Winograd.TransformOutputGradient: {tiles} tiles of {filters} filters.");
        WinogradShape.Require("Winograd." + nameof(TransformOutputGradient), "gradient", gradient.Length, 4L * tiles * filters);
        WinogradShape.Require("Winograd." + nameof(TransformOutputGradient), "transformed", transformed.Length, (long)Positions * Plane(tiles, filters));
        fixed (float* g = gradient, d = transformed)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradKernel<Simd512, Vector512<float>>.TransformOutputGradient(tiles, filters, g, d); break;
                case 256: WinogradKernel<Simd256, Vector256<float>>.TransformOutputGradient(tiles, filters, g, d); break;
                case 128: WinogradKernel<Simd128, Vector128<float>>.TransformOutputGradient(tiles, filters, g, d); break;
                default: WinogradKernel<SimdScalar, float>.TransformOutputGradient(tiles, filters, g, d); break;
            }
        }
    }

    /// <summary><c>kernelGradient += Gᵀ dU G</c> for each input channel and filter (dU: 16 × IC × OC).</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void AddKernelGradient(ReadOnlySpan<float> transformedGradient, Span<float> kernelGradient, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || transformedGradient.Length < (long)Positions * Plane(inputChannels, filters) || kernelGradient.Length < 9L * inputChannels * filters)
            throw new ArgumentException($"Winograd.AddKernelGradient: a 3×3×{inputChannels}×{filters} kernel needs {(long)Positions * Plane(inputChannels, filters)} transformed values (got {transformedGradient.Length}) and {9L * inputChannels * filters} gradients (got {kernelGradient.Length}).");
        fixed (float* du = transformedGradient, dg = kernelGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradKernel<Simd512, Vector512<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 256: WinogradKernel<Simd256, Vector256<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 128: WinogradKernel<Simd128, Vector128<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                default: WinogradKernel<SimdScalar, float>.AddKernelGradient(inputChannels, filters, du, dg); break;
            }
        }
    }

    /// <summary>
    /// <c>inputGradient[tile t] += B dV[t − first] Bᵀ</c> for tiles [<paramref name="firstTile"/>, <paramref name="firstTile"/> +
    /// <paramref name="tileCount"/>) (dV: 16 × tileCount × IC); the caller clears the input gradient before the first block.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static unsafe void AddInputGradient(ReadOnlySpan<float> transformedGradient, Span<float> inputGradient, int batch, int inputHeight,
                                               int inputWidth, int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked("Winograd." + nameof(AddInputGradient), 2, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require("Winograd." + nameof(AddInputGradient), "transformed gradient", transformedGradient.Length, (long)Positions * Plane(tileCount, inputChannels));
        WinogradShape.Require("Winograd." + nameof(AddInputGradient), "input gradient", inputGradient.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        fixed (float* dv = transformedGradient, dx = inputGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradKernel<Simd512, Vector512<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 256: WinogradKernel<Simd256, Vector256<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 128: WinogradKernel<Simd128, Vector128<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                default: WinogradKernel<SimdScalar, float>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
            }
        }
    }
}

/// <summary>
/// The sizes of one Winograd pass over a batch. Input tile t = (b·TH + ty)·TW + tx starts at input row
/// step·ty − <see cref="PadTop"/> and column step·tx − <see cref="PadLeft"/>; rows and columns outside the input read as
/// zero (the zero padding of a same-padded conv, or past the far edge). An NHWC output of
/// <see cref="OutputHeight"/> × <see cref="OutputWidth"/> (F(3×3, 3×3)) keeps only the pixels of each tile it has.
/// </summary>
internal readonly record struct WinogradShape(int Batch, int InputHeight, int InputWidth, int InputChannels, int TilesHigh, int TilesWide,
                                              int PadTop = 0, int PadLeft = 0, int OutputHeight = 0, int OutputWidth = 0)
{
    /// <summary>
    /// The shape of a pass whose output tiles are <paramref name="step"/> × <paramref name="step"/> (input tiles two
    /// larger, at stride <paramref name="step"/>), checked: positive sizes, padding of 0 to 2, every tile starting inside
    /// the input, and a block of tiles [first, first + count) inside the batch. <paramref name="caller"/> names the method in the message.
    /// </summary>
    public static WinogradShape Checked(string caller, int step, int batch, int inputHeight, int inputWidth, int inputChannels,
                                        int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        if (batch < 0 || inputHeight <= 0 || inputWidth <= 0 || inputChannels <= 0 || tilesHigh <= 0 || tilesWide <= 0)
            throw new ArgumentException($"{caller}: sizes must be positive (batch {batch}, input {inputHeight}×{inputWidth}×{inputChannels}, tiles {tilesHigh}×{tilesWide}).");
        if (padTop is < 0 or > 2 || padLeft is < 0 or > 2)
            throw new ArgumentException($"{caller}: padding {padTop} (top) and {padLeft} (left) must be 0, 1 or 2 for a 3×3 kernel.");
        if (step * (tilesHigh - 1) - padTop >= inputHeight || step * (tilesWide - 1) - padLeft >= inputWidth)
            throw new ArgumentException($"{caller}: {tilesHigh}×{tilesWide} tiles at stride {step} from ({-padTop}, {-padLeft}) start past a {inputHeight}×{inputWidth} input; it needs at least {step * (tilesHigh - 1) - padTop + 1}×{step * (tilesWide - 1) - padLeft + 1}.");
        var s = new WinogradShape(batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, padTop, padLeft);
        s.CheckBlock(caller, firstTile, tileCount);
        return s;
    }

    /// <summary>
    /// The shape of a pass writing (or reading the gradient of) an NHWC output of <paramref name="outputHeight"/> ×
    /// <paramref name="outputWidth"/> in step × step tiles, checked: the tiles cover it, each keeping at least one row
    /// and column (0 stands for step × the tiles).
    /// </summary>
    public static WinogradShape CheckedOutput(string caller, int step, int batch, int tilesHigh, int tilesWide, int outputHeight, int outputWidth,
                                              int firstTile, int tileCount)
    {
        if (batch < 0 || tilesHigh <= 0 || tilesWide <= 0)
            throw new ArgumentException($"{caller}: sizes must be positive (batch {batch}, tiles {tilesHigh}×{tilesWide}).");
        if (outputHeight == 0) outputHeight = step * tilesHigh;
        if (outputWidth == 0) outputWidth = step * tilesWide;
        if (outputHeight <= step * (tilesHigh - 1) || outputHeight > step * tilesHigh || outputWidth <= step * (tilesWide - 1) || outputWidth > step * tilesWide)
            throw new ArgumentException($"{caller}: {tilesHigh}×{tilesWide} tiles of {step}×{step} do not cover a {outputHeight}×{outputWidth} output (every tile must keep a row and a column).");
        var s = new WinogradShape(batch, outputHeight + 2, outputWidth + 2, 1, tilesHigh, tilesWide, 0, 0, outputHeight, outputWidth);
        s.CheckBlock(caller, firstTile, tileCount);
        return s;
    }

    private void CheckBlock(string caller, int firstTile, int tileCount)
    {
        if (firstTile < 0 || tileCount < 0 || firstTile > Tiles - tileCount)
            throw new ArgumentException($"{caller}: tiles [{firstTile}, {(long)firstTile + tileCount}) are not among the batch's {Tiles}.");
    }

    /// <summary>Throws when a span of <paramref name="length"/> values is shorter than the <paramref name="needed"/> it must hold.</summary>
    public static void Require(string caller, string what, int length, long needed)
    {
        if (length < needed)
            throw new ArgumentException($"{caller}: the {what} has {length} values; it needs {needed}.");
    }

    public int Tiles => Batch * TilesHigh * TilesWide;

    /// <summary>
    /// Tile <paramref name="t"/>'s input window: the offset of its sample, its top-left corner (which may be negative), and
    /// whether the (step + 2) × (step + 2) window lies wholly inside the input, so it can be read in place.
    /// </summary>
    public bool InputTile(int t, int step, out nint sample, out int y0, out int x0)
    {
        Locate(t, out int b, out int ty, out int tx);
        y0 = step * ty - PadTop;
        x0 = step * tx - PadLeft;
        sample = (nint)b * InputHeight * InputWidth * InputChannels;
        return y0 >= 0 && x0 >= 0 && y0 + step + 2 <= InputHeight && x0 + step + 2 <= InputWidth;
    }

    /// <summary>The offset of input pixel (<paramref name="y"/>, <paramref name="x"/>) within its sample.</summary>
    public nint InputPixel(int y, int x) => ((nint)y * InputWidth + x) * InputChannels;

    /// <summary>
    /// Tile <paramref name="t"/>'s place in the NHWC output: its sample's offset, its top-left pixel, and whether the
    /// whole step × step tile is inside the output.
    /// </summary>
    public bool OutputTile(int t, int step, int filters, out nint sample, out int y0, out int x0)
    {
        Locate(t, out int b, out int ty, out int tx);
        y0 = step * ty;
        x0 = step * tx;
        sample = (nint)b * OutputHeight * OutputWidth * filters;
        return y0 + step <= OutputHeight && x0 + step <= OutputWidth;
    }

    private void Locate(int t, out int b, out int ty, out int tx)
    {
        int perSample = TilesHigh * TilesWide;
        b = t / perSample;
        int r = t - b * perSample;
        ty = r / TilesWide;
        tx = r - ty * TilesWide;
    }
}
