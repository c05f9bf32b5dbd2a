using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// The transforms behind <see cref="Winograd"/>, for one register type, vectorised over the channel (or filter)
/// dimension: each call of a <c>…Group</c> method handles one register of channels of one tile. Channels left over
/// after whole registers take the scalar instantiation. The 1-D building blocks, with F(2, 3)'s matrices:
/// <code>
/// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]   Aᵀ = [1 1 1 0; 0 1 −1 −1]
/// </code>
/// A 2-D transform applies the 1-D one down the columns, then along the rows.
/// </summary>
internal static unsafe class WinogradKernel<TOps, TV> where TOps : struct, ISimd<TV> where TV : struct
{
    private const int Size = 4, Step = 2; // input tile, output tile

    private static int Width => TOps.Width;

    // ---- Forward -------------------------------------------------------------------------------------------------

    /// <summary>V[p][t − first][c] = (Bᵀ d B)[p] for each 4×4 input tile d of tiles [first, first + count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformInput(WinogradShape s, float* input, float* v, int first, int count, int from, int to)
    {
        nint plane = Winograd.Plane(count, s.InputChannels), rowStride = (nint)s.InputWidth * s.InputChannels;
        float* tile = null;
        for (int t = from; t < to; t++) // [from, to) ⊆ the block [first, first + count): a thread's share of it
        {
            float* o = v + (nint)(t - first) * s.InputChannels;
            if (s.InputTile(t, Step, out nint sample, out int y0, out int x0))
            {
                InputTile(input + sample + s.InputPixel(y0, x0), rowStride, s.InputChannels, o, plane);
                continue;
            }
            if (tile == null) tile = WinogradBorder.Scratch(Size * Size * s.InputChannels);
            WinogradBorder.Gather(input + sample, s.InputHeight, s.InputWidth, s.InputChannels, y0, x0, Size, tile);
            InputTile(tile, Size * s.InputChannels, s.InputChannels, o, plane);
        }
    }

