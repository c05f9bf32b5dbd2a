using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// BatchNormalization's passes over a layer's rows (pixels × samples) of <c>channels</c> values, vectorised over
/// channels. Sums are kept in double, as the generated scalar loops kept them (a batch's Σx² − N·mean² cancels badly
/// in float); they are accumulated in registers over blocks of rows that stay in L1, then added to the caller's sums.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchNorm
{
    /// <summary>Rows per block: 256 rows of up to 64 channels is 64 KB, read once per block of channels.</summary>
    private const int RowBlock = 256;

    /// <summary>Adds each channel's Σx to <paramref name="sums"/>[c] and Σx² to <paramref name="sums"/>[channels + c].</summary>
    /// <exception cref="ArgumentException">The input is not whole rows, or the sums are not 2 × channels long.</exception>
    public static void AddStatistics(ReadOnlySpan<float> input, int channels, Span<double> sums)
    {
        Check(nameof(AddStatistics), input.Length, channels, sums.Length);
        AddProducts(input, input, channels, sums, squares: true);
    }

    /// <summary>Adds each channel's Σdy to <paramref name="sums"/>[c] and Σdy·x̂ to <paramref name="sums"/>[channels + c].</summary>
    /// <exception cref="ArgumentException">The spans are not whole rows of the same length, or the sums are not 2 × channels long.</exception>
    public static void AddGradientSums(ReadOnlySpan<float> gradient, ReadOnlySpan<float> xhat, int channels, Span<double> sums)
    {
        Check(nameof(AddGradientSums), gradient.Length, channels, sums.Length);
        if (xhat.Length < gradient.Length)
            throw new ArgumentException($"BatchNorm.{nameof(AddGradientSums)}: x̂ has {xhat.Length} values for a gradient of {gradient.Length}.");
        AddProducts(gradient, xhat, channels, sums, squares: false);
    }

    /// <summary>
    /// <c>x̂ = (x − mean)·invStd</c> and <c>output = γ·x̂ + β</c>, channel by channel (each of
    /// <paramref name="mean"/>, <paramref name="inverseStd"/>, <paramref name="gamma"/>, <paramref name="beta"/> has one value per channel).
    /// </summary>
    /// <exception cref="ArgumentException">The spans do not hold whole rows of the channel count.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> input, ReadOnlySpan<float> mean, ReadOnlySpan<float> inverseStd, ReadOnlySpan<float> gamma,
                                 ReadOnlySpan<float> beta, Span<float> xhat, Span<float> output)
    {
        int channels = mean.Length;
        CheckRows(nameof(Normalize), input.Length, channels, inverseStd.Length, gamma.Length, beta.Length);
        if (xhat.Length < input.Length || output.Length < input.Length)
            throw new ArgumentException($"BatchNorm.{nameof(Normalize)}: x̂ ({xhat.Length}) and output ({output.Length}) need {input.Length} values.");
        int width = Vector<float>.Count, vectorChannels = Vector.IsHardwareAccelerated ? channels / width * width : 0;
        for (int row = 0; row < input.Length; row += channels)
        {
            int c = 0;
            for (; c < vectorChannels; c += width)
            {
                var normalized = (Load(input, row + c) - Load(mean, c)) * Load(inverseStd, c);
                Store(xhat, row + c, normalized);
                Store(output, row + c, Load(gamma, c) * normalized + Load(beta, c));
            }
            for (; c < channels; c++)
            {
                float normalized = (input[row + c] - mean[c]) * inverseStd[c];
                xhat[row + c] = normalized;
                output[row + c] = gamma[c] * normalized + beta[c];
            }
        }
    }

    /// <summary>
    /// <c>dx = a·dy + b·x̂ + c</c> per channel: the input gradient in training mode (a = γ·invStd, b = −a·Σ(dy·x̂)/N,
    /// c = −a·Σdy/N) or inference mode (a = γ·invStd, b = c = 0), with the coefficients from the caller.
    /// </summary>
    /// <exception cref="ArgumentException">The spans do not hold whole rows of the channel count.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> gradient, ReadOnlySpan<float> xhat, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
                                     ReadOnlySpan<float> c, Span<float> inputGradient)
    {
        int channels = a.Length;
        CheckRows(nameof(InputGradient), gradient.Length, channels, b.Length, c.Length, channels);
        if (xhat.Length < gradient.Length || inputGradient.Length < gradient.Length)
            throw new ArgumentException($"BatchNorm.{nameof(InputGradient)}: x̂ ({xhat.Length}) and the input gradient ({inputGradient.Length}) need {gradient.Length} values.");
        int width = Vector<float>.Count, vectorChannels = Vector.IsHardwareAccelerated ? channels / width * width : 0;
        for (int row = 0; row < gradient.Length; row += channels)
        {
            int ch = 0;
            for (; ch < vectorChannels; ch += width)
                Store(inputGradient, row + ch, Load(a, ch) * Load(gradient, row + ch) + Load(b, ch) * Load(xhat, row + ch) + Load(c, ch));
            for (; ch < channels; ch++)
                inputGradient[row + ch] = a[ch] * gradient[row + ch] + b[ch] * xhat[row + ch] + c[ch];
        }
    }

    /// <summary>Σx·y (or Σx and Σx² when <paramref name="squares"/>) per channel, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddProducts(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int channels, Span<double> sums, bool squares)
    {
        int rows = x.Length / channels;
        int width = Vector<float>.Count, vectorChannels = Vector.IsHardwareAccelerated ? channels / width * width : 0;
        for (int first = 0; first < rows; first += RowBlock)
        {
            int last = Math.Min(rows, first + RowBlock);
            int c = 0;
            for (; c < vectorChannels; c += width)
            {
                Vector<double> sumLow = default, sumHigh = default, productLow = default, productHigh = default;
                for (int row = first; row < last; row++)
                {
                    Vector.Widen(Load(x, row * channels + c), out var xLow, out var xHigh);
                    sumLow += xLow;
                    sumHigh += xHigh;
                    if (squares)
                    {
                        productLow += xLow * xLow;
                        productHigh += xHigh * xHigh;
                    }
                    else
                    {
                        Vector.Widen(Load(y, row * channels + c), out var yLow, out var yHigh);
                        productLow += xLow * yLow;
                        productHigh += xHigh * yHigh;
                    }
                }
                int half = Vector<double>.Count;
                AddTo(sums, c, sumLow);
                AddTo(sums, c + half, sumHigh);
                AddTo(sums, channels + c, productLow);
                AddTo(sums, channels + c + half, productHigh);
            }
            for (; c < channels; c++)
            {
                double sum = 0, product = 0;
                for (int row = first; row < last; row++)
                {
                    double v = x[row * channels + c];
                    sum += v;
                    product += v * (squares ? v : y[row * channels + c]);
                }
                sums[c] += sum;
                sums[channels + c] += product;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ReadOnlySpan<float> span, int at) =>
        Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(span), at)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<float> span, int at, Vector<float> value) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(span), at)), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(Span<double> sums, int at, Vector<double> value)
    {
        ref byte target = ref Unsafe.As<double, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(sums), at));
        Unsafe.WriteUnaligned(ref target, Unsafe.ReadUnaligned<Vector<double>>(ref target) + value);
    }

    private static void Check(string method, int length, int channels, int sumsLength)
    {
        if (channels <= 0 || length % channels != 0 || sumsLength != 2 * channels)
            throw new ArgumentException($"BatchNorm.{method}: {length} values are not whole rows of {channels} channels, or the sums ({sumsLength}) are not 2 × {channels}.");
    }

    private static void CheckRows(string method, int length, int channels, int second, int third, int fourth)
    {
        if (channels <= 0 || length % channels != 0 || second != channels || third != channels || fourth != channels)
            throw new ArgumentException($"BatchNorm.{method}: {length} values must be whole rows of {channels} channels, with {channels} values per channel statistic (got {second}, {third}, {fourth}).");
    }
}
