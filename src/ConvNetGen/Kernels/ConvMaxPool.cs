using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// A Conv2D (valid padding, stride 1, ReLU or linear) and the 2×2, stride-2 MaxPooling2D after it, as one pass that
/// never writes the convolution's output: each pooled pixel computes its window's four conv pixels in registers,
/// keeps the largest, and records which won. Taken by the generated code when the conv's windows are small (the first
/// layer of an image model: 3×3×1 gives 9 multiply-adds per filter, where im2col and a matrix multiply would move
/// far more memory than they compute) and the conv needs no input gradient.
/// <para>
/// Layouts are NHWC and the kernel HWIO, as everywhere. <c>winners</c> holds, per pooled value, the index (0–3, as a
/// float, in reading order: top left, top right, bottom left, bottom right) of the window pixel that won; ties keep
/// the first, as the unfused pooling does. A trailing odd row or column of the conv output is never computed, since
/// valid pooling never reads it.
/// </para>
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ConvMaxPool
{
    /// <summary>
    /// <c>pooled = maxpool2×2(activation(conv(input, kernel) + bias))</c> and the winner of each window.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the window does not fit, or a span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The activation is neither ReLU nor linear.</exception>
    public static unsafe void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
                                      Span<float> pooled, Span<float> winners, int batch, int inputHeight, int inputWidth,
                                      int inputChannels, int kernelHeight, int kernelWidth, int filters, Activation activation)
    {
        var shape = Check(nameof(Forward), input.Length, kernel.Length, bias.Length, pooled.Length, winners.Length, pooled.Length,
                          batch, inputHeight, inputWidth, inputChannels, kernelHeight, kernelWidth, filters, activation);
        fixed (float* pi = input, pk = kernel, pb = bias, po = pooled, pw = winners)
        {
            float* b = bias.IsEmpty ? null : pb;
            bool relu = activation == Activation.ReLU;
            ConvMaxPoolSplit.Forward(Gemm.ActiveWidth, shape, pi, pk, b, relu, po, pw);
        }
    }

    /// <summary>
    /// The conv's weight gradients from the pooled output's gradient: each pooled value's gradient goes to the conv
    /// pixel that won its window (through the activation's derivative), and from there
    /// <c>kernelGradient[KH×KW×IC×OC] += windowᵀ · gradient</c> and <c>biasGradient[OC] += gradient</c> (skipped when empty).
    /// <paramref name="pooled"/> and <paramref name="winners"/> are what <see cref="Forward"/> wrote.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the window does not fit, or a span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The activation is neither ReLU nor linear.</exception>
    public static unsafe void BackwardWeights(ReadOnlySpan<float> input, ReadOnlySpan<float> pooled, ReadOnlySpan<float> winners,
                                              ReadOnlySpan<float> pooledGradient, Span<float> kernelGradient, Span<float> biasGradient,
                                              int batch, int inputHeight, int inputWidth, int inputChannels,
                                              int kernelHeight, int kernelWidth, int filters, Activation activation)
    {
        var shape = Check(nameof(BackwardWeights), input.Length, kernelGradient.Length, biasGradient.Length, pooled.Length, winners.Length,
                          pooledGradient.Length, batch, inputHeight, inputWidth, inputChannels, kernelHeight, kernelWidth, filters, activation);
        fixed (float* pi = input, po = pooled, pw = winners, pg = pooledGradient, pk = kernelGradient, pb = biasGradient)
        {
            float* b = biasGradient.IsEmpty ? null : pb;
            bool relu = activation == Activation.ReLU;
            switch (Gemm.ActiveWidth)
            {
                case 512: ConvMaxPoolKernel<Simd512, Vector512<float>>.BackwardWeights(shape, pi, po, pw, pg, relu, pk, b); break;
                case 256: ConvMaxPoolKernel<Simd256, Vector256<float>>.BackwardWeights(shape, pi, po, pw, pg, relu, pk, b); break;
                case 128: ConvMaxPoolKernel<Simd128, Vector128<float>>.BackwardWeights(shape, pi, po, pw, pg, relu, pk, b); break;
                default: ConvMaxPoolKernel<SimdScalar, float>.BackwardWeights(shape, pi, po, pw, pg, relu, pk, b); break;
            }
        }
    }

    /// <summary>The largest window (KH·KW·IC) the kernels take; the tap offsets live on the stack.</summary>
    public const int MaxTaps = 1024;

    private static ConvPoolShape Check(string method, int inputLength, int kernelLength, int biasLength, int pooledLength,
                                       int winnersLength, int pooledGradientLength, int batch, int inputHeight, int inputWidth,
                                       int inputChannels, int kernelHeight, int kernelWidth, int filters, Activation activation)
    {
        if (activation is not (Activation.ReLU or Activation.Linear))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"ConvMaxPool.{method}: only ReLU and linear commute with max pooling.");
        if (batch < 0 || inputHeight <= 0 || inputWidth <= 0 || inputChannels <= 0 || kernelHeight <= 0 || kernelWidth <= 0 || filters <= 0)
            throw new ArgumentException($"ConvMaxPool.{method}: sizes must be positive (batch {batch}, input {inputHeight}×{inputWidth}×{inputChannels}, kernel {kernelHeight}×{kernelWidth}, filters {filters}).");
        var shape = new ConvPoolShape(batch, inputHeight, inputWidth, inputChannels, kernelHeight, kernelWidth, filters);
        if (shape.PooledHeight <= 0 || shape.PooledWidth <= 0)
            throw new ArgumentException($"ConvMaxPool.{method}: a {kernelHeight}×{kernelWidth} kernel on {inputHeight}×{inputWidth} leaves no 2×2 window to pool.");
        if (shape.Taps > MaxTaps)
            throw new ArgumentException($"ConvMaxPool.{method}: windows of {shape.Taps} values exceed the {MaxTaps} it takes; use im2col and Gemm.");
        long inputs = (long)batch * inputHeight * inputWidth * inputChannels;
        long pooledCount = (long)batch * shape.PooledHeight * shape.PooledWidth * filters;
        if (inputLength < inputs || kernelLength < (long)shape.Taps * filters || (biasLength != 0 && biasLength != filters)
            || pooledLength < pooledCount || winnersLength < pooledCount || pooledGradientLength < pooledCount)
            throw new ArgumentException(
                $"ConvMaxPool.{method}: spans do not fit {batch} samples of {inputHeight}×{inputWidth}×{inputChannels} with a {kernelHeight}×{kernelWidth}×{inputChannels}×{filters} kernel " +
                $"(input {inputLength} of {inputs}, kernel {kernelLength} of {shape.Taps * filters}, bias {biasLength} of {filters} or 0, " +
                $"pooled {pooledLength}, winners {winnersLength}, pooled gradient {pooledGradientLength}, each of {pooledCount}).");
        return shape;
    }
}

/// <summary>The sizes of one fused conv + pool call, and the ones derived from them.</summary>
internal readonly record struct ConvPoolShape(int Batch, int InputHeight, int InputWidth, int InputChannels, int KernelHeight, int KernelWidth, int Filters)
{
    public int Taps => KernelHeight * KernelWidth * InputChannels;
    public int PooledHeight => (InputHeight - KernelHeight + 1) / 2;
    public int PooledWidth => (InputWidth - KernelWidth + 1) / 2;
}
