using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Winograd's F(3×3, 3×3) for a 3×3, stride-1 convolution, valid or same-padded (conv2d_2's 3×3 output is one tile per
/// sample): each 3×3 output tile comes from a 5×5 input tile with 25 multiplies per input channel and filter instead of
/// 81 — 3.24× fewer in each of a training step's three matrix products. An output the tiles do not divide keeps only
/// the pixels it has of the last row and column of tiles (<c>outputHeight</c>, <c>outputWidth</c>); input pixels
/// outside the image (<c>padTop</c>, <c>padLeft</c>, or past the far edge) read as zero.
/// <para>
/// Used as <see cref="Winograd"/> is: transform the kernel (U, 25 × IC × OC) and a block of input tiles (V, 25 ×
/// tiles × IC), multiply position by position with <see cref="Gemm"/> (M = V · U), transform back; backward is the
/// adjoint. Transformed buffers hold their 25 matrices <see cref="Winograd.Plane"/> apart. Unlike
/// <see cref="Winograd"/>, outputs and output gradients are plain NHWC: tile t = (b·TH + ty)·TW + tx covers output
/// rows 3·ty … 3·ty + 2 and columns 3·tx … 3·tx + 2, and input rows 3·ty − padTop … 3·ty − padTop + 4 (columns alike).
/// </para>
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WinogradF3
{
    /// <summary>Positions in a transformed 5×5 tile: the number of matrix multiplies per pass.</summary>
    public const int Positions = 25;

    /// <summary>U[p][c][f] = (G g Gᵀ)[p] for each input channel c and filter f of the 3×3 HWIO kernel g.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformKernel(ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || kernel.Length < 9L * inputChannels * filters || transformed.Length < (long)Positions * Winograd.Plane(inputChannels, filters))
            throw new ArgumentException($"WinogradF3.TransformKernel: a 3×3×{inputChannels}×{filters} kernel needs {9L * inputChannels * filters} values (got {kernel.Length}) and {(long)Positions * Winograd.Plane(inputChannels, filters)} transformed (got {transformed.Length}).");
        fixed (float* k = kernel, u = transformed)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradF3Kernel<Simd512, Vector512<float>>.TransformKernel(k, inputChannels, filters, u); break;
                case 256: WinogradF3Kernel<Simd256, Vector256<float>>.TransformKernel(k, inputChannels, filters, u); break;
                case 128: WinogradF3Kernel<Simd128, Vector128<float>>.TransformKernel(k, inputChannels, filters, u); break;
                default: WinogradF3Kernel<SimdScalar, float>.TransformKernel(k, inputChannels, filters, u); break;
            }
        }
    }

    /// <summary>V[p][t − first][c] = (Bᵀ d B)[p] for the 5×5 input tiles of tiles [<paramref name="firstTile"/>, + <paramref name="tileCount"/>).</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static unsafe void TransformInput(ReadOnlySpan<float> input, Span<float> transformed, int batch, int inputHeight, int inputWidth,
                                             int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked("WinogradF3." + nameof(TransformInput), 3, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require("WinogradF3." + nameof(TransformInput), "input", input.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        WinogradShape.Require("WinogradF3." + nameof(TransformInput), "transformed", transformed.Length, (long)Positions * Winograd.Plane(tileCount, inputChannels));
        fixed (float* x = input, v = transformed)
            WinogradTransformSplit.InputTiles(Gemm.ActiveWidth, WinogradFlavour.F3x3, s, x, v, firstTile, tileCount);
    }

    /// <summary>
    /// The block's outputs: <c>activation((Aᵀ M A) + bias)</c> into the NHWC <paramref name="output"/> of the whole batch
    /// (<paramref name="outputHeight"/> × <paramref name="outputWidth"/> × OC per sample; 0 means 3·TH, 3·TW); ReLU and
    /// linear only — other activations are applied afterwards by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformOutput(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> output, int batch, int tilesHigh,
                                              int tilesWide, int filters, int firstTile, int tileCount, Activation activation = Activation.Linear,
                                              int outputHeight = 0, int outputWidth = 0)
    {
        if (activation is not (Activation.Linear or Activation.ReLU))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "WinogradF3.TransformOutput applies ReLU or nothing; apply other activations afterwards.");
        if (filters <= 0 || (bias.Length != 0 && bias.Length != filters))
            throw new ArgumentException($"WinogradF3.TransformOutput: {filters} filters with a bias of {bias.Length} (needs {filters} or none).");
        var s = WinogradShape.CheckedOutput("WinogradF3." + nameof(TransformOutput), 3, batch, tilesHigh, tilesWide, outputHeight, outputWidth, firstTile, tileCount);
        WinogradShape.Require("WinogradF3." + nameof(TransformOutput), "products", products.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        WinogradShape.Require("WinogradF3." + nameof(TransformOutput), "output", output.Length, (long)batch * s.OutputHeight * s.OutputWidth * filters);
        fixed (float* m = products, b = bias, o = output)
            WinogradTransformSplit.OutputTiles(Gemm.ActiveWidth, WinogradFlavour.F3x3, s, filters, m, bias.IsEmpty ? null : b, activation == Activation.ReLU, o, firstTile, tileCount);
    }

    /// <summary><c>dM[p][t − first][f] = (A dY Aᵀ)[p]</c> for the block's tiles, from the NHWC output gradient of the whole batch.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void TransformOutputGradient(ReadOnlySpan<float> gradient, Span<float> transformed, int batch, int tilesHigh, int tilesWide,
                                                      int filters, int firstTile, int tileCount, int outputHeight = 0, int outputWidth = 0)
    {
        if (filters <= 0)
            throw new ArgumentException($"WinogradF3.TransformOutputGradient: {filters} filters.");
        var s = WinogradShape.CheckedOutput("WinogradF3." + nameof(TransformOutputGradient), 3, batch, tilesHigh, tilesWide, outputHeight, outputWidth, firstTile, tileCount);
        WinogradShape.Require("WinogradF3." + nameof(TransformOutputGradient), "gradient", gradient.Length, (long)batch * s.OutputHeight * s.OutputWidth * filters);
        WinogradShape.Require("WinogradF3." + nameof(TransformOutputGradient), "transformed", transformed.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        fixed (float* g = gradient, d = transformed)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradF3Kernel<Simd512, Vector512<float>>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount); break;
                case 256: WinogradF3Kernel<Simd256, Vector256<float>>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount); break;
                case 128: WinogradF3Kernel<Simd128, Vector128<float>>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount); break;
                default: WinogradF3Kernel<SimdScalar, float>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount); break;
            }
        }
    }

    /// <summary><c>kernelGradient += Gᵀ dU G</c> for each input channel and filter (dU: 25 × IC × OC).</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static unsafe void AddKernelGradient(ReadOnlySpan<float> transformedGradient, Span<float> kernelGradient, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || transformedGradient.Length < (long)Positions * Winograd.Plane(inputChannels, filters) || kernelGradient.Length < 9L * inputChannels * filters)
            throw new ArgumentException($"WinogradF3.AddKernelGradient: a 3×3×{inputChannels}×{filters} kernel needs {(long)Positions * Winograd.Plane(inputChannels, filters)} transformed values (got {transformedGradient.Length}) and {9L * inputChannels * filters} gradients (got {kernelGradient.Length}).");
        fixed (float* du = transformedGradient, dg = kernelGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradF3Kernel<Simd512, Vector512<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 256: WinogradF3Kernel<Simd256, Vector256<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 128: WinogradF3Kernel<Simd128, Vector128<float>>.AddKernelGradient(inputChannels, filters, du, dg); break;
                default: WinogradF3Kernel<SimdScalar, float>.AddKernelGradient(inputChannels, filters, du, dg); break;
            }
        }
    }

    /// <summary><c>inputGradient[tile t] += B dV[t − first] Bᵀ</c> for the block's tiles; the caller clears the input gradient before the first block.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static unsafe void AddInputGradient(ReadOnlySpan<float> transformedGradient, Span<float> inputGradient, int batch, int inputHeight,
                                               int inputWidth, int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked("WinogradF3." + nameof(AddInputGradient), 3, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require("WinogradF3." + nameof(AddInputGradient), "transformed gradient", transformedGradient.Length, (long)Positions * Winograd.Plane(tileCount, inputChannels));
        WinogradShape.Require("WinogradF3." + nameof(AddInputGradient), "input gradient", inputGradient.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        fixed (float* dv = transformedGradient, dx = inputGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradF3Kernel<Simd512, Vector512<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 256: WinogradF3Kernel<Simd256, Vector256<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 128: WinogradF3Kernel<Simd128, Vector128<float>>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                default: WinogradF3Kernel<SimdScalar, float>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
            }
        }
    }
}