    /// <summary>One tile's V, all channels: <paramref name="x"/> is its top-left pixel, rows <paramref name="rowStride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTile(float* x, nint rowStride, int channels, float* o, nint plane)
    {
        int c = 0;
        for (; c + Width <= channels; c += Width) InputGroup(x + c, rowStride, channels, o + c, plane);
        for (; c < channels; c++) WinogradKernel<SimdScalar, float>.InputGroup(x + c, rowStride, channels, o + c, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGroup(float* x, nint rowStride, nint cs, float* o, nint plane)
    {
        float* x1 = x + rowStride, x2 = x1 + rowStride, x3 = x2 + rowStride;
        // Down the columns: r = Bᵀ d.
        Bt(TOps.Load(x), TOps.Load(x1), TOps.Load(x2), TOps.Load(x3), out var r00, out var r10, out var r20, out var r30);
        Bt(TOps.Load(x + cs), TOps.Load(x1 + cs), TOps.Load(x2 + cs), TOps.Load(x3 + cs), out var r01, out var r11, out var r21, out var r31);
        Bt(TOps.Load(x + 2 * cs), TOps.Load(x1 + 2 * cs), TOps.Load(x2 + 2 * cs), TOps.Load(x3 + 2 * cs), out var r02, out var r12, out var r22, out var r32);
        Bt(TOps.Load(x + 3 * cs), TOps.Load(x1 + 3 * cs), TOps.Load(x2 + 3 * cs), TOps.Load(x3 + 3 * cs), out var r03, out var r13, out var r23, out var r33);
        // Along the rows: V = r B.
        StoreBt(o, plane, 0, r00, r01, r02, r03);
        StoreBt(o, plane, 4, r10, r11, r12, r13);
        StoreBt(o, plane, 8, r20, r21, r22, r23);
        StoreBt(o, plane, 12, r30, r31, r32, r33);
    }

    /// <summary>U[p][c][f] = (G g Gᵀ)[p] for each input channel c and filter f of the 3×3 HWIO kernel g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformKernel(float* kernel, int ic, int oc, float* u)
    {
        nint tap = (nint)ic * oc, plane = Winograd.Plane(ic, oc);
        for (int c = 0; c < ic; c++)
        {
            int f = 0;
            for (; f + Width <= oc; f += Width) KernelGroup(kernel + (nint)c * oc + f, tap, u + (nint)c * oc + f, plane);
            for (; f < oc; f++) WinogradKernel<SimdScalar, float>.KernelGroup(kernel + (nint)c * oc + f, tap, u + (nint)c * oc + f, plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelGroup(float* g, nint tap, float* u, nint plane)
    {
        // Down the columns: a = G g (4×3).
        G(TOps.Load(g), TOps.Load(g + 3 * tap), TOps.Load(g + 6 * tap), out var a00, out var a10, out var a20, out var a30);
        G(TOps.Load(g + tap), TOps.Load(g + 4 * tap), TOps.Load(g + 7 * tap), out var a01, out var a11, out var a21, out var a31);
        G(TOps.Load(g + 2 * tap), TOps.Load(g + 5 * tap), TOps.Load(g + 8 * tap), out var a02, out var a12, out var a22, out var a32);
        // Along the rows: U = a Gᵀ (4×4).
        StoreG(u, plane, 0, a00, a01, a02);
        StoreG(u, plane, 4, a10, a11, a12);
        StoreG(u, plane, 8, a20, a21, a22);
        StoreG(u, plane, 12, a30, a31, a32);
    }

    /// <summary>output[(t·4 + q)·OC + f] = (Aᵀ M A)[q] + bias[f], then ReLU if asked: each tile's 2×2 outputs, as consecutive rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutput(int tiles, int oc, float* m, float* bias, bool relu, float* output, int from, int to)
    {
        nint plane = Winograd.Plane(tiles, oc);
        for (int t = from; t < to; t++) // [from, to) ⊆ [0, tiles): a thread's share of the block
        {
            float* mt = m + (nint)t * oc;
            float* o = output + (nint)t * 4 * oc;
            int f = 0;
            for (; f + Width <= oc; f += Width) OutputGroup(mt + f, plane, bias == null ? null : bias + f, relu, o + f, oc);
            for (; f < oc; f++) WinogradKernel<SimdScalar, float>.OutputGroup(mt + f, plane, bias == null ? null : bias + f, relu, o + f, oc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGroup(float* m, nint plane, float* bias, bool relu, float* o, nint oc)
    {
        OutputPixels(m, plane, bias, relu, out var y00, out var y01, out var y10, out var y11);
        TOps.Store(o, y00);
        TOps.Store(o + oc, y01);
        TOps.Store(o + 2 * oc, y10);
        TOps.Store(o + 3 * oc, y11);
    }

    /// <summary>
    /// pooled[t·OC + f] = the maximum of tile t's 2×2 outputs as <see cref="TransformOutput"/> computes them: a tile is
    /// one window of the 2×2 max pooling after a pool-ordered conv, so inference pools it in registers and the conv's
    /// own output is never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutputPooled(int tiles, int oc, float* m, float* bias, bool relu, float* pooled, int from, int to)
    {
        nint plane = Winograd.Plane(tiles, oc);
        for (int t = from; t < to; t++)
        {
            float* mt = m + (nint)t * oc;
            float* o = pooled + (nint)t * oc;
            int f = 0;
            for (; f + Width <= oc; f += Width) OutputGroupPooled(mt + f, plane, bias == null ? null : bias + f, relu, o + f);
            for (; f < oc; f++) WinogradKernel<SimdScalar, float>.OutputGroupPooled(mt + f, plane, bias == null ? null : bias + f, relu, o + f);
        }
    }

    /// <summary>One channel group's window maximum: the pairs of each row, then the rows (as F(4×4)'s pooled windows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGroupPooled(float* m, nint plane, float* bias, bool relu, float* o)
    {
        OutputPixels(m, plane, bias, relu, out var y00, out var y01, out var y10, out var y11);
        TV top = TOps.Select(TOps.GreaterThan(y01, y00), y01, y00), bottom = TOps.Select(TOps.GreaterThan(y11, y10), y11, y10);
        TOps.Store(o, TOps.Select(TOps.GreaterThan(bottom, top), bottom, top));
    }

    /// <summary>One channel group of a tile's 2×2 outputs, (Aᵀ M A) + bias, then ReLU if asked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputPixels(float* m, nint plane, float* bias, bool relu, out TV y00, out TV y01, out TV y10, out TV y11)
    {
        // Down the columns: s = Aᵀ M (2×4).
        At(TOps.Load(m), TOps.Load(m + 4 * plane), TOps.Load(m + 8 * plane), TOps.Load(m + 12 * plane), out var s00, out var s10);
        At(TOps.Load(m + plane), TOps.Load(m + 5 * plane), TOps.Load(m + 9 * plane), TOps.Load(m + 13 * plane), out var s01, out var s11);
        At(TOps.Load(m + 2 * plane), TOps.Load(m + 6 * plane), TOps.Load(m + 10 * plane), TOps.Load(m + 14 * plane), out var s02, out var s12);
        At(TOps.Load(m + 3 * plane), TOps.Load(m + 7 * plane), TOps.Load(m + 11 * plane), TOps.Load(m + 15 * plane), out var s03, out var s13);
        // Along the rows: Y = s A (2×2), plus the bias.
        TV start = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias);
        At(s00, s01, s02, s03, out y00, out y01);
        At(s10, s11, s12, s13, out y10, out y11);
        y00 = TOps.Add(y00, start);
        y01 = TOps.Add(y01, start);
        y10 = TOps.Add(y10, start);
        y11 = TOps.Add(y11, start);
        if (relu)
        {
            y00 = TOps.Relu(y00);
            y01 = TOps.Relu(y01);
            y10 = TOps.Relu(y10);
            y11 = TOps.Relu(y11);
        }
    }

    // ---- Backward ------------------------------------------------------------------------------------------------

    /// <summary>dM[p][t][f] = (A dY Aᵀ)[p]: each tile's 2×2 output gradient (consecutive rows) taken back to 4×4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutputGradient(int tiles, int oc, float* gradient, float* dm)
    {
        nint plane = Winograd.Plane(tiles, oc);
        for (int t = 0; t < tiles; t++)
        {
            float* g = gradient + (nint)t * 4 * oc;
            float* d = dm + (nint)t * oc;
            int f = 0;
            for (; f + Width <= oc; f += Width) OutputGradientGroup(g + f, oc, d + f, plane);
            for (; f < oc; f++) WinogradKernel<SimdScalar, float>.OutputGradientGroup(g + f, oc, d + f, plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGradientGroup(float* g, nint oc, float* d, nint plane)
    {
        // Down the columns: e = A dY (4×2).
        A(TOps.Load(g), TOps.Load(g + 2 * oc), out var e00, out var e10, out var e20, out var e30);
        A(TOps.Load(g + oc), TOps.Load(g + 3 * oc), out var e01, out var e11, out var e21, out var e31);
        // Along the rows: dM = e Aᵀ (4×4).
        StoreA(d, plane, 0, e00, e01);
        StoreA(d, plane, 4, e10, e11);
        StoreA(d, plane, 8, e20, e21);
        StoreA(d, plane, 12, e30, e31);
    }

    /// <summary>kernelGradient[(ky·3 + kx)·IC·OC + c·OC + f] += (Gᵀ dU G)[ky, kx].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddKernelGradient(int ic, int oc, float* du, float* kernelGradient)
    {
        nint tap = (nint)ic * oc, plane = Winograd.Plane(ic, oc);
        for (int c = 0; c < ic; c++)
        {
            int f = 0;
            for (; f + Width <= oc; f += Width) KernelGradientGroup(du + (nint)c * oc + f, plane, kernelGradient + (nint)c * oc + f, tap);
            for (; f < oc; f++) WinogradKernel<SimdScalar, float>.KernelGradientGroup(du + (nint)c * oc + f, plane, kernelGradient + (nint)c * oc + f, tap);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelGradientGroup(float* du, nint plane, float* dg, nint tap)
    {
        // Down the columns: h = Gᵀ dU (3×4).
        Gt(TOps.Load(du), TOps.Load(du + 4 * plane), TOps.Load(du + 8 * plane), TOps.Load(du + 12 * plane), out var h00, out var h10, out var h20);
        Gt(TOps.Load(du + plane), TOps.Load(du + 5 * plane), TOps.Load(du + 9 * plane), TOps.Load(du + 13 * plane), out var h01, out var h11, out var h21);
        Gt(TOps.Load(du + 2 * plane), TOps.Load(du + 6 * plane), TOps.Load(du + 10 * plane), TOps.Load(du + 14 * plane), out var h02, out var h12, out var h22);
        Gt(TOps.Load(du + 3 * plane), TOps.Load(du + 7 * plane), TOps.Load(du + 11 * plane), TOps.Load(du + 15 * plane), out var h03, out var h13, out var h23);
        // Along the rows: dg = h G (3×3), added on.
        AddGt(dg, tap, 0, h00, h01, h02, h03);
        AddGt(dg, tap, 3, h10, h11, h12, h13);
        AddGt(dg, tap, 6, h20, h21, h22, h23);
    }

    /// <summary>inputGradient[tile t] += B dV[t − first] Bᵀ for tiles [first, first + count); tiles overlap by two rows and columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInputGradient(WinogradShape s, float* dv, float* inputGradient, int first, int count)
    {
        nint plane = Winograd.Plane(count, s.InputChannels), rowStride = (nint)s.InputWidth * s.InputChannels;
        float* tile = null;
        int tileValues = Size * Size * s.InputChannels;
        for (int t = first; t < first + count; t++)
        {
            float* d = dv + (nint)(t - first) * s.InputChannels;
            if (s.InputTile(t, Step, out nint sample, out int y0, out int x0))
            {
                InputGradientTile(d, plane, inputGradient + sample + s.InputPixel(y0, x0), rowStride, s.InputChannels);
                continue;
            }
            // Past the border: the tile's gradient is summed in the scratch, and only the pixels the image has kept.
            if (tile == null) tile = WinogradBorder.Scratch(tileValues);
            new Span<float>(tile, tileValues).Clear();
            InputGradientTile(d, plane, tile, Size * s.InputChannels, s.InputChannels);
            WinogradBorder.AddInside(tile, inputGradient + sample, s.InputHeight, s.InputWidth, s.InputChannels, y0, x0, Size);
        }
    }

    /// <summary>One tile's B dV Bᵀ, all channels, added at <paramref name="x"/> (rows <paramref name="rowStride"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputGradientTile(float* d, nint plane, float* x, nint rowStride, int channels)
    {
        int c = 0;
        for (; c + Width <= channels; c += Width) InputGradientGroup(d + c, plane, x + c, rowStride, channels);
        for (; c < channels; c++) WinogradKernel<SimdScalar, float>.InputGradientGroup(d + c, plane, x + c, rowStride, channels);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGradientGroup(float* dv, nint plane, float* x, nint rowStride, nint cs)
    {
        // Down the columns: k = B dV.
        B(TOps.Load(dv), TOps.Load(dv + 4 * plane), TOps.Load(dv + 8 * plane), TOps.Load(dv + 12 * plane), out var k00, out var k10, out var k20, out var k30);
        B(TOps.Load(dv + plane), TOps.Load(dv + 5 * plane), TOps.Load(dv + 9 * plane), TOps.Load(dv + 13 * plane), out var k01, out var k11, out var k21, out var k31);
        B(TOps.Load(dv + 2 * plane), TOps.Load(dv + 6 * plane), TOps.Load(dv + 10 * plane), TOps.Load(dv + 14 * plane), out var k02, out var k12, out var k22, out var k32);
        B(TOps.Load(dv + 3 * plane), TOps.Load(dv + 7 * plane), TOps.Load(dv + 11 * plane), TOps.Load(dv + 15 * plane), out var k03, out var k13, out var k23, out var k33);
        // Along the rows: dd = k Bᵀ, added onto the input gradient.
        AddB(x, cs, k00, k01, k02, k03);
        AddB(x + rowStride, cs, k10, k11, k12, k13);
        AddB(x + 2 * rowStride, cs, k20, k21, k22, k23);
        AddB(x + 3 * rowStride, cs, k30, k31, k32, k33);
    }

    // ---- 1-D transforms ------------------------------------------------------------------------------------------

    /// <summary>Bᵀ x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Bt(TV x0, TV x1, TV x2, TV x3, out TV y0, out TV y1, out TV y2, out TV y3)
    {
        y0 = TOps.Subtract(x0, x2);
        y1 = TOps.Add(x1, x2);
        y2 = TOps.Subtract(x2, x1);
        y3 = TOps.Subtract(x1, x3);
    }

    /// <summary>B x (the adjoint of <see cref="Bt"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B(TV x0, TV x1, TV x2, TV x3, out TV y0, out TV y1, out TV y2, out TV y3)
    {
        y0 = x0;
        y1 = TOps.Add(TOps.Subtract(x1, x2), x3);
        y2 = TOps.Subtract(TOps.Add(x1, x2), x0);
        y3 = TOps.Subtract(TOps.Broadcast(0f), x3);
    }

    /// <summary>G x (3 → 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(TV x0, TV x1, TV x2, out TV y0, out TV y1, out TV y2, out TV y3)
    {
        TV half = TOps.Broadcast(0.5f);
        TV outer = TOps.Add(x0, x2);
        y0 = x0;
        y1 = TOps.Multiply(half, TOps.Add(outer, x1));
        y2 = TOps.Multiply(half, TOps.Subtract(outer, x1));
        y3 = x2;
    }

    /// <summary>Gᵀ x (4 → 3, the adjoint of <see cref="G"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gt(TV x0, TV x1, TV x2, TV x3, out TV y0, out TV y1, out TV y2)
    {
        TV half = TOps.Broadcast(0.5f);
        TV sum = TOps.Multiply(half, TOps.Add(x1, x2));
        y0 = TOps.Add(x0, sum);
        y1 = TOps.Multiply(half, TOps.Subtract(x1, x2));
        y2 = TOps.Add(sum, x3);
    }

    /// <summary>Aᵀ x (4 → 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void At(TV x0, TV x1, TV x2, TV x3, out TV y0, out TV y1)
    {
        y0 = TOps.Add(TOps.Add(x0, x1), x2);
        y1 = TOps.Subtract(TOps.Subtract(x1, x2), x3);
    }

    /// <summary>A x (2 → 4, the adjoint of <see cref="At"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void A(TV x0, TV x1, out TV y0, out TV y1, out TV y2, out TV y3)
    {
        y0 = x0;
        y1 = TOps.Add(x0, x1);
        y2 = TOps.Subtract(x0, x1);
        y3 = TOps.Subtract(TOps.Broadcast(0f), x1);
    }

    // ---- Row transforms with their stores ------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBt(float* o, nint plane, int p, TV x0, TV x1, TV x2, TV x3)
    {
        Bt(x0, x1, x2, x3, out var y0, out var y1, out var y2, out var y3);
        TOps.Store(o + p * plane, y0);
        TOps.Store(o + (p + 1) * plane, y1);
        TOps.Store(o + (p + 2) * plane, y2);
        TOps.Store(o + (p + 3) * plane, y3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreG(float* o, nint plane, int p, TV x0, TV x1, TV x2)
    {
        G(x0, x1, x2, out var y0, out var y1, out var y2, out var y3);
        TOps.Store(o + p * plane, y0);
        TOps.Store(o + (p + 1) * plane, y1);
        TOps.Store(o + (p + 2) * plane, y2);
        TOps.Store(o + (p + 3) * plane, y3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreA(float* o, nint plane, int p, TV x0, TV x1)
    {
        A(x0, x1, out var y0, out var y1, out var y2, out var y3);
        TOps.Store(o + p * plane, y0);
        TOps.Store(o + (p + 1) * plane, y1);
        TOps.Store(o + (p + 2) * plane, y2);
        TOps.Store(o + (p + 3) * plane, y3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddGt(float* o, nint tap, int first, TV x0, TV x1, TV x2, TV x3)
    {
        Gt(x0, x1, x2, x3, out var y0, out var y1, out var y2);
        float* p0 = o + first * tap, p1 = p0 + tap, p2 = p1 + tap;
        TOps.Store(p0, TOps.Add(TOps.Load(p0), y0));
        TOps.Store(p1, TOps.Add(TOps.Load(p1), y1));
        TOps.Store(p2, TOps.Add(TOps.Load(p2), y2));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddB(float* o, nint cs, TV x0, TV x1, TV x2, TV x3)
    {
        B(x0, x1, x2, x3, out var y0, out var y1, out var y2, out var y3);
        TOps.Store(o, TOps.Add(TOps.Load(o), y0));
        TOps.Store(o + cs, TOps.Add(TOps.Load(o + cs), y1));
        TOps.Store(o + 2 * cs, TOps.Add(TOps.Load(o + 2 * cs), y2));
        TOps.Store(o + 3 * cs, TOps.Add(TOps.Load(o + 3 * cs), y3));
    }
}
