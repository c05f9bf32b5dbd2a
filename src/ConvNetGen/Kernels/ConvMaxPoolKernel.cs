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
    /// <remarks>Pooled rows [<paramref name="rowFrom"/>, <paramref name="rowTo"/>) of the whole batch (row r is sample r / PH, row r % PH).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ConvPoolShape s, float* input, float* kernel, float* bias, bool relu, float* pooled, float* winners, int rowFrom, int rowTo)
    {
        int taps = s.Taps, oc = s.Filters, width = TOps.Width;
        int* offsets = stackalloc int[taps];
        TapOffsets(s, offsets);
        int pairsDone = 0;
        if (UseNineTapKernels(taps))
            for (; pairsDone + 2 * width <= oc; pairsDone += 2 * width)
                ForwardNineTapPair(s, input, offsets, kernel, bias, relu, pooled, winners, pairsDone, rowFrom, rowTo);
        for (int r = rowFrom; r < rowTo; r++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            int b = r / s.PooledHeight, py = r - b * s.PooledHeight;
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc;
            int j = pairsDone;
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
        int pairsDone = 0;
        if (UseNineTapKernels(taps))
            for (; pairsDone + 2 * width <= oc; pairsDone += 2 * width)
                BackwardNineTapPair(s, input, offsets, pooled, winners, gradient, relu, kernelGradient, biasGradient, pairsDone);
        for (int b = 0; b < s.Batch; b++)
        for (int py = 0; py < s.PooledHeight; py++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc;
            int j = pairsDone;
            for (; j + 2 * width <= oc; j += 2 * width)
                BackwardPair(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
            for (; j + width <= oc; j += width)
                BackwardSingle(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
            for (; j < oc; j++)
                ConvMaxPoolKernel<SimdScalar, float>.BackwardSingle(x0, x1, x2, x3, offsets, taps, pooled + o + j, winners + o + j, gradient + o + j, relu, kernelGradient + j, oc, biasGradient == null ? null : biasGradient + j);
        }
    }

    /// <summary>
    /// Whether the nine-value kernels take the register pairs: 18 kernel (or kernel-gradient) registers plus 8
    /// accumulators need 32 registers (AVX-512, ARM64); with 16 they would spill on every tap.
    /// </summary>
    private static bool UseNineTapKernels(int taps) => taps == 9 && TOps.Width > 1 && SimdRegisters.Many;

    /// <summary>
    /// Nine-value windows (3×3×1: a grayscale image's first conv) with a pair of registers of filters, on machines
    /// with 32 vector registers: the kernel's 18 registers stay loaded across every pooled pixel, so each pixel is 72
    /// FMAs with their input values broadcast from memory, and nothing else but the maximum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardNineTapPair(ConvPoolShape s, float* input, int* offsets, float* kernel, float* bias, bool relu, float* pooled, float* winners, int j, int rowFrom, int rowTo)
    {
        int oc = s.Filters, width = TOps.Width;
        nint o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4], o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8];
        TV w0a = TOps.Load(kernel + 0 * oc + j), w0b = TOps.Load(kernel + 0 * oc + j + width);
        TV w1a = TOps.Load(kernel + 1 * oc + j), w1b = TOps.Load(kernel + 1 * oc + j + width);
        TV w2a = TOps.Load(kernel + 2 * oc + j), w2b = TOps.Load(kernel + 2 * oc + j + width);
        TV w3a = TOps.Load(kernel + 3 * oc + j), w3b = TOps.Load(kernel + 3 * oc + j + width);
        TV w4a = TOps.Load(kernel + 4 * oc + j), w4b = TOps.Load(kernel + 4 * oc + j + width);
        TV w5a = TOps.Load(kernel + 5 * oc + j), w5b = TOps.Load(kernel + 5 * oc + j + width);
        TV w6a = TOps.Load(kernel + 6 * oc + j), w6b = TOps.Load(kernel + 6 * oc + j + width);
        TV w7a = TOps.Load(kernel + 7 * oc + j), w7b = TOps.Load(kernel + 7 * oc + j + width);
        TV w8a = TOps.Load(kernel + 8 * oc + j), w8b = TOps.Load(kernel + 8 * oc + j + width);
        TV start0 = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias + j);
        TV start1 = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias + j + width);
        for (int r = rowFrom; r < rowTo; r++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            int b = r / s.PooledHeight, py = r - b * s.PooledHeight;
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc + j;
            TV a00 = start0, a01 = start1;
            TV a10 = start0, a11 = start1;
            TV a20 = start0, a21 = start1;
            TV a30 = start0, a31 = start1;
            // Tap by tap, the four pixels' eight chains side by side: each tap's eight FMAs are independent and issue back
            // to back while the previous tap's finish, without leaning on the out-of-order window (the same sums in the
            // same order; 5–8% faster than pixel by pixel on the Intel Xeon, in its quiet phases).
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o0]), w0a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o0]), w0b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o0]), w0a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o0]), w0b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o0]), w0a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o0]), w0b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o0]), w0a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o0]), w0b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o1]), w1a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o1]), w1b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o1]), w1a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o1]), w1b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o1]), w1a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o1]), w1b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o1]), w1a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o1]), w1b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o2]), w2a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o2]), w2b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o2]), w2a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o2]), w2b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o2]), w2a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o2]), w2b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o2]), w2a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o2]), w2b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o3]), w3a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o3]), w3b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o3]), w3a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o3]), w3b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o3]), w3a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o3]), w3b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o3]), w3a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o3]), w3b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o4]), w4a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o4]), w4b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o4]), w4a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o4]), w4b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o4]), w4a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o4]), w4b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o4]), w4a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o4]), w4b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o5]), w5a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o5]), w5b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o5]), w5a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o5]), w5b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o5]), w5a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o5]), w5b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o5]), w5a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o5]), w5b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o6]), w6a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o6]), w6b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o6]), w6a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o6]), w6b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o6]), w6a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o6]), w6b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o6]), w6a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o6]), w6b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o7]), w7a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o7]), w7b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o7]), w7a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o7]), w7b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o7]), w7a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o7]), w7b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o7]), w7a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o7]), w7b, a31);
            a00 = TOps.MultiplyAdd(TOps.Broadcast(x0[o8]), w8a, a00); a01 = TOps.MultiplyAdd(TOps.Broadcast(x0[o8]), w8b, a01);
            a10 = TOps.MultiplyAdd(TOps.Broadcast(x1[o8]), w8a, a10); a11 = TOps.MultiplyAdd(TOps.Broadcast(x1[o8]), w8b, a11);
            a20 = TOps.MultiplyAdd(TOps.Broadcast(x2[o8]), w8a, a20); a21 = TOps.MultiplyAdd(TOps.Broadcast(x2[o8]), w8b, a21);
            a30 = TOps.MultiplyAdd(TOps.Broadcast(x3[o8]), w8a, a30); a31 = TOps.MultiplyAdd(TOps.Broadcast(x3[o8]), w8b, a31);
            StoreMax(a00, a10, a20, a30, relu, pooled + o, winners + o);
            StoreMax(a01, a11, a21, a31, relu, pooled + o + width, winners + o + width);
        }
    }

    /// <summary>
    /// The weight gradients for nine-value windows and a pair of registers of filters: the 18 registers of the kernel
    /// gradient accumulate across every pooled pixel and are added to memory once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardNineTapPair(ConvPoolShape s, float* input, int* offsets, float* pooled, float* winners, float* gradient, bool relu,
                                            float* kernelGradient, float* biasGradient, int j)
    {
        int oc = s.Filters, width = TOps.Width;
        nint o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4], o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8];
        TV d0a = TOps.Broadcast(0f), d0b = TOps.Broadcast(0f), d1a = TOps.Broadcast(0f), d1b = TOps.Broadcast(0f), d2a = TOps.Broadcast(0f), d2b = TOps.Broadcast(0f), d3a = TOps.Broadcast(0f), d3b = TOps.Broadcast(0f), d4a = TOps.Broadcast(0f), d4b = TOps.Broadcast(0f), d5a = TOps.Broadcast(0f), d5b = TOps.Broadcast(0f), d6a = TOps.Broadcast(0f), d6b = TOps.Broadcast(0f), d7a = TOps.Broadcast(0f), d7b = TOps.Broadcast(0f), d8a = TOps.Broadcast(0f), d8b = TOps.Broadcast(0f);
        TV bias0 = TOps.Broadcast(0f), bias1 = TOps.Broadcast(0f);
        for (int b = 0; b < s.Batch; b++)
        for (int py = 0; py < s.PooledHeight; py++)
        for (int px = 0; px < s.PooledWidth; px++)
        {
            Window(s, input, b, py, px, out float* x0, out float* x1, out float* x2, out float* x3);
            nint o = (((nint)b * s.PooledHeight + py) * s.PooledWidth + px) * oc + j;
            TV g0 = PixelGradient(pooled + o, gradient + o, relu), g1 = PixelGradient(pooled + o + width, gradient + o + width, relu);
            bias0 = TOps.Add(bias0, g0);
            bias1 = TOps.Add(bias1, g1);
            TV c0 = TOps.Load(winners + o), c1 = TOps.Load(winners + o + width);
            TV q0 = TOps.Select(TOps.Equal(c0, TOps.Broadcast(0f)), g0, TOps.Broadcast(0f));
            TV q1 = TOps.Select(TOps.Equal(c1, TOps.Broadcast(0f)), g1, TOps.Broadcast(0f));
            d0a = TOps.MultiplyAdd(TOps.Broadcast(x0[o0]), q0, d0a); d0b = TOps.MultiplyAdd(TOps.Broadcast(x0[o0]), q1, d0b);
            d1a = TOps.MultiplyAdd(TOps.Broadcast(x0[o1]), q0, d1a); d1b = TOps.MultiplyAdd(TOps.Broadcast(x0[o1]), q1, d1b);
            d2a = TOps.MultiplyAdd(TOps.Broadcast(x0[o2]), q0, d2a); d2b = TOps.MultiplyAdd(TOps.Broadcast(x0[o2]), q1, d2b);
            d3a = TOps.MultiplyAdd(TOps.Broadcast(x0[o3]), q0, d3a); d3b = TOps.MultiplyAdd(TOps.Broadcast(x0[o3]), q1, d3b);
            d4a = TOps.MultiplyAdd(TOps.Broadcast(x0[o4]), q0, d4a); d4b = TOps.MultiplyAdd(TOps.Broadcast(x0[o4]), q1, d4b);
            d5a = TOps.MultiplyAdd(TOps.Broadcast(x0[o5]), q0, d5a); d5b = TOps.MultiplyAdd(TOps.Broadcast(x0[o5]), q1, d5b);
            d6a = TOps.MultiplyAdd(TOps.Broadcast(x0[o6]), q0, d6a); d6b = TOps.MultiplyAdd(TOps.Broadcast(x0[o6]), q1, d6b);
            d7a = TOps.MultiplyAdd(TOps.Broadcast(x0[o7]), q0, d7a); d7b = TOps.MultiplyAdd(TOps.Broadcast(x0[o7]), q1, d7b);
            d8a = TOps.MultiplyAdd(TOps.Broadcast(x0[o8]), q0, d8a); d8b = TOps.MultiplyAdd(TOps.Broadcast(x0[o8]), q1, d8b);
            q0 = TOps.Select(TOps.Equal(c0, TOps.Broadcast(1f)), g0, TOps.Broadcast(0f));
            q1 = TOps.Select(TOps.Equal(c1, TOps.Broadcast(1f)), g1, TOps.Broadcast(0f));
            d0a = TOps.MultiplyAdd(TOps.Broadcast(x1[o0]), q0, d0a); d0b = TOps.MultiplyAdd(TOps.Broadcast(x1[o0]), q1, d0b);
            d1a = TOps.MultiplyAdd(TOps.Broadcast(x1[o1]), q0, d1a); d1b = TOps.MultiplyAdd(TOps.Broadcast(x1[o1]), q1, d1b);
            d2a = TOps.MultiplyAdd(TOps.Broadcast(x1[o2]), q0, d2a); d2b = TOps.MultiplyAdd(TOps.Broadcast(x1[o2]), q1, d2b);
            d3a = TOps.MultiplyAdd(TOps.Broadcast(x1[o3]), q0, d3a); d3b = TOps.MultiplyAdd(TOps.Broadcast(x1[o3]), q1, d3b);
            d4a = TOps.MultiplyAdd(TOps.Broadcast(x1[o4]), q0, d4a); d4b = TOps.MultiplyAdd(TOps.Broadcast(x1[o4]), q1, d4b);
            d5a = TOps.MultiplyAdd(TOps.Broadcast(x1[o5]), q0, d5a); d5b = TOps.MultiplyAdd(TOps.Broadcast(x1[o5]), q1, d5b);
            d6a = TOps.MultiplyAdd(TOps.Broadcast(x1[o6]), q0, d6a); d6b = TOps.MultiplyAdd(TOps.Broadcast(x1[o6]), q1, d6b);
            d7a = TOps.MultiplyAdd(TOps.Broadcast(x1[o7]), q0, d7a); d7b = TOps.MultiplyAdd(TOps.Broadcast(x1[o7]), q1, d7b);
            d8a = TOps.MultiplyAdd(TOps.Broadcast(x1[o8]), q0, d8a); d8b = TOps.MultiplyAdd(TOps.Broadcast(x1[o8]), q1, d8b);
            q0 = TOps.Select(TOps.Equal(c0, TOps.Broadcast(2f)), g0, TOps.Broadcast(0f));
            q1 = TOps.Select(TOps.Equal(c1, TOps.Broadcast(2f)), g1, TOps.Broadcast(0f));
            d0a = TOps.MultiplyAdd(TOps.Broadcast(x2[o0]), q0, d0a); d0b = TOps.MultiplyAdd(TOps.Broadcast(x2[o0]), q1, d0b);
            d1a = TOps.MultiplyAdd(TOps.Broadcast(x2[o1]), q0, d1a); d1b = TOps.MultiplyAdd(TOps.Broadcast(x2[o1]), q1, d1b);
            d2a = TOps.MultiplyAdd(TOps.Broadcast(x2[o2]), q0, d2a); d2b = TOps.MultiplyAdd(TOps.Broadcast(x2[o2]), q1, d2b);
            d3a = TOps.MultiplyAdd(TOps.Broadcast(x2[o3]), q0, d3a); d3b = TOps.MultiplyAdd(TOps.Broadcast(x2[o3]), q1, d3b);
            d4a = TOps.MultiplyAdd(TOps.Broadcast(x2[o4]), q0, d4a); d4b = TOps.MultiplyAdd(TOps.Broadcast(x2[o4]), q1, d4b);
            d5a = TOps.MultiplyAdd(TOps.Broadcast(x2[o5]), q0, d5a); d5b = TOps.MultiplyAdd(TOps.Broadcast(x2[o5]), q1, d5b);
            d6a = TOps.MultiplyAdd(TOps.Broadcast(x2[o6]), q0, d6a); d6b = TOps.MultiplyAdd(TOps.Broadcast(x2[o6]), q1, d6b);
            d7a = TOps.MultiplyAdd(TOps.Broadcast(x2[o7]), q0, d7a); d7b = TOps.MultiplyAdd(TOps.Broadcast(x2[o7]), q1, d7b);
            d8a = TOps.MultiplyAdd(TOps.Broadcast(x2[o8]), q0, d8a); d8b = TOps.MultiplyAdd(TOps.Broadcast(x2[o8]), q1, d8b);
            q0 = TOps.Select(TOps.Equal(c0, TOps.Broadcast(3f)), g0, TOps.Broadcast(0f));
            q1 = TOps.Select(TOps.Equal(c1, TOps.Broadcast(3f)), g1, TOps.Broadcast(0f));
            d0a = TOps.MultiplyAdd(TOps.Broadcast(x3[o0]), q0, d0a); d0b = TOps.MultiplyAdd(TOps.Broadcast(x3[o0]), q1, d0b);
            d1a = TOps.MultiplyAdd(TOps.Broadcast(x3[o1]), q0, d1a); d1b = TOps.MultiplyAdd(TOps.Broadcast(x3[o1]), q1, d1b);
            d2a = TOps.MultiplyAdd(TOps.Broadcast(x3[o2]), q0, d2a); d2b = TOps.MultiplyAdd(TOps.Broadcast(x3[o2]), q1, d2b);
            d3a = TOps.MultiplyAdd(TOps.Broadcast(x3[o3]), q0, d3a); d3b = TOps.MultiplyAdd(TOps.Broadcast(x3[o3]), q1, d3b);
            d4a = TOps.MultiplyAdd(TOps.Broadcast(x3[o4]), q0, d4a); d4b = TOps.MultiplyAdd(TOps.Broadcast(x3[o4]), q1, d4b);
            d5a = TOps.MultiplyAdd(TOps.Broadcast(x3[o5]), q0, d5a); d5b = TOps.MultiplyAdd(TOps.Broadcast(x3[o5]), q1, d5b);
            d6a = TOps.MultiplyAdd(TOps.Broadcast(x3[o6]), q0, d6a); d6b = TOps.MultiplyAdd(TOps.Broadcast(x3[o6]), q1, d6b);
            d7a = TOps.MultiplyAdd(TOps.Broadcast(x3[o7]), q0, d7a); d7b = TOps.MultiplyAdd(TOps.Broadcast(x3[o7]), q1, d7b);
            d8a = TOps.MultiplyAdd(TOps.Broadcast(x3[o8]), q0, d8a); d8b = TOps.MultiplyAdd(TOps.Broadcast(x3[o8]), q1, d8b);
        }
        TOps.Store(kernelGradient + 0 * oc + j, TOps.Add(TOps.Load(kernelGradient + 0 * oc + j), d0a));
        TOps.Store(kernelGradient + 0 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 0 * oc + j + width), d0b));
        TOps.Store(kernelGradient + 1 * oc + j, TOps.Add(TOps.Load(kernelGradient + 1 * oc + j), d1a));
        TOps.Store(kernelGradient + 1 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 1 * oc + j + width), d1b));
        TOps.Store(kernelGradient + 2 * oc + j, TOps.Add(TOps.Load(kernelGradient + 2 * oc + j), d2a));
        TOps.Store(kernelGradient + 2 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 2 * oc + j + width), d2b));
        TOps.Store(kernelGradient + 3 * oc + j, TOps.Add(TOps.Load(kernelGradient + 3 * oc + j), d3a));
        TOps.Store(kernelGradient + 3 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 3 * oc + j + width), d3b));
        TOps.Store(kernelGradient + 4 * oc + j, TOps.Add(TOps.Load(kernelGradient + 4 * oc + j), d4a));
        TOps.Store(kernelGradient + 4 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 4 * oc + j + width), d4b));
        TOps.Store(kernelGradient + 5 * oc + j, TOps.Add(TOps.Load(kernelGradient + 5 * oc + j), d5a));
        TOps.Store(kernelGradient + 5 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 5 * oc + j + width), d5b));
        TOps.Store(kernelGradient + 6 * oc + j, TOps.Add(TOps.Load(kernelGradient + 6 * oc + j), d6a));
        TOps.Store(kernelGradient + 6 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 6 * oc + j + width), d6b));
        TOps.Store(kernelGradient + 7 * oc + j, TOps.Add(TOps.Load(kernelGradient + 7 * oc + j), d7a));
        TOps.Store(kernelGradient + 7 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 7 * oc + j + width), d7b));
        TOps.Store(kernelGradient + 8 * oc + j, TOps.Add(TOps.Load(kernelGradient + 8 * oc + j), d8a));
        TOps.Store(kernelGradient + 8 * oc + j + width, TOps.Add(TOps.Load(kernelGradient + 8 * oc + j + width), d8b));
        if (biasGradient != null)
        {
            TOps.Store(biasGradient + j, TOps.Add(TOps.Load(biasGradient + j), bias0));
            TOps.Store(biasGradient + j + width, TOps.Add(TOps.Load(biasGradient + j + width), bias1));
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
