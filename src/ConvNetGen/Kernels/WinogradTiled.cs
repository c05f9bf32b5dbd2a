using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Winograd F(Out × Out, 3 × 3) over a plain NHWC output, for either flavour <typeparamref name="TT"/> (the public
/// <see cref="WinogradF3"/> and <see cref="WinogradF4"/> forward here): every argument checked, then the register width
/// this machine runs chosen once per call.
/// </summary>
internal static unsafe class WinogradTiled<TT> where TT : struct, IWinogradTiles
{
    /// <summary>Positions in a transformed tile: the number of matrix multiplies per pass.</summary>
    public static int Positions => (TT.Out + 2) * (TT.Out + 2);

    /// <summary>The public class's name and a dot, for messages.</summary>
    private static string Name => TT.Out == 3 ? "WinogradF3." : "WinogradF4.";

    // Each method's name in messages, made once per flavour: the checks run on every call and must not allocate.
    private static readonly string TransformInputCaller = Name + nameof(TransformInput), TransformOutputCaller = Name + nameof(TransformOutput), TransformOutputPooledCaller = Name + nameof(TransformOutputPooled),
        TransformOutputGradientCaller = Name + nameof(TransformOutputGradient), AddInputGradientCaller = Name + nameof(AddInputGradient),
        TransformActivationGradientCaller = Name + nameof(TransformActivationGradient), ForwardBlockCaller = Name + nameof(ForwardBlock);

    private static WinogradFlavour Flavour => TT.Out == 3 ? WinogradFlavour.F3x3 : WinogradFlavour.F4x4;

    /// <summary>U[p][c][f] = (G g Gᵀ)[p] for each input channel c and filter f of the 3×3 HWIO kernel g.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformKernel(ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || kernel.Length < 9L * inputChannels * filters || transformed.Length < (long)Positions * Winograd.Plane(inputChannels, filters))
            throw new ArgumentException($"{Name}TransformKernel: a 3×3×{inputChannels}×{filters} kernel needs {9L * inputChannels * filters} values (got {kernel.Length}) and {(long)Positions * Winograd.Plane(inputChannels, filters)} transformed (got {transformed.Length}).");
        fixed (float* k = kernel, u = transformed)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.TransformKernel(k, inputChannels, filters, u); break;
                case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.TransformKernel(k, inputChannels, filters, u); break;
                case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.TransformKernel(k, inputChannels, filters, u); break;
                default: WinogradTileKernel<SimdScalar, float, TT>.TransformKernel(k, inputChannels, filters, u); break;
            }
        }
    }

    /// <summary>V[p][t − first][c] = (Bᵀ d B)[p] for the input tiles of tiles [<paramref name="firstTile"/>, + <paramref name="tileCount"/>).</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static void TransformInput(ReadOnlySpan<float> input, Span<float> transformed, int batch, int inputHeight, int inputWidth,
                                             int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked(TransformInputCaller, TT.Out, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require(TransformInputCaller, "input", input.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        WinogradShape.Require(TransformInputCaller, "transformed", transformed.Length, (long)Positions * Winograd.Plane(tileCount, inputChannels));
        fixed (float* x = input, v = transformed)
            WinogradTransformSplit.InputTiles(Gemm.ActiveWidth, Flavour, s, x, v, firstTile, tileCount);
    }

    /// <summary>
    /// The block's outputs: <c>activation((Aᵀ M A) + bias)</c> into the NHWC <paramref name="output"/> of the whole batch
    /// (<paramref name="outputHeight"/> × <paramref name="outputWidth"/> × OC per sample; 0 means Out·TH, Out·TW); ReLU and
    /// linear only — other activations are applied afterwards by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutput(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> output, int batch, int tilesHigh,
                                              int tilesWide, int filters, int firstTile, int tileCount, Activation activation = Activation.Linear,
                                              int outputHeight = 0, int outputWidth = 0)
    {
        CheckActivationAndBias(TransformOutputCaller, activation, filters, bias.Length, "; apply other activations afterwards");
        var s = WinogradShape.CheckedOutput(TransformOutputCaller, TT.Out, batch, tilesHigh, tilesWide, outputHeight, outputWidth, firstTile, tileCount);
        WinogradShape.Require(TransformOutputCaller, "products", products.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        WinogradShape.Require(TransformOutputCaller, "output", output.Length, (long)batch * s.OutputHeight * s.OutputWidth * filters);
        fixed (float* m = products, b = bias, o = output)
            WinogradTransformSplit.OutputTiles(Gemm.ActiveWidth, Flavour, s, filters, m, bias.IsEmpty ? null : b, activation == Activation.ReLU, o, firstTile, tileCount);
    }

    /// <summary>The block's outputs pooled 2×2 into the NHWC output of a 2×2, stride-2 max pooling (F(4×4) only: every window in one tile).</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutputPooled(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> pooled, int batch, int tilesHigh,
                                             int tilesWide, int filters, int firstTile, int tileCount, Activation activation)
    {
        if (Flavour != WinogradFlavour.F4x4)
            throw new InvalidOperationException($"{Name}TransformOutputPooled: only F(4×4)'s tiles hold whole 2×2 windows.");
        CheckActivationAndBias(TransformOutputPooledCaller, activation, filters, bias.Length, "");
        var s = WinogradShape.CheckedOutput(TransformOutputPooledCaller, TT.Out, batch, tilesHigh, tilesWide, 0, 0, firstTile, tileCount);
        WinogradShape.Require(TransformOutputPooledCaller, "products", products.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        WinogradShape.Require(TransformOutputPooledCaller, "pooled", pooled.Length, (long)batch * (s.OutputHeight / 2) * (s.OutputWidth / 2) * filters);
        fixed (float* m = products, b = bias, o = pooled)
            WinogradTransformSplit.OutputPooledTiles(Gemm.ActiveWidth, Flavour, s, filters, m, bias.IsEmpty ? null : b, activation == Activation.ReLU, o, firstTile, tileCount);
    }

    /// <summary>
    /// Inference's block in one call: <see cref="TransformInput"/>, <see cref="Winograd.MultiplyPositions"/>, then
    /// <see cref="TransformOutputPooled"/> (<paramref name="pooled"/>) or <see cref="TransformOutput"/> — shared by tiles
    /// in a single sample's inference when the transformed kernel is small (<see cref="WinogradBlockSplit"/>).
    /// </summary>
    public static void ForwardBlock(ReadOnlySpan<float> input, Span<float> transformed, ReadOnlySpan<float> transformedKernel, Span<float> products,
                                    ReadOnlySpan<float> bias, Span<float> output, int batch, int inputHeight, int inputWidth, int inputChannels,
                                    int tilesHigh, int tilesWide, int filters, int firstTile, int tileCount, int kernelPanels, Activation activation,
                                    bool pooled, int padTop, int padLeft, int outputHeight, int outputWidth)
    {
        if (activation is Activation.Linear or Activation.ReLU && (!pooled || Flavour == WinogradFlavour.F4x4)
            && WinogradBlockSplit.Wanted(Positions, tileCount, inputChannels, filters))
        {
            var s = WinogradShape.Checked(ForwardBlockCaller, TT.Out, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
            var so = WinogradShape.CheckedOutput(ForwardBlockCaller, TT.Out, batch, tilesHigh, tilesWide, pooled ? 0 : outputHeight, pooled ? 0 : outputWidth, firstTile, tileCount);
            long outputs = pooled ? (long)batch * (so.OutputHeight / 2) * (so.OutputWidth / 2) * filters : (long)batch * so.OutputHeight * so.OutputWidth * filters;
            WinogradBlockSplit.Require(ForwardBlockCaller, Positions, input.Length, (long)batch * inputHeight * inputWidth * inputChannels, transformed.Length, transformedKernel.Length,
                                       products.Length, output.Length, outputs, bias.Length, tileCount, inputChannels, filters, kernelPanels);
            fixed (float* x = input, v = transformed, u = transformedKernel, m = products, b = bias, o = output)
                if (WinogradBlockSplit.TryRun(Gemm.ActiveWidth, Flavour, s, so, x, v, u, kernelPanels != 0, m, bias.IsEmpty ? null : b,
                                              activation == Activation.ReLU, o, pooled, Positions, filters, firstTile, tileCount)) return;
        }
        TransformInput(input, transformed, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        Winograd.MultiplyPositions(transformed, transformedKernel, products, Positions, tileCount, inputChannels, filters, kernelPanels);
        if (pooled) TransformOutputPooled(products, bias, output, batch, tilesHigh, tilesWide, filters, firstTile, tileCount, activation);
        else TransformOutput(products, bias, output, batch, tilesHigh, tilesWide, filters, firstTile, tileCount, activation, outputHeight, outputWidth);
    }

    /// <summary>What both output transforms take: ReLU or no activation, and one bias per filter or none.</summary>
    private static void CheckActivationAndBias(string caller, Activation activation, int filters, int biasLength, string otherActivations)
    {
        if (activation is not (Activation.Linear or Activation.ReLU))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"{caller} applies ReLU or nothing{otherActivations}.");
        if (filters <= 0 || (biasLength != 0 && biasLength != filters))
            throw new ArgumentException($"{caller}: {filters} filters with a bias of {biasLength} (needs {filters} or none).");
    }

    /// <summary><c>dM[p][t − first][f] = (A dY Aᵀ)[p]</c> for the block's tiles, from the NHWC output gradient of the whole batch.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void TransformOutputGradient(ReadOnlySpan<float> gradient, Span<float> transformed, int batch, int tilesHigh, int tilesWide,
                                                      int filters, int firstTile, int tileCount, int outputHeight = 0, int outputWidth = 0)
    {
        if (filters <= 0)
            throw new ArgumentException($"{Name}TransformOutputGradient: {filters} filters.");
        var s = WinogradShape.CheckedOutput(TransformOutputGradientCaller, TT.Out, batch, tilesHigh, tilesWide, outputHeight, outputWidth, firstTile, tileCount);
        WinogradShape.Require(TransformOutputGradientCaller, "gradient", gradient.Length, (long)batch * s.OutputHeight * s.OutputWidth * filters);
        WinogradShape.Require(TransformOutputGradientCaller, "transformed", transformed.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        fixed (float* g = gradient, d = transformed)
            OutputGradientOnWidth(s, filters, g, d, firstTile, tileCount, reluOutput: null);
    }

    /// <summary>The output-gradient transform on the register width this machine runs (through ReLU's derivative when <paramref name="reluOutput"/> is given).</summary>
    private static void OutputGradientOnWidth(WinogradShape s, int filters, float* g, float* d, int firstTile, int tileCount, float* reluOutput)
    {
        switch (Gemm.ActiveWidth)
        {
            case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount, reluOutput); break;
            case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount, reluOutput); break;
            case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount, reluOutput); break;
            default: WinogradTileKernel<SimdScalar, float, TT>.TransformOutputGradient(s, filters, g, d, firstTile, tileCount, reluOutput); break;
        }
    }

    /// <summary>
    /// As <see cref="TransformOutputGradient"/> for a layer whose output went through <paramref name="activation"/>
    /// (ReLU or none): dM of the pre-activation gradient, ReLU's derivative applied as each tile is read (from the layer's
    /// <paramref name="output"/>), so the gradient itself is left as it was. When <paramref name="biasGradient"/> is not
    /// empty the block's bias gradient is added to it: A's row for the point 1 is all ones, so dM's position (1, 1) is
    /// each tile's sum and Σ over the block's tiles is Σ over its pixels. The output must tile exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not divide the output, or a span is too short.</exception>
    public static void TransformActivationGradient(ReadOnlySpan<float> gradient, ReadOnlySpan<float> output, Activation activation, Span<float> biasGradient,
                                                   Span<float> transformed, int batch, int tilesHigh, int tilesWide, int filters, int firstTile, int tileCount)
    {
        if (activation is not (Activation.Linear or Activation.ReLU))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"{TransformActivationGradientCaller} applies ReLU's derivative or nothing.");
        if (filters <= 0 || (biasGradient.Length != 0 && biasGradient.Length != filters))
            throw new ArgumentException($"{TransformActivationGradientCaller}: {filters} filters with a bias gradient of {biasGradient.Length} (needs {filters} or none).");
        var s = WinogradShape.CheckedOutput(TransformActivationGradientCaller, TT.Out, batch, tilesHigh, tilesWide, 0, 0, firstTile, tileCount);
        long values = (long)batch * s.OutputHeight * s.OutputWidth * filters;
        WinogradShape.Require(TransformActivationGradientCaller, "gradient", gradient.Length, values);
        if (activation == Activation.ReLU) WinogradShape.Require(TransformActivationGradientCaller, "output", output.Length, values);
        WinogradShape.Require(TransformActivationGradientCaller, "transformed", transformed.Length, (long)Positions * Winograd.Plane(tileCount, filters));
        fixed (float* g = gradient, y = output, d = transformed)
            OutputGradientOnWidth(s, filters, g, d, firstTile, tileCount, activation == Activation.ReLU ? y : null);
        if (biasGradient.IsEmpty) return;
        int tileSums = TT.Out + 3; // position (1, 1) of the (Out + 2)² transformed tile
        Activations.SumRows(transformed.Slice(tileSums * Winograd.Plane(tileCount, filters), tileCount * filters), filters, biasGradient);
    }

    /// <summary><c>kernelGradient += Gᵀ dU G</c> for each input channel and filter (dU: positions × IC × OC).</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is too short.</exception>
    public static void AddKernelGradient(ReadOnlySpan<float> transformedGradient, Span<float> kernelGradient, int inputChannels, int filters)
    {
        if (inputChannels <= 0 || filters <= 0 || transformedGradient.Length < (long)Positions * Winograd.Plane(inputChannels, filters) || kernelGradient.Length < 9L * inputChannels * filters)
            throw new ArgumentException($"{Name}AddKernelGradient: a 3×3×{inputChannels}×{filters} kernel needs {(long)Positions * Winograd.Plane(inputChannels, filters)} transformed values (got {transformedGradient.Length}) and {9L * inputChannels * filters} gradients (got {kernelGradient.Length}).");
        fixed (float* du = transformedGradient, dg = kernelGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.AddKernelGradient(inputChannels, filters, du, dg); break;
                case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.AddKernelGradient(inputChannels, filters, du, dg); break;
                default: WinogradTileKernel<SimdScalar, float, TT>.AddKernelGradient(inputChannels, filters, du, dg); break;
            }
        }
    }

    /// <summary><c>inputGradient[tile t] += B dV[t − first] Bᵀ</c> for the block's tiles; the caller clears the input gradient before the first block.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the tiles do not fit the input, or a span is too short.</exception>
    public static void AddInputGradient(ReadOnlySpan<float> transformedGradient, Span<float> inputGradient, int batch, int inputHeight,
                                               int inputWidth, int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop = 0, int padLeft = 0)
    {
        var s = WinogradShape.Checked(AddInputGradientCaller, TT.Out, batch, inputHeight, inputWidth, inputChannels, tilesHigh, tilesWide, firstTile, tileCount, padTop, padLeft);
        WinogradShape.Require(AddInputGradientCaller, "transformed gradient", transformedGradient.Length, (long)Positions * Winograd.Plane(tileCount, inputChannels));
        WinogradShape.Require(AddInputGradientCaller, "input gradient", inputGradient.Length, (long)batch * inputHeight * inputWidth * inputChannels);
        fixed (float* dv = transformedGradient, dx = inputGradient)
        {
            switch (Gemm.ActiveWidth)
            {
                case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
                default: WinogradTileKernel<SimdScalar, float, TT>.AddInputGradient(s, dv, dx, firstTile, tileCount); break;
            }
        }
    }
}
