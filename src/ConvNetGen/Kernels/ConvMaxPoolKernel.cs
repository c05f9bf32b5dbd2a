using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// The loops behind <see cref="ConvMaxPool"/>, for one register type. Per pooled pixel and per pair of registers of
/// filters, the four window pixels' sums live in 8 accumulators (enough independent FMA chains to hide the latency);
/// each tap loads two registers of the kernel row and broadcasts one input value per window pixel. Filters left
/// over after the pairs take single registers, then scalar code.
/// </summary>
internal static unsafe class ConvMaxPoolKernel<TOps, TV> where TOps : struct, ISimd<TV> where TV : struct
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ConvPoolShape s, float* input, float* kernel, float* bias, bool relu, float* pooled, float* winners)
    {
        int taps = s.Taps, oc = s.Filters, width = TOps.Width;
        int* offsets = stackalloc int[taps];
        TapOffsets(s, offsets);
        for (int b = 0; b < s.Batch; b++)
        for (int py = 0; py < s.PooledHeight; py++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc;
            int j = 0;
            for (; j + 2 * width <= oc; j += 2 * width)
                ForwardPair(x0, x1, x2, x3, offsets, taps, kernel + j, oc, bias == null ? null : bias + j, relu, pooled + o + j, winners + o + j);
            for (; j + width <= oc; j += width)
                ForwardSingle(x0, x1, x2, x3, offsets, taps, kernel + j, oc, bias == null ? null : bias + j, relu, pooled + o + j, winners + o + j);
            for (; j < oc; j++)
                ConvMaxPoolKernel<SimdScalar, float>.ForwardSingle(x0, x1, x2, x3, offsets, taps, kernel + j, oc, bias == null ? null : bias + j, relu, pooled + o + j, winners + o + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeights(ConvPoolShape s, float* input, float* pooled, float* winners, float* gradient, bool relu,
                                       float* kernelGradient, float* biasGradient)
    {
        int taps = s.Taps, oc = s.Filters, width = TOps.Width;
        int* offsets = stackalloc int[taps];
        TapOffsets(s, offsets);
        for (int b = 0; b < s.Batch; b++)
        for (int py = 0; py < s.PooledHeight; py++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc;
            int j = 0;
            for (; j + 2 * width <= oc; j += 2 * width)
                BackwardPair(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
            for (; j + width <= oc; j += width)
                BackwardSingle(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
            for (; j < oc; j++)
                ConvMaxPoolKernel<SimdScalar, float>.BackwardSingle(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
        }
    }

    /// <summary>Where tap t = (ky·KW + kx)·IC + c of a window sits, relative to the window's top-left input value.</summary>
    private static void TapOffsets(ConvPoolShape s, int* offsets)
    {
        int t = 0;
        for (int ky = 0; ky < s.KernelHeight; ky++)
        for (int kx = 0; kx < s.KernelWidth; kx++)
        for (int c = 0; c < s.InputChannels; c++)
            offsets[t++] = (ky * s.InputWidth + kx) * s.InputChannels + c;
    }

    /// <summary>The top-left input value of each of the pooled pixel's four conv windows, in reading order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Window(ConvPoolShape s, float* input, int b, int py, int px, out float* x0, out float* x1, out float* x2, out float* x3)
    {
        x0 = input + (((nint)b * s.InputHeight + 2 * py) * s.InputWidth + 2 * px) * s.InputChannels;
        x1 = x0 + s.InputChannels;
        x2 = x0 + (nint)s.InputWidth * s.InputChannels;
        x3 = x2 + s.InputChannels;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardPair(float* x0, float* x1, float* x2, float* x3, int* offsets, int taps, float* kernel, int oc,
                                    float* bias, bool relu, float* pooled, float* winners)
    {
        int width = TOps.Width;
        TV start0 = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias);
        TV start1 = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias + width);
        TV a00 = start0, a10 = start0, a20 = start0, a30 = start0;
        TV a01 = start1, a11 = start1, a21 = start1, a31 = start1;
        float* w = kernel;
        for (int t = 0; t < taps; t++, w += oc)
        {
            nint off = offsets[t];
            TV w0 = TOps.Load(w), w1 = TOps.Load(w + width);
            TV v = TOps.Broadcast(x0[off]);
            a00 = TOps.MultiplyAdd(v, w0, a00);
            a01 = TOps.MultiplyAdd(v, w1, a01);
            v = TOps.Broadcast(x1[off]);
            a10 = TOps.MultiplyAdd(v, w0, a10);
            a11 = TOps.MultiplyAdd(v, w1, a11);
            v = TOps.Broadcast(x2[off]);
            a20 = TOps.MultiplyAdd(v, w0, a20);
            a21 = TOps.MultiplyAdd(v, w1, a21);
            v = TOps.Broadcast(x3[off]);
            a30 = TOps.MultiplyAdd(v, w0, a30);
            a31 = TOps.MultiplyAdd(v, w1, a31);
        }
        StoreMax(a00, a10, a20, a30, relu, pooled, winners);
        StoreMax(a01, a11, a21, a31, relu, pooled + width, winners + width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ForwardSingle(float* x0, float* x1, float* x2, float* x3, int* offsets, int taps, float* kernel, int oc,
                                       float* bias, bool relu, float* pooled, float* winners)
    {
        TV start = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias);
        TV a0 = start, a1 = start, a2 = start, a3 = start;
        float* w = kernel;
        for (int t = 0; t < taps; t++, w += oc)
        {
            nint off = offsets[t];
            TV w0 = TOps.Load(w);
            a0 = TOps.MultiplyAdd(TOps.Broadcast(x0[off]), w0, a0);
            a1 = TOps.MultiplyAdd(TOps.Broadcast(x1[off]), w0, a1);
            a2 = TOps.MultiplyAdd(TOps.Broadcast(x2[off]), w0, a2);
            a3 = TOps.MultiplyAdd(TOps.Broadcast(x3[off]), w0, a3);
        }
        StoreMax(a0, a1, a2, a3, relu, pooled, winners);
    }

    /// <summary>The window's maximum (then the activation) and which pixel gave it; ties keep the earlier pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMax(TV a0, TV a1, TV a2, TV a3, bool relu, float* pooled, float* winners)
    {
        TV best = a0, winner = TOps.Broadcast(0f);
        TV wins = TOps.GreaterThan(a1, best);
        best = TOps.Select(wins, a1, best);
        winner = TOps.Select(wins, TOps.Broadcast(1f), winner);
        wins = TOps.GreaterThan(a2, best);
        best = TOps.Select(wins, a2, best);
        winner = TOps.Select(wins, TOps.Broadcast(2f), winner);
        wins = TOps.GreaterThan(a3, best);
        best = TOps.Select(wins, a3, best);
        winner = TOps.Select(wins, TOps.Broadcast(3f), winner);
        TOps.Store(pooled, relu ? TOps.Relu(best) : best);
        TOps.Store(winners, winner);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardPair(float* x0, float* x1, float* x2, float* x3, int* offsets, int taps, float* pooled, float* winners,
                                     float* gradient, bool relu, float* kernelGradient, int oc, float* biasGradient)
    {
        int width = TOps.Width;
        TV g0 = PixelGradient(pooled, gradient, relu), g1 = PixelGradient(pooled + width, gradient + width, relu);
        TV c0 = TOps.Load(winners), c1 = TOps.Load(winners + width);
        TV zero = TOps.Broadcast(0f), one = TOps.Broadcast(1f), two = TOps.Broadcast(2f), three = TOps.Broadcast(3f);
        TV q00 = TOps.Select(TOps.Equal(c0, zero), g0, zero), q01 = TOps.Select(TOps.Equal(c1, zero), g1, zero);
        TV q10 = TOps.Select(TOps.Equal(c0, one), g0, zero), q11 = TOps.Select(TOps.Equal(c1, one), g1, zero);
        TV q20 = TOps.Select(TOps.Equal(c0, two), g0, zero), q21 = TOps.Select(TOps.Equal(c1, two), g1, zero);
        TV q30 = TOps.Select(TOps.Equal(c0, three), g0, zero), q31 = TOps.Select(TOps.Equal(c1, three), g1, zero);
        if (biasGradient != null)
        {
            TOps.Store(biasGradient, TOps.Add(TOps.Load(biasGradient), g0));
            TOps.Store(biasGradient + width, TOps.Add(TOps.Load(biasGradient + width), g1));
        }
        float* d = kernelGradient;
        for (int t = 0; t < taps; t++, d += oc)
        {
            nint off = offsets[t];
            TV d0 = TOps.Load(d), d1 = TOps.Load(d + width);
            TV v = TOps.Broadcast(x0[off]);
            d0 = TOps.MultiplyAdd(v, q00, d0);
            d1 = TOps.MultiplyAdd(v, q01, d1);
            v = TOps.Broadcast(x1[off]);
            d0 = TOps.MultiplyAdd(v, q10, d0);
            d1 = TOps.MultiplyAdd(v, q11, d1);
            v = TOps.Broadcast(x2[off]);
            d0 = TOps.MultiplyAdd(v, q20, d0);
            d1 = TOps.MultiplyAdd(v, q21, d1);
            v = TOps.Broadcast(x3[off]);
            d0 = TOps.MultiplyAdd(v, q30, d0);
            d1 = TOps.MultiplyAdd(v, q31, d1);
            TOps.Store(d, d0);
            TOps.Store(d + width, d1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void BackwardSingle(float* x0, float* x1, float* x2, float* x3, int* offsets, int taps, float* pooled, float* winners,
                                        float* gradient, bool relu, float* kernelGradient, int oc, float* biasGradient)
    {
        TV g = PixelGradient(pooled, gradient, relu);
        TV c = TOps.Load(winners);
        TV zero = TOps.Broadcast(0f);
        TV q0 = TOps.Select(TOps.Equal(c, zero), g, zero);
        TV q1 = TOps.Select(TOps.Equal(c, TOps.Broadcast(1f)), g, zero);
        TV q2 = TOps.Select(TOps.Equal(c, TOps.Broadcast(2f)), g, zero);
        TV q3 = TOps.Select(TOps.Equal(c, TOps.Broadcast(3f)), g, zero);
        if (biasGradient != null) TOps.Store(biasGradient, TOps.Add(TOps.Load(biasGradient), g));
        float* d = kernelGradient;
        for (int t = 0; t < taps; t++, d += oc)
        {
            nint off = offsets[t];
            TV sum = TOps.MultiplyAdd(TOps.Broadcast(x0[off]), q0, TOps.Load(d));
            sum = TOps.MultiplyAdd(TOps.Broadcast(x1[off]), q1, sum);
            sum = TOps.MultiplyAdd(TOps.Broadcast(x2[off]), q2, sum);
            sum = TOps.MultiplyAdd(TOps.Broadcast(x3[off]), q3, sum);
            TOps.Store(d, sum);
        }
    }

    /// <summary>The gradient at the winning conv pixel, before the activation: ReLU passes it only where the pooled value is positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV PixelGradient(float* pooled, float* gradient, bool relu)
    {
        TV g = TOps.Load(gradient);
        if (!relu) return g;
        TV zero = TOps.Broadcast(0f);
        return TOps.Select(TOps.GreaterThan(TOps.Load(pooled), zero), g, zero);
    }
}
