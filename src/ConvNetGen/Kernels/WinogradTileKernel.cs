using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// The transforms behind <see cref="WinogradF3"/> and <see cref="WinogradF4"/>, for one register type and one flavour's
/// 1-D transforms (<typeparamref name="TT"/>: <see cref="F3Tiles"/> or <see cref="F4Tiles"/>), vectorised over channels
/// (or filters); channels left over after whole registers take the scalar instantiation. Output tiles are Out × Out,
/// input tiles (Out + 2) × (Out + 2). A 2-D transform applies the 1-D one along the rows of a tile straight from memory
/// into a register scratch, then down its columns straight to memory (or the other way round): each value is read and
/// written once on each side of the scratch, half the traffic of staging the whole tile in and out.
/// </summary>
[SkipLocalsInit] // the 2-D transforms write every scratch register before reading it
internal static unsafe class WinogradTileKernel<TOps, TV, TT> where TOps : struct, ISimd<TV> where TV : unmanaged where TT : struct, IWinogradTiles
{
    private const int Taps = 3;

    /// <summary>The most positions a flavour has (F(4×4, 3×3)'s 36): the register scratch, a constant so it lives in the frame.</summary>
    private const int MaxPositions = 36;

    private static int Out => TT.Out;
    private static int Size => TT.Out + 2;
    private static int Positions => Size * Size;

    private static int Width => TOps.Width;

    /// <summary>V[p][t − first][c] = (Bᵀ d B)[p] for the input tiles of tiles [first, first + count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformInput(WinogradShape s, float* input, float* v, int first, int count, int from, int to)
    {
        nint plane = Winograd.Plane(count, s.InputChannels), rowStride = (nint)s.InputWidth * s.InputChannels;
        for (int t = from; t < to; t++) // [from, to) ⊆ the block [first, first + count): a thread's share of it
        {
            float* o = v + (nint)(t - first) * s.InputChannels;
            if (s.InputTile(t, Out, out nint sample, out int y0, out int x0))
            {
                InputTile(input + sample + s.InputPixel(y0, x0), rowStride, s.InputChannels, o, plane);
                continue;
            }
            // Past the border: the tile reads zeros where the image has no pixel, the rest in place.
            var window = TileWindow.Of(y0, x0, Size, s.InputHeight, s.InputWidth);
            float* corner = input + sample + ((nint)y0 * s.InputWidth + x0) * s.InputChannels; // may lie outside: only pixels inside are read
            int c = 0;
            for (; c + Width <= s.InputChannels; c += Width) InputGroupClipped(corner + c, rowStride, s.InputChannels, o + c, plane, window);
            for (; c < s.InputChannels; c++) WinogradTileKernel<SimdScalar, float, TT>.InputGroupClipped(corner + c, rowStride, s.InputChannels, o + c, plane, window);
        }
    }

