using System.ComponentModel;

namespace ConvNetGen.Kernels;

/// <summary>
/// Winograd's F(4×4, 3×3) for a 3×3, stride-1 convolution, valid or same-padded: each 4×4 output tile comes from a 6×6
/// input tile with 36 multiplies per input channel and filter instead of 144 — 4× fewer in each of a training step's
/// three matrix products (F(3×3, 3×3), <see cref="WinogradF3"/>: 3.24×), with a little more rounding (its transforms
/// scale by up to 8 and 1/24). Used exactly as <see cref="WinogradF3"/> is, with 36 positions and tiles of 4: tile
/// t = (b·TH + ty)·TW + tx covers output rows 4·ty … 4·ty + 3 and input rows 4·ty − padTop … 4·ty − padTop + 5
/// (columns alike); the last row and column of tiles keep only the pixels an output of <c>outputHeight</c> ×
/// <c>outputWidth</c> has, and input pixels outside the image read as zero.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WinogradF4
{
    /// <summary>Positions in a transformed 6×6 tile: the number of matrix multiplies per pass.</summary>
    public const int Positions = 36;

    /// <summary>U[p][c][f] = (G g Gᵀ)[p] for each input channel c and filter f of the 3×3 HWIO kernel g.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformKernel(ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters) =>
        WinogradTiled<F4Tiles>.TransformKernel(kernel, transformed, inputChannels, filters);

    /// <summary>V[p][t − first][c] = (Bᵀ d B)[p] for the 6×6 input tiles of tiles [<paramref name="firstTile"/>, + <paramref name="tileCount"/>).</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static void TransformInput(ReadOnlySpan<float> input, Span<float> transformed, int batch, int inputHeight, int inputWidth,
                                      int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0) =>
        WinogradTiled<F4Tiles>.TransformInput(input, transformed, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);

    /// <summary>
    /// The block's outputs: <c>activation((Aᵀ M A) + bias)</c> into the NHWC <paramref name="output"/> of the whole batch
    /// (<paramref name="outputHeight"/> × <paramref name="outputWidth"/> × OC per sample; 0 means 4·TH, 4·TW); ReLU and
    /// linear only — other activations are applied afterwards by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutput(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> output, int batch, int tilesHigh,
                                       int tilesWide, int filters, int firstTile, int tileCount, Activation activation = Activation.Linear,
                                       int outputHeight = 0, int outputWidth = 0) =>
        WinogradTiled<F4Tiles>.TransformOutput(products, bias, output, batch, tilesHigh, tilesWide, filters, firstTile, tileCount, activation, outputHeight, outputWidth);

    /// <summary>
    /// As <see cref="TransformOutput"/>, each 2×2 window of the outputs then pooled to its maximum into the NHWC
    /// <paramref name="pooled"/> output of a 2×2, stride-2 max pooling (2·TH × 2·TW × OC per sample): what inference runs
    /// for a conv read only by such a pooling, whose own output is never stored. The same numbers as the conv's output
    /// pooled. The output must tile exactly; ReLU or no activation.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutputPooled(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> pooled, int batch, int tilesHigh,
                                             int tilesWide, int filters, int firstTile, int tileCount, Activation activation = Activation.Linear) =>
        WinogradTiled<F4Tiles>.TransformOutputPooled(products, bias, pooled, batch, tilesHigh, tilesWide, filters, firstTile, tileCount, activation);

    /// <summary>
    /// Inference's block of tiles [<paramref name="firstTile"/>, + <paramref name="tileCount"/>) in one call:
    /// <see cref="TransformInput"/>, <see cref="Winograd.MultiplyPositions"/>, then <see cref="TransformOutputPooled"/>
    /// (<paramref name="pooled"/>) or <see cref="TransformOutput"/>. In a single sample's inference on several threads a
    /// block with a small transformed kernel is shared by tiles, each thread doing all three steps for its own; the
    /// same bits either way.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static void ForwardBlock(ReadOnlySpan<float> input, Span<float> transformed, ReadOnlySpan<float> transformedKernel, Span<float> products,
                                    ReadOnlySpan<float> bias, Span<float> output, int batch, int inputHeight, int inputWidth, int inputChannels,
                                    int tilesHigh, int tilesWide, int filters, int firstTile, int tileCount, int kernelPanels,
                                    Activation activation = Activation.Linear, bool pooled = false, int padTop = 0, int padLeft = 0,
                                    int outputHeight = 0, int outputWidth = 0) =>
        WinogradTiled<F4Tiles>.ForwardBlock(input, transformed, transformedKernel, products, bias, output, batch, inputHeight, inputWidth, inputChannels,
                                        tilesHigh, tilesWide, filters, firstTile, tileCount, kernelPanels, activation, pooled, padTop, padLeft, outputHeight, outputWidth);

    /// <summary><c>dM[p][t − first][f] = (A dY Aᵀ)[p]</c> for the block's tiles, from the NHWC output gradient of the whole batch.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutputGradient(ReadOnlySpan<float> gradient, Span<float> transformed, int batch, int tilesHigh, int tilesWide,
                                               int filters, int firstTile, int tileCount, int outputHeight = 0, int outputWidth = 0) =>
        WinogradTiled<F4Tiles>.TransformOutputGradient(gradient, transformed, batch, tilesHigh, tilesWide, filters, firstTile, tileCount, outputHeight, outputWidth);

    /// <summary>
    /// <c>dM</c> of the pre-activation gradient for a layer whose output went through <paramref name="activation"/> (ReLU
    /// or none): ReLU's derivative is applied as each tile of <paramref name="gradient"/> is read (from the layer's
    /// <paramref name="output"/>; the gradient is left as it was), and, unless <paramref name="biasGradient"/> is empty,
    /// the block's bias gradient is added to it from the tiles' sums. The output must tile exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not divide the output, or a span is too short.</exception>
    public static void TransformActivationGradient(ReadOnlySpan<float> gradient, ReadOnlySpan<float> output, Activation activation, Span<float> biasGradient,
                                                   Span<float> transformed, int batch, int tilesHigh, int tilesWide, int filters, int firstTile, int tileCount) =>
        WinogradTiled<F4Tiles>.TransformActivationGradient(gradient, output, activation, biasGradient, transformed, batch, tilesHigh, tilesWide, filters, firstTile, tileCount);

    /// <summary><c>kernelGradient += Gᵀ dU G</c> for each input channel and filter (dU: 36 × IC × OC).</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void AddKernelGradient(ReadOnlySpan<float> transformedGradient, Span<float> kernelGradient, int inputChannels, int filters) =>
        WinogradTiled<F4Tiles>.AddKernelGradient(transformedGradient, kernelGradient, inputChannels, filters);

    /// <summary><c>inputGradient[tile t] += B dV[t − first] Bᵀ</c> for the block's tiles; the caller clears the input gradient before the first block.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static void AddInputGradient(ReadOnlySpan<float> transformedGradient, Span<float> inputGradient, int batch, int inputHeight,
                                        int inputWidth, int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0) =>
        WinogradTiled<F4Tiles>.AddInputGradient(transformedGradient, inputGradient, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
}