    /// <summary>One tile's V, all channels: <paramref name="x"/> is its top-left pixel, rows <paramref name="rowStride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTile(float* x, nint rowStride, int channels, float* o, nint plane)
    {
        int c = 0;
        for (; c + Width <= channels; c += Width) InputGroup(x + c, rowStride, channels, o + c, plane);
        for (; c < channels; c++) WinogradTileKernel<SimdScalar, float, TT>.InputGroup(x + c, rowStride, channels, o + c, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGroup(float* x, nint rowStride, nint cs, float* o, nint plane)
    {
        TV* r = stackalloc TV[MaxPositions];
        for (int i = 0; i < Size; i++) TT.Bt<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(x + i * rowStride, cs), new(r + i * Size, 1)); // along the rows
        for (int j = 0; j < Size; j++) TT.Bt<TOps, TV, TileRegisters<TV>, TileFloats<TOps, TV>>(new(r + j, Size), new(o + j * plane, Size * plane)); // down the columns, into V
    }

    /// <summary>As <see cref="InputGroup"/> for a tile reaching past the image: pixels outside <paramref name="window"/> read as zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGroupClipped(float* x, nint rowStride, nint cs, float* o, nint plane, TileWindow window)
    {
        TV* r = stackalloc TV[MaxPositions];
        for (int i = 0; i < Size; i++)
            TT.Bt<TOps, TV, ClippedFloats<TOps, TV>, TileRegisters<TV>>(new(x + i * rowStride, cs, window.Columns(i)), new(r + i * Size, 1));
        for (int j = 0; j < Size; j++) TT.Bt<TOps, TV, TileRegisters<TV>, TileFloats<TOps, TV>>(new(r + j, Size), new(o + j * plane, Size * plane));
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
            for (; f < oc; f++) WinogradTileKernel<SimdScalar, float, TT>.KernelGroup(kernel + (nint)c * oc + f, tap, u + (nint)c * oc + f, plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelGroup(float* g, nint tap, float* u, nint plane)
    {
        TV* a = stackalloc TV[MaxPositions];
        for (int i = 0; i < Taps; i++) TT.G<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(g + i * Taps * tap, tap), new(a + i * Size, 1)); // along the rows: 3 × Size
        for (int j = 0; j < Size; j++) TT.G<TOps, TV, TileRegisters<TV>, TileFloats<TOps, TV>>(new(a + j, Size), new(u + j * plane, Size * plane)); // down the columns, into U
    }

    /// <summary>output[tile t's Out × Out pixels, NHWC] = activation((Aᵀ M A) + bias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutput(WinogradShape s, int oc, float* m, float* bias, bool relu, float* output, int first, int count, int from, int to)
    {
        nint plane = Winograd.Plane(count, oc), rowStride = (nint)s.OutputWidth * oc;
        float* tile = null;
        for (int t = from; t < to; t++) // [from, to) ⊆ the block [first, first + count): a thread's share of it
        {
            float* mt = m + (nint)(t - first) * oc;
            if (s.OutputTile(t, Out, oc, out nint sample, out int y0, out int x0))
            {
                OutputTile(mt, plane, bias, relu, output + sample + ((nint)y0 * s.OutputWidth + x0) * oc, rowStride, oc);
                continue;
            }
            // The last row or column of tiles overhangs the output: the tile is written whole to the scratch, and the pixels the output has are copied.
            if (tile == null) tile = WinogradBorder.Scratch(Out * Out * oc);
            OutputTile(mt, plane, bias, relu, tile, Out * oc, oc);
            WinogradBorder.CopyInside(tile, output + sample, s.OutputHeight, s.OutputWidth, oc, y0, x0, Out);
        }
    }

    /// <summary>
    /// As <see cref="TransformOutput"/>, then each 2×2 window of the tile's Out × Out pixels pooled to its maximum, into
    /// the NHWC <paramref name="pooled"/> output (OH/2 × OW/2 × OC per sample) of a 2×2, stride-2 max pooling: the
    /// conv's own output is never stored. Exact tiling only (every tile whole), so every window lies in one tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutputPooled(WinogradShape s, int oc, float* m, float* bias, bool relu, float* pooled, int first, int count, int from, int to)
    {
        nint plane = Winograd.Plane(count, oc), pooledRow = (nint)(s.OutputWidth / 2) * oc;
        for (int t = from; t < to; t++)
        {
            float* mt = m + (nint)(t - first) * oc;
            s.OutputTile(t, Out, oc, out nint sample, out int y0, out int x0);
            float* o = pooled + sample / 4 + ((nint)(y0 / 2) * (s.OutputWidth / 2) + x0 / 2) * oc; // a pooled sample is a quarter of the conv's
            OutputTile(mt, plane, bias, relu, o, pooledRow, oc, pooledWindows: true);
        }
    }

    /// <summary>One channel group of a tile: its pixels as <see cref="OutputGroup"/> computes them (bias, then ReLU), kept in registers and pooled 2×2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGroupPooled(float* m, nint plane, float* bias, bool relu, float* o, nint pooledRow, nint cs)
    {
        TV* t = stackalloc TV[MaxPositions];
        TV* r = stackalloc TV[MaxPositions];
        TV start = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias);
        OutputColumns(m, plane, t);
        for (int i = 0; i < Out; i++) TT.At<TOps, TV, TileRegisters<TV>, TileRegisters<TV>>(new(t + i * Size, 1), new(r + i * Out, 1)); // along the rows: Out × Out
        for (int py = 0; py < Out / 2; py++)
            for (int px = 0; px < Out / 2; px++)
            {
                TV* w = r + 2 * py * Out + 2 * px;
                TV a = TileOutput<TOps, TV>.Pixel(w[0], start, relu), b = TileOutput<TOps, TV>.Pixel(w[1], start, relu);
                TV c = TileOutput<TOps, TV>.Pixel(w[Out], start, relu), d = TileOutput<TOps, TV>.Pixel(w[Out + 1], start, relu);
                TV top = TOps.Select(TOps.GreaterThan(b, a), b, a), bottom = TOps.Select(TOps.GreaterThan(d, c), d, c);
                TOps.Store(o + py * pooledRow + px * cs, TOps.Select(TOps.GreaterThan(bottom, top), bottom, top));
            }
    }

    /// <summary>A channel group's products transformed down the columns (Aᵀ M): Out × Size registers into <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputColumns(float* m, nint plane, TV* t)
    {
        for (int j = 0; j < Size; j++) TT.At<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(m + j * plane, Size * plane), new(t + j, Size));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTile(float* mt, nint plane, float* bias, bool relu, float* o, nint rowStride, int oc, bool pooledWindows = false)
    {
        int f = 0;
        for (; f + Width <= oc; f += Width)
            if (pooledWindows) OutputGroupPooled(mt + f, plane, bias == null ? null : bias + f, relu, o + f, rowStride, oc);
            else OutputGroup(mt + f, plane, bias == null ? null : bias + f, relu, o + f, rowStride, oc);
        for (; f < oc; f++)
            if (pooledWindows) WinogradTileKernel<SimdScalar, float, TT>.OutputGroupPooled(mt + f, plane, bias == null ? null : bias + f, relu, o + f, rowStride, oc);
            else WinogradTileKernel<SimdScalar, float, TT>.OutputGroup(mt + f, plane, bias == null ? null : bias + f, relu, o + f, rowStride, oc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGroup(float* m, nint plane, float* bias, bool relu, float* o, nint rowStride, nint cs)
    {
        TV* t = stackalloc TV[MaxPositions];
        TV start = bias == null ? TOps.Broadcast(0f) : TOps.Load(bias);
        OutputColumns(m, plane, t);
        for (int i = 0; i < Out; i++) TT.At<TOps, TV, TileRegisters<TV>, TileOutput<TOps, TV>>(new(t + i * Size, 1), new(o + i * rowStride, cs, start, relu)); // along the rows, out
    }

    /// <summary>dM[p][t − first][f] = (A dY Aᵀ)[p] from each tile's Out × Out output gradient (NHWC).</summary>
    /// <remarks>
    /// With <paramref name="reluOutput"/> (the layer's output, for exactly tiled outputs only) each gradient value is
    /// read through ReLU's derivative, zero where the output is not positive: the pre-activation gradient is never stored.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutputGradient(WinogradShape s, int oc, float* gradient, float* dm, int first, int count, float* reluOutput = null)
    {
        nint plane = Winograd.Plane(count, oc), rowStride = (nint)s.OutputWidth * oc;
        float* tile = null;
        for (int t = first; t < first + count; t++)
        {
            float* d = dm + (nint)(t - first) * oc;
            if (s.OutputTile(t, Out, oc, out nint sample, out int y0, out int x0))
            {
                nint at = sample + ((nint)y0 * s.OutputWidth + x0) * oc;
                if (reluOutput != null) ReluGradientTile(gradient + at, reluOutput + at, rowStride, oc, d, plane);
                else OutputGradientTile(gradient + at, rowStride, oc, d, plane);
                continue;
            }
            if (reluOutput != null) throw new InvalidOperationException("ReLU's derivative is applied in the transform only to whole output tiles.");
            // Pixels the output does not have get no gradient: zeros in the scratch tile.
            if (tile == null) tile = WinogradBorder.Scratch(Out * Out * oc);
            WinogradBorder.Gather(gradient + sample, s.OutputHeight, s.OutputWidth, oc, y0, x0, Out, tile);
            OutputGradientTile(tile, Out * oc, oc, d, plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputGradientTile(float* g, nint rowStride, int oc, float* d, nint plane)
    {
        int f = 0;
        for (; f + Width <= oc; f += Width) OutputGradientGroup(g + f, rowStride, oc, d + f, plane);
        for (; f < oc; f++) WinogradTileKernel<SimdScalar, float, TT>.OutputGradientGroup(g + f, rowStride, oc, d + f, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReluGradientTile(float* g, float* y, nint rowStride, int oc, float* d, nint plane)
    {
        int f = 0;
        for (; f + Width <= oc; f += Width) ReluGradientGroup(g + f, y + f, rowStride, oc, d + f, plane);
        for (; f < oc; f++) WinogradTileKernel<SimdScalar, float, TT>.ReluGradientGroup(g + f, y + f, rowStride, oc, d + f, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ReluGradientGroup(float* g, float* y, nint rowStride, nint cs, float* d, nint plane)
    {
        TV* e = stackalloc TV[MaxPositions];
        for (int i = 0; i < Out; i++) TT.A<TOps, TV, ReluGradientFloats<TOps, TV>, TileRegisters<TV>>(new(g + i * rowStride, y + i * rowStride, cs), new(e + i * Size, 1)); // along the rows: Out × Size
        for (int j = 0; j < Size; j++) TT.A<TOps, TV, TileRegisters<TV>, TileFloats<TOps, TV>>(new(e + j, Size), new(d + j * plane, Size * plane)); // down the columns, into dM
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void OutputGradientGroup(float* g, nint rowStride, nint cs, float* d, nint plane)
    {
        TV* e = stackalloc TV[MaxPositions];
        for (int i = 0; i < Out; i++) TT.A<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(g + i * rowStride, cs), new(e + i * Size, 1)); // along the rows: Out × Size
        for (int j = 0; j < Size; j++) TT.A<TOps, TV, TileRegisters<TV>, TileFloats<TOps, TV>>(new(e + j, Size), new(d + j * plane, Size * plane)); // down the columns, into dM
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
            for (; f < oc; f++) WinogradTileKernel<SimdScalar, float, TT>.KernelGradientGroup(du + (nint)c * oc + f, plane, kernelGradient + (nint)c * oc + f, tap);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelGradientGroup(float* du, nint plane, float* dg, nint tap)
    {
        TV* h = stackalloc TV[MaxPositions];
        for (int j = 0; j < Size; j++) TT.Gt<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(du + j * plane, Size * plane), new(h + j, Size)); // down the columns: 3 × Size
        for (int i = 0; i < Taps; i++) TT.Gt<TOps, TV, TileRegisters<TV>, TileAccumulator<TOps, TV>>(new(h + i * Size, 1), new(dg + i * Taps * tap, tap)); // along the rows, added
    }

    /// <summary>inputGradient[tile t] += B dV[t − first] Bᵀ; tiles overlap by two rows and columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInputGradient(WinogradShape s, float* dv, float* inputGradient, int first, int count)
    {
        nint plane = Winograd.Plane(count, s.InputChannels), rowStride = (nint)s.InputWidth * s.InputChannels;
        for (int t = first; t < first + count; t++)
        {
            float* d = dv + (nint)(t - first) * s.InputChannels;
            if (s.InputTile(t, Out, out nint sample, out int y0, out int x0))
            {
                InputGradientTile(d, plane, inputGradient + sample + s.InputPixel(y0, x0), rowStride, s.InputChannels);
                continue;
            }
            // Past the border: only the pixels the image has take their gradient.
            var window = TileWindow.Of(y0, x0, Size, s.InputHeight, s.InputWidth);
            float* corner = inputGradient + sample + ((nint)y0 * s.InputWidth + x0) * s.InputChannels; // may lie outside: only pixels inside are written
            int c = 0;
            for (; c + Width <= s.InputChannels; c += Width) InputGradientGroupClipped(d + c, plane, corner + c, rowStride, s.InputChannels, window);
            for (; c < s.InputChannels; c++) WinogradTileKernel<SimdScalar, float, TT>.InputGradientGroupClipped(d + c, plane, corner + c, rowStride, s.InputChannels, window);
        }
    }

    /// <summary>One tile's B dV Bᵀ, all channels, added at <paramref name="x"/> (rows <paramref name="rowStride"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputGradientTile(float* d, nint plane, float* x, nint rowStride, int channels)
    {
        int c = 0;
        for (; c + Width <= channels; c += Width) InputGradientGroup(d + c, plane, x + c, rowStride, channels);
        for (; c < channels; c++) WinogradTileKernel<SimdScalar, float, TT>.InputGradientGroup(d + c, plane, x + c, rowStride, channels);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGradientGroup(float* dv, nint plane, float* x, nint rowStride, nint cs)
    {
        TV* r = stackalloc TV[MaxPositions];
        for (int j = 0; j < Size; j++) TT.B<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(dv + j * plane, Size * plane), new(r + j, Size)); // down the columns
        for (int i = 0; i < Size; i++) TT.B<TOps, TV, TileRegisters<TV>, TileAccumulator<TOps, TV>>(new(r + i * Size, 1), new(x + i * rowStride, cs)); // along the rows, added
    }

    /// <summary>As <see cref="InputGradientGroup"/> for a tile reaching past the image: only pixels inside <paramref name="window"/> are added to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputGradientGroupClipped(float* dv, nint plane, float* x, nint rowStride, nint cs, TileWindow window)
    {
        TV* r = stackalloc TV[MaxPositions];
        for (int j = 0; j < Size; j++) TT.B<TOps, TV, TileFloats<TOps, TV>, TileRegisters<TV>>(new(dv + j * plane, Size * plane), new(r + j, Size));
        for (int i = 0; i < Size; i++)
            TT.B<TOps, TV, TileRegisters<TV>, ClippedAccumulator<TOps, TV>>(new(r + i * Size, 1), new(x + i * rowStride, cs, window.Columns(i)));
    }
}
