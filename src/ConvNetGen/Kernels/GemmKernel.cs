using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ConvNetGen.Kernels;

// The micro-kernel's shape is given by generic arguments the JIT folds while importing (Unsafe.SizeOf<T>() and
// typeof(T) == typeof(U) are constants to it), so each instantiation compiles only the registers it uses, and branches
// on the shape cost nothing — not even inlining budget, which a method this size would otherwise run out of.

/// <summary>Rows or registers of columns in a tile: N<i>k</i> is <i>k</i> bytes, read as <c>Unsafe.SizeOf&lt;Nk&gt;()</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 1)] internal readonly struct N1;
[StructLayout(LayoutKind.Sequential, Size = 2)] internal readonly struct N2;
[StructLayout(LayoutKind.Sequential, Size = 3)] internal readonly struct N3;
[StructLayout(LayoutKind.Sequential, Size = 4)] internal readonly struct N4;
[StructLayout(LayoutKind.Sequential, Size = 5)] internal readonly struct N5;
[StructLayout(LayoutKind.Sequential, Size = 6)] internal readonly struct N6;

/// <summary>Whether a tile's last register of columns is partial (masked loads and stores).</summary>
internal readonly struct Masked;
internal readonly struct Unmasked;

/// <summary>
/// The register-blocked GEMM behind <see cref="Gemm"/>, for one register type: <c>C[m×n] (+)= A·B</c> where
/// element (i, p) of A is at <c>a[i·ars + p·acs]</c> (so A may be stored transposed), B is k×n with row stride
/// <c>ldb</c> and C is m×n with row stride n.
/// <para>
/// The k dimension is cut into blocks (≤ <see cref="MaxKBlock"/> steps) so the block of B a panel sweeps stays in L2
/// while every row of A passes over it. Within a block, C is swept in panels of <c>Columns</c> registers of columns
/// and, down each panel, tiles of up to 6 rows: a tile's 6 × 4 registers (on 32-register machines) accumulate over the
/// block — per step of k, 4 loads of B, 6 broadcasts of A and 24 FMAs — and are stored once, with the bias and ReLU
/// fused into the first and last block. Column remainders use masked (or lane-by-lane) loads and stores, never
/// touching memory past n. Tiles of fewer than 8 registers interleave 2 or 4 sets of accumulators over k.
/// </para>
/// <para>The tile bodies are written out register by register; the guards on the shape fold away per instantiation.</para>
/// </summary>
internal static unsafe class GemmKernel<TOps, TV> where TOps : struct, ISimd<TV> where TV : struct
{
    public const int InitLoad = 0, InitBias = 1, InitZero = 2;

    /// <summary>
    /// The k dimension is cut into blocks of at most this many (about equal) steps. Measured on Zen 5 (1 MB L2):
    /// 600–1000 beats 128–320 by 2–5% at the model's sizes (fewer passes over C), and unblocked loses up to 10×
    /// on conv2d's weight gradient (k = 21632), whose B then streams from memory once per row tile.
    /// </summary>
    internal static int MaxKBlock = 640;

    /// <summary>
    /// The floats of A one block of rows may hold (128 KB, beside a panel of B in a 1 MB L2): every panel of B sweeps
    /// a block before the next, so a tall A (ResNet18's stem: 12,544 × 147) is read from memory once rather than once
    /// per panel. Measured on Zen 4: unblocked 15–21 GFLOP/s on the stem, 27–45 blocked; 16–64 K floats alike within
    /// the noise on the stem and VGG-sized products, 64 K a little worse at k = 576, 16 K at k = 1152.
    /// </summary>
    internal static int MaxABlockFloats = 32 * 1024;

    /// <summary>Tiles of this many rows or fewer prefetch B <see cref="PrefetchRows"/> rows ahead (Vector512: a register is a cache line).</summary>
    internal const int SmallTileRows = 4;

    internal const int PrefetchRows = 16;

    /// <summary>The columns of one panel of C (and of B): what a packed B's panels must hold for this path.</summary>
    public static int PanelColumns => TOps.Columns * TOps.Width;

    /// <summary>
    /// <paramref name="packedB"/>: B is stored as <see cref="Gemm.PackPanels"/> writes it — panel by panel of
    /// <see cref="PanelColumns"/> columns, each k rows of its columns contiguous (<paramref name="ldb"/> unused) — so a
    /// panel's sweep down k reads memory in order and the hardware prefetches it, where rows of a wide B are a stride
    /// apart and, with few rows of A to share each miss, wait on the cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                           float* bias, bool accumulate, bool relu, bool packedB = false, nint ldc = 0)
    {
        if (m == 0 || n == 0) return;
        if (ldc == 0) ldc = n; // C's rows are n apart unless the caller computes a block of columns of a wider C
        int block = TOps.Columns * TOps.Width;
        int maxKc = MaxKBlock;
        int kBlocks = Math.Max(1, (k + maxKc - 1) / maxKc);
        int kcNominal = (k + kBlocks - 1) / kBlocks;
        int k0 = 0;
        bool first = true;
        while (first || k0 < k)
        {
            int kc = Math.Min(kcNominal, k - k0);
            bool last = k0 + kc >= k;
            int init = !first || accumulate ? InitLoad : bias != null ? InitBias : InitZero;
            bool act = relu && last;
            // Rows in blocks whose A fits in L2 while every panel of B passes over it (whole tiles: the same sums as
            // one block of all m rows).
            int rowBlock = Math.Max(Gemm.TileRows, MaxABlockFloats / Math.Max(kc, 1) / Gemm.TileRows * Gemm.TileRows);
            for (int i0 = 0; i0 < m; i0 += rowBlock)
            {
                int rows = Math.Min(rowBlock, m - i0);
                float* ak = a + k0 * acs + i0 * ars;
                float* ci = c + i0 * ldc;
                for (int j = 0; j < n; j += block)
                {
                    int cols = Math.Min(block, n - j);
                    if (packedB)
                    {
                        // The block of B the next panel sweeps (or the next k-block's first), asked for while this one runs.
                        float* ahead = null;
                        int aheadFloats = 0;
                        if (rows == m && Unsafe.SizeOf<TV>() == 64 && Sse.IsSupported)
                        {
                            if (j + block < n) { int next = Math.Min(block, n - j - block); ahead = b + (nint)(j + block) * k + (nint)k0 * next; aheadFloats = kc * next; }
                            else if (!last) { int next = Math.Min(block, n); ahead = b + (nint)(k0 + kc) * next; aheadFloats = Math.Min(kcNominal, k - k0 - kc) * next; }
                        }
                        Panel(ak, ars, acs, b + (nint)j * k + (nint)k0 * cols, cols, ci + j, ldc, rows, kc, cols, init, bias == null ? null : bias + j, act, ahead, aheadFloats);
                    }
                    else Panel(ak, ars, acs, b + k0 * ldb + j, ldb, ci + j, ldc, rows, kc, cols, init, bias == null ? null : bias + j, act, null, 0);
                }
            }
            k0 += kc;
            first = false;
        }
    }

    /// <summary>One panel of <paramref name="cols"/> ≤ Columns·Width columns over <paramref name="m"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int m, int kc,
                              int cols, int init, float* bias, bool relu, float* ahead, int aheadFloats)
    {
        int w = TOps.Width;
        int tail = cols % w;
        int vectors = cols / w + (tail != 0 ? 1 : 0);
        if (tail == 0)
        {
            switch (vectors)
            {
                case 4: Rows<N4, Unmasked>(a, ars, acs, b, ldb, c, ldc, m, kc, 0, init, bias, relu, ahead, aheadFloats); break;
                case 3: Rows<N3, Unmasked>(a, ars, acs, b, ldb, c, ldc, m, kc, 0, init, bias, relu, ahead, aheadFloats); break;
                case 2: Rows<N2, Unmasked>(a, ars, acs, b, ldb, c, ldc, m, kc, 0, init, bias, relu, ahead, aheadFloats); break;
                default: Rows<N1, Unmasked>(a, ars, acs, b, ldb, c, ldc, m, kc, 0, init, bias, relu, ahead, aheadFloats); break;
            }
        }
        else
        {
            switch (vectors)
            {
                case 4: Rows<N4, Masked>(a, ars, acs, b, ldb, c, ldc, m, kc, tail, init, bias, relu, ahead, aheadFloats); break;
                case 3: Rows<N3, Masked>(a, ars, acs, b, ldb, c, ldc, m, kc, tail, init, bias, relu, ahead, aheadFloats); break;
                case 2: Rows<N2, Masked>(a, ars, acs, b, ldb, c, ldc, m, kc, tail, init, bias, relu, ahead, aheadFloats); break;
                default: Rows<N1, Masked>(a, ars, acs, b, ldb, c, ldc, m, kc, tail, init, bias, relu, ahead, aheadFloats); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TC, TM>(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int m, int kc,
                                     int tail, int init, float* bias, bool relu, float* ahead, int aheadFloats)
        where TC : struct where TM : struct
    {
        int i = 0;
        // Each six-row tile asks for one line of the next block of B per step of k, the first tiles covering it.
        for (int t = 0; i + 6 <= m; i += 6, t++)
        {
            int asked = t * kc * LineFloats;
            int aheadSteps = aheadFloats > asked ? Math.Min(kc, (aheadFloats - asked + LineFloats - 1) / LineFloats) : 0;
            Tile<N6, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu, ahead + asked, aheadSteps);
        }
        switch (m - i)
        {
            case 5: Tile<N5, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu); break;
            case 4: Tile<N4, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu); break;
            case 3: Tile<N3, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu); break;
            case 2: Tile<N2, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu); break;
            case 1: Tile<N1, TC, TM>(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, kc, tail, init, bias, relu); break;
        }
    }

    /// <summary>
    /// The micro-kernel: <c>TR</c> rows × <c>TC</c> registers of C, accumulated over <paramref name="kc"/> steps of k,
    /// starting from C (<see cref="InitLoad"/>), the bias or zero, and stored with an optional ReLU. Tiles of fewer
    /// than 8 registers go to <see cref="TileInterleaved"/>: fewer independent FMA chains cannot hide the FMA latency
    /// (and they ask for nothing ahead: only <see cref="TileWide"/> prefetches the next block of B).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TR, TC, TM>(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int kc,
                                         int tail, int init, float* bias, bool relu, float* ahead = null, int aheadSteps = 0)
        where TR : struct where TC : struct where TM : struct
    {
        if (Unsafe.SizeOf<TR>() * Unsafe.SizeOf<TC>() >= 8) TileWide<TR, TC, TM>(a, ars, acs, b, ldb, c, ldc, kc, tail, init, bias, relu, ahead, aheadSteps);
        else TileInterleaved<TR, TC, TM>(a, ars, acs, b, ldb, c, ldc, kc, tail, init, bias, relu);
    }

    /// <summary>Floats in a cache line: the prefetch of the next block asks for one a step.</summary>
    private const int LineFloats = 16;

    /// <summary>
    /// A tile of 8 or more registers: one FMA chain per register. For its first <paramref name="aheadSteps"/> steps of
    /// k it also asks L2 for one line from <paramref name="ahead"/> on, the block of packed B the next panel will
    /// sweep: that block's first tile otherwise waits on L3 or memory for every line (a single image's deep convs, 49
    /// rows by 4,608 taps, whose kernel is read once a pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TileWide<TR, TC, TM>(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int kc,
                                             int tail, int init, float* bias, bool relu, float* ahead, int aheadSteps)
        where TR : struct where TC : struct where TM : struct
    {
        int w = Unsafe.SizeOf<TV>() / sizeof(float);
        TV mask = typeof(TM) == typeof(Masked) ? TOps.TailMask(tail) : default;
        TV c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default, c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        float* o0 = c;
        float* o1 = c + 1 * ldc;
        float* o2 = c + 2 * ldc;
        float* o3 = c + 3 * ldc;
        float* o4 = c + 4 * ldc;
        float* o5 = c + 5 * ldc;
        if (init == InitLoad)
        {
            if (Unsafe.SizeOf<TR>() > 0)
            {
                c00 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o0 + 0 * w, tail, mask) : TOps.Load(o0 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c01 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o0 + 1 * w, tail, mask) : TOps.Load(o0 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c02 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o0 + 2 * w, tail, mask) : TOps.Load(o0 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c03 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o0 + 3 * w, tail, mask) : TOps.Load(o0 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 1)
            {
                c10 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o1 + 0 * w, tail, mask) : TOps.Load(o1 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c11 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o1 + 1 * w, tail, mask) : TOps.Load(o1 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c12 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o1 + 2 * w, tail, mask) : TOps.Load(o1 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c13 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o1 + 3 * w, tail, mask) : TOps.Load(o1 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 2)
            {
                c20 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o2 + 0 * w, tail, mask) : TOps.Load(o2 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c21 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o2 + 1 * w, tail, mask) : TOps.Load(o2 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c22 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o2 + 2 * w, tail, mask) : TOps.Load(o2 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c23 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o2 + 3 * w, tail, mask) : TOps.Load(o2 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 3)
            {
                c30 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o3 + 0 * w, tail, mask) : TOps.Load(o3 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c31 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o3 + 1 * w, tail, mask) : TOps.Load(o3 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c32 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o3 + 2 * w, tail, mask) : TOps.Load(o3 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c33 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o3 + 3 * w, tail, mask) : TOps.Load(o3 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 4)
            {
                c40 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o4 + 0 * w, tail, mask) : TOps.Load(o4 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c41 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o4 + 1 * w, tail, mask) : TOps.Load(o4 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c42 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o4 + 2 * w, tail, mask) : TOps.Load(o4 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c43 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o4 + 3 * w, tail, mask) : TOps.Load(o4 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 5)
            {
                c50 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o5 + 0 * w, tail, mask) : TOps.Load(o5 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c51 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o5 + 1 * w, tail, mask) : TOps.Load(o5 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c52 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o5 + 2 * w, tail, mask) : TOps.Load(o5 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c53 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o5 + 3 * w, tail, mask) : TOps.Load(o5 + 3 * w);
            }
        }
        else if (init == InitBias)
        {
            TV s0 = Unsafe.SizeOf<TC>() > 0 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(bias + 0 * w, tail, mask) : TOps.Load(bias + 0 * w)) : default;
            TV s1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(bias + 1 * w, tail, mask) : TOps.Load(bias + 1 * w)) : default;
            TV s2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(bias + 2 * w, tail, mask) : TOps.Load(bias + 2 * w)) : default;
            TV s3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(bias + 3 * w, tail, mask) : TOps.Load(bias + 3 * w)) : default;
            if (Unsafe.SizeOf<TR>() > 0) { c00 = s0; c01 = s1; c02 = s2; c03 = s3; }
            if (Unsafe.SizeOf<TR>() > 1) { c10 = s0; c11 = s1; c12 = s2; c13 = s3; }
            if (Unsafe.SizeOf<TR>() > 2) { c20 = s0; c21 = s1; c22 = s2; c23 = s3; }
            if (Unsafe.SizeOf<TR>() > 3) { c30 = s0; c31 = s1; c32 = s2; c33 = s3; }
            if (Unsafe.SizeOf<TR>() > 4) { c40 = s0; c41 = s1; c42 = s2; c43 = s3; }
            if (Unsafe.SizeOf<TR>() > 5) { c50 = s0; c51 = s1; c52 = s2; c53 = s3; }
        }
        float* a0 = a;
        float* a1 = a + 1 * ars;
        float* a2 = a + 2 * ars;
        float* a3 = a + 3 * ars;
        float* a4 = a + 4 * ars;
        float* a5 = a + 5 * ars;
        nint off = 0;
        int p = 0;
        for (; p < kc; p++)
        {
            PrefetchB<TR, TC>(b, ldb, 1);
            if (p < aheadSteps) Sse.Prefetch1(ahead + (nint)p * LineFloats);
            {
                TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 0 * w, tail, mask) : TOps.Load(b + 0 * w);
                TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 1 * w, tail, mask) : TOps.Load(b + 1 * w)) : default;
                TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 2 * w, tail, mask) : TOps.Load(b + 2 * w)) : default;
                TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 3 * w, tail, mask) : TOps.Load(b + 3 * w)) : default;
                TV x;
                if (Unsafe.SizeOf<TR>() > 0)
                {
                    x = TOps.Broadcast(a0[off]);
                    c00 = TOps.MultiplyAdd(x, b0, c00);
                    if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.MultiplyAdd(x, b1, c01);
                    if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.MultiplyAdd(x, b2, c02);
                    if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.MultiplyAdd(x, b3, c03);
                }
                if (Unsafe.SizeOf<TR>() > 1)
                {
                    x = TOps.Broadcast(a1[off]);
                    c10 = TOps.MultiplyAdd(x, b0, c10);
                    if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.MultiplyAdd(x, b1, c11);
                    if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.MultiplyAdd(x, b2, c12);
                    if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.MultiplyAdd(x, b3, c13);
                }
                if (Unsafe.SizeOf<TR>() > 2)
                {
                    x = TOps.Broadcast(a2[off]);
                    c20 = TOps.MultiplyAdd(x, b0, c20);
                    if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.MultiplyAdd(x, b1, c21);
                    if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.MultiplyAdd(x, b2, c22);
                    if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.MultiplyAdd(x, b3, c23);
                }
                if (Unsafe.SizeOf<TR>() > 3)
                {
                    x = TOps.Broadcast(a3[off]);
                    c30 = TOps.MultiplyAdd(x, b0, c30);
                    if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.MultiplyAdd(x, b1, c31);
                    if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.MultiplyAdd(x, b2, c32);
                    if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.MultiplyAdd(x, b3, c33);
                }
                if (Unsafe.SizeOf<TR>() > 4)
                {
                    x = TOps.Broadcast(a4[off]);
                    c40 = TOps.MultiplyAdd(x, b0, c40);
                    if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.MultiplyAdd(x, b1, c41);
                    if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.MultiplyAdd(x, b2, c42);
                    if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.MultiplyAdd(x, b3, c43);
                }
                if (Unsafe.SizeOf<TR>() > 5)
                {
                    x = TOps.Broadcast(a5[off]);
                    c50 = TOps.MultiplyAdd(x, b0, c50);
                    if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.MultiplyAdd(x, b1, c51);
                    if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.MultiplyAdd(x, b2, c52);
                    if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.MultiplyAdd(x, b3, c53);
                }
            }
            off += acs;
            b += ldb;
        }
        if (relu)
        {
            if (Unsafe.SizeOf<TR>() > 0)
            {
                c00 = TOps.Relu(c00);
                if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.Relu(c01);
                if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.Relu(c02);
                if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.Relu(c03);
            }
            if (Unsafe.SizeOf<TR>() > 1)
            {
                c10 = TOps.Relu(c10);
                if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.Relu(c11);
                if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.Relu(c12);
                if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.Relu(c13);
            }
            if (Unsafe.SizeOf<TR>() > 2)
            {
                c20 = TOps.Relu(c20);
                if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.Relu(c21);
                if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.Relu(c22);
                if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.Relu(c23);
            }
            if (Unsafe.SizeOf<TR>() > 3)
            {
                c30 = TOps.Relu(c30);
                if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.Relu(c31);
                if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.Relu(c32);
                if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.Relu(c33);
            }
            if (Unsafe.SizeOf<TR>() > 4)
            {
                c40 = TOps.Relu(c40);
                if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.Relu(c41);
                if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.Relu(c42);
                if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.Relu(c43);
            }
            if (Unsafe.SizeOf<TR>() > 5)
            {
                c50 = TOps.Relu(c50);
                if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.Relu(c51);
                if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.Relu(c52);
                if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.Relu(c53);
            }
        }
        if (Unsafe.SizeOf<TR>() > 0)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o0 + 0 * w, c00, tail, mask); else TOps.Store(o0 + 0 * w, c00);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o0 + 1 * w, c01, tail, mask); else TOps.Store(o0 + 1 * w, c01);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o0 + 2 * w, c02, tail, mask); else TOps.Store(o0 + 2 * w, c02);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o0 + 3 * w, c03, tail, mask); else TOps.Store(o0 + 3 * w, c03);
        }
        if (Unsafe.SizeOf<TR>() > 1)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o1 + 0 * w, c10, tail, mask); else TOps.Store(o1 + 0 * w, c10);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o1 + 1 * w, c11, tail, mask); else TOps.Store(o1 + 1 * w, c11);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o1 + 2 * w, c12, tail, mask); else TOps.Store(o1 + 2 * w, c12);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o1 + 3 * w, c13, tail, mask); else TOps.Store(o1 + 3 * w, c13);
        }
        if (Unsafe.SizeOf<TR>() > 2)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o2 + 0 * w, c20, tail, mask); else TOps.Store(o2 + 0 * w, c20);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o2 + 1 * w, c21, tail, mask); else TOps.Store(o2 + 1 * w, c21);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o2 + 2 * w, c22, tail, mask); else TOps.Store(o2 + 2 * w, c22);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o2 + 3 * w, c23, tail, mask); else TOps.Store(o2 + 3 * w, c23);
        }
        if (Unsafe.SizeOf<TR>() > 3)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o3 + 0 * w, c30, tail, mask); else TOps.Store(o3 + 0 * w, c30);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o3 + 1 * w, c31, tail, mask); else TOps.Store(o3 + 1 * w, c31);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o3 + 2 * w, c32, tail, mask); else TOps.Store(o3 + 2 * w, c32);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o3 + 3 * w, c33, tail, mask); else TOps.Store(o3 + 3 * w, c33);
        }
        if (Unsafe.SizeOf<TR>() > 4)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o4 + 0 * w, c40, tail, mask); else TOps.Store(o4 + 0 * w, c40);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o4 + 1 * w, c41, tail, mask); else TOps.Store(o4 + 1 * w, c41);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o4 + 2 * w, c42, tail, mask); else TOps.Store(o4 + 2 * w, c42);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o4 + 3 * w, c43, tail, mask); else TOps.Store(o4 + 3 * w, c43);
        }
        if (Unsafe.SizeOf<TR>() > 5)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o5 + 0 * w, c50, tail, mask); else TOps.Store(o5 + 0 * w, c50);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o5 + 1 * w, c51, tail, mask); else TOps.Store(o5 + 1 * w, c51);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o5 + 2 * w, c52, tail, mask); else TOps.Store(o5 + 2 * w, c52);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o5 + 3 * w, c53, tail, mask); else TOps.Store(o5 + 3 * w, c53);
        }
    }

    /// <summary>
    /// Asks for B's rows <see cref="PrefetchRows"/> ahead of the <paramref name="rows"/> a step of k is about to read,
    /// in a tile of few rows (Vector512 only, where a register of B is one cache line): few rows of A share each row
    /// of B there (a single image's Winograd products have 4, its dense layer 1), so the product waits on B's memory
    /// rather than on its multiply-adds, and the hardware's own prefetch, which stops at every 4 KB page, falls behind.
    /// Measured on CIFAR at batch 1 (Sapphire Rapids): one thread's Predict 715 → 683 µs (median of five runs), two threads
    /// within the noise. Elsewhere nothing is emitted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchB<TR, TC>(float* b, nint ldb, int rows) where TR : struct where TC : struct
    {
        if (Unsafe.SizeOf<TR>() > SmallTileRows || Unsafe.SizeOf<TV>() != 64 || !Sse.IsSupported) return;
        for (int r = 0; r < rows; r++)
        {
            float* ahead = b + (PrefetchRows + r) * ldb;
            Sse.Prefetch0(ahead);
            if (Unsafe.SizeOf<TC>() > 1) Sse.Prefetch0(ahead + 16);
            if (Unsafe.SizeOf<TC>() > 2) Sse.Prefetch0(ahead + 32);
            if (Unsafe.SizeOf<TC>() > 3) Sse.Prefetch0(ahead + 48);
        }
    }

    /// <summary>A tile of fewer than 8 registers: 2 (from 4 registers) or 4 sets of accumulators take turns over k.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TileInterleaved<TR, TC, TM>(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int kc,
                                                    int tail, int init, float* bias, bool relu)
        where TR : struct where TC : struct where TM : struct
    {
        int w = Unsafe.SizeOf<TV>() / sizeof(float);
        TV mask = typeof(TM) == typeof(Masked) ? TOps.TailMask(tail) : default;
        TV c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default, c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        TV d100 = default, d101 = default, d102 = default, d103 = default, d110 = default, d111 = default, d112 = default, d113 = default, d120 = default, d121 = default, d122 = default, d123 = default, d130 = default, d131 = default, d132 = default, d133 = default, d140 = default, d141 = default, d142 = default, d143 = default, d150 = default, d151 = default, d152 = default, d153 = default;
        TV d200 = default, d201 = default, d202 = default, d203 = default, d210 = default, d211 = default, d212 = default, d213 = default, d220 = default, d221 = default, d222 = default, d223 = default, d230 = default, d231 = default, d232 = default, d233 = default, d240 = default, d241 = default, d242 = default, d243 = default, d250 = default, d251 = default, d252 = default, d253 = default;
        TV d300 = default, d301 = default, d302 = default, d303 = default, d310 = default, d311 = default, d312 = default, d313 = default, d320 = default, d321 = default, d322 = default, d323 = default, d330 = default, d331 = default, d332 = default, d333 = default, d340 = default, d341 = default, d342 = default, d343 = default, d350 = default, d351 = default, d352 = default, d353 = default;
        float* o0 = c;
        float* o1 = c + 1 * ldc;
        float* o2 = c + 2 * ldc;
        float* o3 = c + 3 * ldc;
        float* o4 = c + 4 * ldc;
        float* o5 = c + 5 * ldc;
        if (init == InitLoad)
        {
            if (Unsafe.SizeOf<TR>() > 0)
            {
                c00 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o0 + 0 * w, tail, mask) : TOps.Load(o0 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c01 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o0 + 1 * w, tail, mask) : TOps.Load(o0 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c02 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o0 + 2 * w, tail, mask) : TOps.Load(o0 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c03 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o0 + 3 * w, tail, mask) : TOps.Load(o0 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 1)
            {
                c10 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o1 + 0 * w, tail, mask) : TOps.Load(o1 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c11 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o1 + 1 * w, tail, mask) : TOps.Load(o1 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c12 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o1 + 2 * w, tail, mask) : TOps.Load(o1 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c13 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o1 + 3 * w, tail, mask) : TOps.Load(o1 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 2)
            {
                c20 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o2 + 0 * w, tail, mask) : TOps.Load(o2 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c21 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o2 + 1 * w, tail, mask) : TOps.Load(o2 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c22 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o2 + 2 * w, tail, mask) : TOps.Load(o2 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c23 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o2 + 3 * w, tail, mask) : TOps.Load(o2 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 3)
            {
                c30 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o3 + 0 * w, tail, mask) : TOps.Load(o3 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c31 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o3 + 1 * w, tail, mask) : TOps.Load(o3 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c32 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o3 + 2 * w, tail, mask) : TOps.Load(o3 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c33 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o3 + 3 * w, tail, mask) : TOps.Load(o3 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 4)
            {
                c40 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o4 + 0 * w, tail, mask) : TOps.Load(o4 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c41 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o4 + 1 * w, tail, mask) : TOps.Load(o4 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c42 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o4 + 2 * w, tail, mask) : TOps.Load(o4 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c43 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o4 + 3 * w, tail, mask) : TOps.Load(o4 + 3 * w);
            }
            if (Unsafe.SizeOf<TR>() > 5)
            {
                c50 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(o5 + 0 * w, tail, mask) : TOps.Load(o5 + 0 * w);
                if (Unsafe.SizeOf<TC>() > 1) c51 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(o5 + 1 * w, tail, mask) : TOps.Load(o5 + 1 * w);
                if (Unsafe.SizeOf<TC>() > 2) c52 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(o5 + 2 * w, tail, mask) : TOps.Load(o5 + 2 * w);
                if (Unsafe.SizeOf<TC>() > 3) c53 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(o5 + 3 * w, tail, mask) : TOps.Load(o5 + 3 * w);
            }
        }
        else if (init == InitBias)
        {
            TV s0 = Unsafe.SizeOf<TC>() > 0 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(bias + 0 * w, tail, mask) : TOps.Load(bias + 0 * w)) : default;
            TV s1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(bias + 1 * w, tail, mask) : TOps.Load(bias + 1 * w)) : default;
            TV s2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(bias + 2 * w, tail, mask) : TOps.Load(bias + 2 * w)) : default;
            TV s3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(bias + 3 * w, tail, mask) : TOps.Load(bias + 3 * w)) : default;
            if (Unsafe.SizeOf<TR>() > 0) { c00 = s0; c01 = s1; c02 = s2; c03 = s3; }
            if (Unsafe.SizeOf<TR>() > 1) { c10 = s0; c11 = s1; c12 = s2; c13 = s3; }
            if (Unsafe.SizeOf<TR>() > 2) { c20 = s0; c21 = s1; c22 = s2; c23 = s3; }
            if (Unsafe.SizeOf<TR>() > 3) { c30 = s0; c31 = s1; c32 = s2; c33 = s3; }
            if (Unsafe.SizeOf<TR>() > 4) { c40 = s0; c41 = s1; c42 = s2; c43 = s3; }
            if (Unsafe.SizeOf<TR>() > 5) { c50 = s0; c51 = s1; c52 = s2; c53 = s3; }
        }
        float* a0 = a;
        float* a1 = a + 1 * ars;
        float* a2 = a + 2 * ars;
        float* a3 = a + 3 * ars;
        float* a4 = a + 4 * ars;
        float* a5 = a + 5 * ars;
        nint off = 0;
        int p = 0;
        // Interleaved steps of k go to separate sets of accumulators: 2 sets from 4 registers of C, 4 below.
        const int Four = 4, Two = 2;
        if (Unsafe.SizeOf<TR>() * Unsafe.SizeOf<TC>() < 4)
        {
            for (; p + Four <= kc; p += Four)
            {
                PrefetchB<TR, TC>(b, ldb, Four);
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 0 * w, tail, mask) : TOps.Load(b + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 1 * w, tail, mask) : TOps.Load(b + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 2 * w, tail, mask) : TOps.Load(b + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 3 * w, tail, mask) : TOps.Load(b + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off]);
                        c00 = TOps.MultiplyAdd(x, b0, c00);
                        if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.MultiplyAdd(x, b1, c01);
                        if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.MultiplyAdd(x, b2, c02);
                        if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.MultiplyAdd(x, b3, c03);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off]);
                        c10 = TOps.MultiplyAdd(x, b0, c10);
                        if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.MultiplyAdd(x, b1, c11);
                        if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.MultiplyAdd(x, b2, c12);
                        if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.MultiplyAdd(x, b3, c13);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off]);
                        c20 = TOps.MultiplyAdd(x, b0, c20);
                        if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.MultiplyAdd(x, b1, c21);
                        if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.MultiplyAdd(x, b2, c22);
                        if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.MultiplyAdd(x, b3, c23);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off]);
                        c30 = TOps.MultiplyAdd(x, b0, c30);
                        if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.MultiplyAdd(x, b1, c31);
                        if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.MultiplyAdd(x, b2, c32);
                        if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.MultiplyAdd(x, b3, c33);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off]);
                        c40 = TOps.MultiplyAdd(x, b0, c40);
                        if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.MultiplyAdd(x, b1, c41);
                        if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.MultiplyAdd(x, b2, c42);
                        if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.MultiplyAdd(x, b3, c43);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off]);
                        c50 = TOps.MultiplyAdd(x, b0, c50);
                        if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.MultiplyAdd(x, b1, c51);
                        if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.MultiplyAdd(x, b2, c52);
                        if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.MultiplyAdd(x, b3, c53);
                    }
                }
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + ldb + 0 * w, tail, mask) : TOps.Load(b + ldb + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + ldb + 1 * w, tail, mask) : TOps.Load(b + ldb + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + ldb + 2 * w, tail, mask) : TOps.Load(b + ldb + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + ldb + 3 * w, tail, mask) : TOps.Load(b + ldb + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off + acs]);
                        d100 = TOps.MultiplyAdd(x, b0, d100);
                        if (Unsafe.SizeOf<TC>() > 1) d101 = TOps.MultiplyAdd(x, b1, d101);
                        if (Unsafe.SizeOf<TC>() > 2) d102 = TOps.MultiplyAdd(x, b2, d102);
                        if (Unsafe.SizeOf<TC>() > 3) d103 = TOps.MultiplyAdd(x, b3, d103);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off + acs]);
                        d110 = TOps.MultiplyAdd(x, b0, d110);
                        if (Unsafe.SizeOf<TC>() > 1) d111 = TOps.MultiplyAdd(x, b1, d111);
                        if (Unsafe.SizeOf<TC>() > 2) d112 = TOps.MultiplyAdd(x, b2, d112);
                        if (Unsafe.SizeOf<TC>() > 3) d113 = TOps.MultiplyAdd(x, b3, d113);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off + acs]);
                        d120 = TOps.MultiplyAdd(x, b0, d120);
                        if (Unsafe.SizeOf<TC>() > 1) d121 = TOps.MultiplyAdd(x, b1, d121);
                        if (Unsafe.SizeOf<TC>() > 2) d122 = TOps.MultiplyAdd(x, b2, d122);
                        if (Unsafe.SizeOf<TC>() > 3) d123 = TOps.MultiplyAdd(x, b3, d123);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off + acs]);
                        d130 = TOps.MultiplyAdd(x, b0, d130);
                        if (Unsafe.SizeOf<TC>() > 1) d131 = TOps.MultiplyAdd(x, b1, d131);
                        if (Unsafe.SizeOf<TC>() > 2) d132 = TOps.MultiplyAdd(x, b2, d132);
                        if (Unsafe.SizeOf<TC>() > 3) d133 = TOps.MultiplyAdd(x, b3, d133);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off + acs]);
                        d140 = TOps.MultiplyAdd(x, b0, d140);
                        if (Unsafe.SizeOf<TC>() > 1) d141 = TOps.MultiplyAdd(x, b1, d141);
                        if (Unsafe.SizeOf<TC>() > 2) d142 = TOps.MultiplyAdd(x, b2, d142);
                        if (Unsafe.SizeOf<TC>() > 3) d143 = TOps.MultiplyAdd(x, b3, d143);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off + acs]);
                        d150 = TOps.MultiplyAdd(x, b0, d150);
                        if (Unsafe.SizeOf<TC>() > 1) d151 = TOps.MultiplyAdd(x, b1, d151);
                        if (Unsafe.SizeOf<TC>() > 2) d152 = TOps.MultiplyAdd(x, b2, d152);
                        if (Unsafe.SizeOf<TC>() > 3) d153 = TOps.MultiplyAdd(x, b3, d153);
                    }
                }
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 2 * ldb + 0 * w, tail, mask) : TOps.Load(b + 2 * ldb + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 2 * ldb + 1 * w, tail, mask) : TOps.Load(b + 2 * ldb + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 2 * ldb + 2 * w, tail, mask) : TOps.Load(b + 2 * ldb + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 2 * ldb + 3 * w, tail, mask) : TOps.Load(b + 2 * ldb + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off + 2 * acs]);
                        d200 = TOps.MultiplyAdd(x, b0, d200);
                        if (Unsafe.SizeOf<TC>() > 1) d201 = TOps.MultiplyAdd(x, b1, d201);
                        if (Unsafe.SizeOf<TC>() > 2) d202 = TOps.MultiplyAdd(x, b2, d202);
                        if (Unsafe.SizeOf<TC>() > 3) d203 = TOps.MultiplyAdd(x, b3, d203);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off + 2 * acs]);
                        d210 = TOps.MultiplyAdd(x, b0, d210);
                        if (Unsafe.SizeOf<TC>() > 1) d211 = TOps.MultiplyAdd(x, b1, d211);
                        if (Unsafe.SizeOf<TC>() > 2) d212 = TOps.MultiplyAdd(x, b2, d212);
                        if (Unsafe.SizeOf<TC>() > 3) d213 = TOps.MultiplyAdd(x, b3, d213);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off + 2 * acs]);
                        d220 = TOps.MultiplyAdd(x, b0, d220);
                        if (Unsafe.SizeOf<TC>() > 1) d221 = TOps.MultiplyAdd(x, b1, d221);
                        if (Unsafe.SizeOf<TC>() > 2) d222 = TOps.MultiplyAdd(x, b2, d222);
                        if (Unsafe.SizeOf<TC>() > 3) d223 = TOps.MultiplyAdd(x, b3, d223);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off + 2 * acs]);
                        d230 = TOps.MultiplyAdd(x, b0, d230);
                        if (Unsafe.SizeOf<TC>() > 1) d231 = TOps.MultiplyAdd(x, b1, d231);
                        if (Unsafe.SizeOf<TC>() > 2) d232 = TOps.MultiplyAdd(x, b2, d232);
                        if (Unsafe.SizeOf<TC>() > 3) d233 = TOps.MultiplyAdd(x, b3, d233);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off + 2 * acs]);
                        d240 = TOps.MultiplyAdd(x, b0, d240);
                        if (Unsafe.SizeOf<TC>() > 1) d241 = TOps.MultiplyAdd(x, b1, d241);
                        if (Unsafe.SizeOf<TC>() > 2) d242 = TOps.MultiplyAdd(x, b2, d242);
                        if (Unsafe.SizeOf<TC>() > 3) d243 = TOps.MultiplyAdd(x, b3, d243);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off + 2 * acs]);
                        d250 = TOps.MultiplyAdd(x, b0, d250);
                        if (Unsafe.SizeOf<TC>() > 1) d251 = TOps.MultiplyAdd(x, b1, d251);
                        if (Unsafe.SizeOf<TC>() > 2) d252 = TOps.MultiplyAdd(x, b2, d252);
                        if (Unsafe.SizeOf<TC>() > 3) d253 = TOps.MultiplyAdd(x, b3, d253);
                    }
                }
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 3 * ldb + 0 * w, tail, mask) : TOps.Load(b + 3 * ldb + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 3 * ldb + 1 * w, tail, mask) : TOps.Load(b + 3 * ldb + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 3 * ldb + 2 * w, tail, mask) : TOps.Load(b + 3 * ldb + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 3 * ldb + 3 * w, tail, mask) : TOps.Load(b + 3 * ldb + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off + 3 * acs]);
                        d300 = TOps.MultiplyAdd(x, b0, d300);
                        if (Unsafe.SizeOf<TC>() > 1) d301 = TOps.MultiplyAdd(x, b1, d301);
                        if (Unsafe.SizeOf<TC>() > 2) d302 = TOps.MultiplyAdd(x, b2, d302);
                        if (Unsafe.SizeOf<TC>() > 3) d303 = TOps.MultiplyAdd(x, b3, d303);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off + 3 * acs]);
                        d310 = TOps.MultiplyAdd(x, b0, d310);
                        if (Unsafe.SizeOf<TC>() > 1) d311 = TOps.MultiplyAdd(x, b1, d311);
                        if (Unsafe.SizeOf<TC>() > 2) d312 = TOps.MultiplyAdd(x, b2, d312);
                        if (Unsafe.SizeOf<TC>() > 3) d313 = TOps.MultiplyAdd(x, b3, d313);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off + 3 * acs]);
                        d320 = TOps.MultiplyAdd(x, b0, d320);
                        if (Unsafe.SizeOf<TC>() > 1) d321 = TOps.MultiplyAdd(x, b1, d321);
                        if (Unsafe.SizeOf<TC>() > 2) d322 = TOps.MultiplyAdd(x, b2, d322);
                        if (Unsafe.SizeOf<TC>() > 3) d323 = TOps.MultiplyAdd(x, b3, d323);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off + 3 * acs]);
                        d330 = TOps.MultiplyAdd(x, b0, d330);
                        if (Unsafe.SizeOf<TC>() > 1) d331 = TOps.MultiplyAdd(x, b1, d331);
                        if (Unsafe.SizeOf<TC>() > 2) d332 = TOps.MultiplyAdd(x, b2, d332);
                        if (Unsafe.SizeOf<TC>() > 3) d333 = TOps.MultiplyAdd(x, b3, d333);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off + 3 * acs]);
                        d340 = TOps.MultiplyAdd(x, b0, d340);
                        if (Unsafe.SizeOf<TC>() > 1) d341 = TOps.MultiplyAdd(x, b1, d341);
                        if (Unsafe.SizeOf<TC>() > 2) d342 = TOps.MultiplyAdd(x, b2, d342);
                        if (Unsafe.SizeOf<TC>() > 3) d343 = TOps.MultiplyAdd(x, b3, d343);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off + 3 * acs]);
                        d350 = TOps.MultiplyAdd(x, b0, d350);
                        if (Unsafe.SizeOf<TC>() > 1) d351 = TOps.MultiplyAdd(x, b1, d351);
                        if (Unsafe.SizeOf<TC>() > 2) d352 = TOps.MultiplyAdd(x, b2, d352);
                        if (Unsafe.SizeOf<TC>() > 3) d353 = TOps.MultiplyAdd(x, b3, d353);
                    }
                }
                off += Four * acs;
                b += Four * ldb;
            }
        }
        else
        {
            for (; p + Two <= kc; p += Two)
            {
                PrefetchB<TR, TC>(b, ldb, Two);
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 0 * w, tail, mask) : TOps.Load(b + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 1 * w, tail, mask) : TOps.Load(b + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 2 * w, tail, mask) : TOps.Load(b + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 3 * w, tail, mask) : TOps.Load(b + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off]);
                        c00 = TOps.MultiplyAdd(x, b0, c00);
                        if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.MultiplyAdd(x, b1, c01);
                        if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.MultiplyAdd(x, b2, c02);
                        if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.MultiplyAdd(x, b3, c03);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off]);
                        c10 = TOps.MultiplyAdd(x, b0, c10);
                        if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.MultiplyAdd(x, b1, c11);
                        if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.MultiplyAdd(x, b2, c12);
                        if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.MultiplyAdd(x, b3, c13);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off]);
                        c20 = TOps.MultiplyAdd(x, b0, c20);
                        if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.MultiplyAdd(x, b1, c21);
                        if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.MultiplyAdd(x, b2, c22);
                        if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.MultiplyAdd(x, b3, c23);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off]);
                        c30 = TOps.MultiplyAdd(x, b0, c30);
                        if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.MultiplyAdd(x, b1, c31);
                        if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.MultiplyAdd(x, b2, c32);
                        if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.MultiplyAdd(x, b3, c33);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off]);
                        c40 = TOps.MultiplyAdd(x, b0, c40);
                        if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.MultiplyAdd(x, b1, c41);
                        if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.MultiplyAdd(x, b2, c42);
                        if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.MultiplyAdd(x, b3, c43);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off]);
                        c50 = TOps.MultiplyAdd(x, b0, c50);
                        if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.MultiplyAdd(x, b1, c51);
                        if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.MultiplyAdd(x, b2, c52);
                        if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.MultiplyAdd(x, b3, c53);
                    }
                }
                {
                    TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + ldb + 0 * w, tail, mask) : TOps.Load(b + ldb + 0 * w);
                    TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + ldb + 1 * w, tail, mask) : TOps.Load(b + ldb + 1 * w)) : default;
                    TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + ldb + 2 * w, tail, mask) : TOps.Load(b + ldb + 2 * w)) : default;
                    TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + ldb + 3 * w, tail, mask) : TOps.Load(b + ldb + 3 * w)) : default;
                    TV x;
                    if (Unsafe.SizeOf<TR>() > 0)
                    {
                        x = TOps.Broadcast(a0[off + acs]);
                        d100 = TOps.MultiplyAdd(x, b0, d100);
                        if (Unsafe.SizeOf<TC>() > 1) d101 = TOps.MultiplyAdd(x, b1, d101);
                        if (Unsafe.SizeOf<TC>() > 2) d102 = TOps.MultiplyAdd(x, b2, d102);
                        if (Unsafe.SizeOf<TC>() > 3) d103 = TOps.MultiplyAdd(x, b3, d103);
                    }
                    if (Unsafe.SizeOf<TR>() > 1)
                    {
                        x = TOps.Broadcast(a1[off + acs]);
                        d110 = TOps.MultiplyAdd(x, b0, d110);
                        if (Unsafe.SizeOf<TC>() > 1) d111 = TOps.MultiplyAdd(x, b1, d111);
                        if (Unsafe.SizeOf<TC>() > 2) d112 = TOps.MultiplyAdd(x, b2, d112);
                        if (Unsafe.SizeOf<TC>() > 3) d113 = TOps.MultiplyAdd(x, b3, d113);
                    }
                    if (Unsafe.SizeOf<TR>() > 2)
                    {
                        x = TOps.Broadcast(a2[off + acs]);
                        d120 = TOps.MultiplyAdd(x, b0, d120);
                        if (Unsafe.SizeOf<TC>() > 1) d121 = TOps.MultiplyAdd(x, b1, d121);
                        if (Unsafe.SizeOf<TC>() > 2) d122 = TOps.MultiplyAdd(x, b2, d122);
                        if (Unsafe.SizeOf<TC>() > 3) d123 = TOps.MultiplyAdd(x, b3, d123);
                    }
                    if (Unsafe.SizeOf<TR>() > 3)
                    {
                        x = TOps.Broadcast(a3[off + acs]);
                        d130 = TOps.MultiplyAdd(x, b0, d130);
                        if (Unsafe.SizeOf<TC>() > 1) d131 = TOps.MultiplyAdd(x, b1, d131);
                        if (Unsafe.SizeOf<TC>() > 2) d132 = TOps.MultiplyAdd(x, b2, d132);
                        if (Unsafe.SizeOf<TC>() > 3) d133 = TOps.MultiplyAdd(x, b3, d133);
                    }
                    if (Unsafe.SizeOf<TR>() > 4)
                    {
                        x = TOps.Broadcast(a4[off + acs]);
                        d140 = TOps.MultiplyAdd(x, b0, d140);
                        if (Unsafe.SizeOf<TC>() > 1) d141 = TOps.MultiplyAdd(x, b1, d141);
                        if (Unsafe.SizeOf<TC>() > 2) d142 = TOps.MultiplyAdd(x, b2, d142);
                        if (Unsafe.SizeOf<TC>() > 3) d143 = TOps.MultiplyAdd(x, b3, d143);
                    }
                    if (Unsafe.SizeOf<TR>() > 5)
                    {
                        x = TOps.Broadcast(a5[off + acs]);
                        d150 = TOps.MultiplyAdd(x, b0, d150);
                        if (Unsafe.SizeOf<TC>() > 1) d151 = TOps.MultiplyAdd(x, b1, d151);
                        if (Unsafe.SizeOf<TC>() > 2) d152 = TOps.MultiplyAdd(x, b2, d152);
                        if (Unsafe.SizeOf<TC>() > 3) d153 = TOps.MultiplyAdd(x, b3, d153);
                    }
                }
                off += Two * acs;
                b += Two * ldb;
            }
        }
        for (; p < kc; p++)
        {
            PrefetchB<TR, TC>(b, ldb, 1);
            {
                TV b0 = typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1 ? TOps.LoadTail(b + 0 * w, tail, mask) : TOps.Load(b + 0 * w);
                TV b1 = Unsafe.SizeOf<TC>() > 1 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2 ? TOps.LoadTail(b + 1 * w, tail, mask) : TOps.Load(b + 1 * w)) : default;
                TV b2 = Unsafe.SizeOf<TC>() > 2 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3 ? TOps.LoadTail(b + 2 * w, tail, mask) : TOps.Load(b + 2 * w)) : default;
                TV b3 = Unsafe.SizeOf<TC>() > 3 ? (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4 ? TOps.LoadTail(b + 3 * w, tail, mask) : TOps.Load(b + 3 * w)) : default;
                TV x;
                if (Unsafe.SizeOf<TR>() > 0)
                {
                    x = TOps.Broadcast(a0[off]);
                    c00 = TOps.MultiplyAdd(x, b0, c00);
                    if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.MultiplyAdd(x, b1, c01);
                    if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.MultiplyAdd(x, b2, c02);
                    if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.MultiplyAdd(x, b3, c03);
                }
                if (Unsafe.SizeOf<TR>() > 1)
                {
                    x = TOps.Broadcast(a1[off]);
                    c10 = TOps.MultiplyAdd(x, b0, c10);
                    if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.MultiplyAdd(x, b1, c11);
                    if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.MultiplyAdd(x, b2, c12);
                    if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.MultiplyAdd(x, b3, c13);
                }
                if (Unsafe.SizeOf<TR>() > 2)
                {
                    x = TOps.Broadcast(a2[off]);
                    c20 = TOps.MultiplyAdd(x, b0, c20);
                    if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.MultiplyAdd(x, b1, c21);
                    if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.MultiplyAdd(x, b2, c22);
                    if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.MultiplyAdd(x, b3, c23);
                }
                if (Unsafe.SizeOf<TR>() > 3)
                {
                    x = TOps.Broadcast(a3[off]);
                    c30 = TOps.MultiplyAdd(x, b0, c30);
                    if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.MultiplyAdd(x, b1, c31);
                    if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.MultiplyAdd(x, b2, c32);
                    if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.MultiplyAdd(x, b3, c33);
                }
                if (Unsafe.SizeOf<TR>() > 4)
                {
                    x = TOps.Broadcast(a4[off]);
                    c40 = TOps.MultiplyAdd(x, b0, c40);
                    if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.MultiplyAdd(x, b1, c41);
                    if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.MultiplyAdd(x, b2, c42);
                    if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.MultiplyAdd(x, b3, c43);
                }
                if (Unsafe.SizeOf<TR>() > 5)
                {
                    x = TOps.Broadcast(a5[off]);
                    c50 = TOps.MultiplyAdd(x, b0, c50);
                    if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.MultiplyAdd(x, b1, c51);
                    if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.MultiplyAdd(x, b2, c52);
                    if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.MultiplyAdd(x, b3, c53);
                }
            }
            off += acs;
            b += ldb;
        }
        if (Unsafe.SizeOf<TR>() > 0 && Unsafe.SizeOf<TC>() > 0) c00 = TOps.Add(TOps.Add(c00, d100), TOps.Add(d200, d300));
        if (Unsafe.SizeOf<TR>() > 0 && Unsafe.SizeOf<TC>() > 1) c01 = TOps.Add(TOps.Add(c01, d101), TOps.Add(d201, d301));
        if (Unsafe.SizeOf<TR>() > 0 && Unsafe.SizeOf<TC>() > 2) c02 = TOps.Add(TOps.Add(c02, d102), TOps.Add(d202, d302));
        if (Unsafe.SizeOf<TR>() > 0 && Unsafe.SizeOf<TC>() > 3) c03 = TOps.Add(TOps.Add(c03, d103), TOps.Add(d203, d303));
        if (Unsafe.SizeOf<TR>() > 1 && Unsafe.SizeOf<TC>() > 0) c10 = TOps.Add(TOps.Add(c10, d110), TOps.Add(d210, d310));
        if (Unsafe.SizeOf<TR>() > 1 && Unsafe.SizeOf<TC>() > 1) c11 = TOps.Add(TOps.Add(c11, d111), TOps.Add(d211, d311));
        if (Unsafe.SizeOf<TR>() > 1 && Unsafe.SizeOf<TC>() > 2) c12 = TOps.Add(TOps.Add(c12, d112), TOps.Add(d212, d312));
        if (Unsafe.SizeOf<TR>() > 1 && Unsafe.SizeOf<TC>() > 3) c13 = TOps.Add(TOps.Add(c13, d113), TOps.Add(d213, d313));
        if (Unsafe.SizeOf<TR>() > 2 && Unsafe.SizeOf<TC>() > 0) c20 = TOps.Add(TOps.Add(c20, d120), TOps.Add(d220, d320));
        if (Unsafe.SizeOf<TR>() > 2 && Unsafe.SizeOf<TC>() > 1) c21 = TOps.Add(TOps.Add(c21, d121), TOps.Add(d221, d321));
        if (Unsafe.SizeOf<TR>() > 2 && Unsafe.SizeOf<TC>() > 2) c22 = TOps.Add(TOps.Add(c22, d122), TOps.Add(d222, d322));
        if (Unsafe.SizeOf<TR>() > 2 && Unsafe.SizeOf<TC>() > 3) c23 = TOps.Add(TOps.Add(c23, d123), TOps.Add(d223, d323));
        if (Unsafe.SizeOf<TR>() > 3 && Unsafe.SizeOf<TC>() > 0) c30 = TOps.Add(TOps.Add(c30, d130), TOps.Add(d230, d330));
        if (Unsafe.SizeOf<TR>() > 3 && Unsafe.SizeOf<TC>() > 1) c31 = TOps.Add(TOps.Add(c31, d131), TOps.Add(d231, d331));
        if (Unsafe.SizeOf<TR>() > 3 && Unsafe.SizeOf<TC>() > 2) c32 = TOps.Add(TOps.Add(c32, d132), TOps.Add(d232, d332));
        if (Unsafe.SizeOf<TR>() > 3 && Unsafe.SizeOf<TC>() > 3) c33 = TOps.Add(TOps.Add(c33, d133), TOps.Add(d233, d333));
        if (Unsafe.SizeOf<TR>() > 4 && Unsafe.SizeOf<TC>() > 0) c40 = TOps.Add(TOps.Add(c40, d140), TOps.Add(d240, d340));
        if (Unsafe.SizeOf<TR>() > 4 && Unsafe.SizeOf<TC>() > 1) c41 = TOps.Add(TOps.Add(c41, d141), TOps.Add(d241, d341));
        if (Unsafe.SizeOf<TR>() > 4 && Unsafe.SizeOf<TC>() > 2) c42 = TOps.Add(TOps.Add(c42, d142), TOps.Add(d242, d342));
        if (Unsafe.SizeOf<TR>() > 4 && Unsafe.SizeOf<TC>() > 3) c43 = TOps.Add(TOps.Add(c43, d143), TOps.Add(d243, d343));
        if (Unsafe.SizeOf<TR>() > 5 && Unsafe.SizeOf<TC>() > 0) c50 = TOps.Add(TOps.Add(c50, d150), TOps.Add(d250, d350));
        if (Unsafe.SizeOf<TR>() > 5 && Unsafe.SizeOf<TC>() > 1) c51 = TOps.Add(TOps.Add(c51, d151), TOps.Add(d251, d351));
        if (Unsafe.SizeOf<TR>() > 5 && Unsafe.SizeOf<TC>() > 2) c52 = TOps.Add(TOps.Add(c52, d152), TOps.Add(d252, d352));
        if (Unsafe.SizeOf<TR>() > 5 && Unsafe.SizeOf<TC>() > 3) c53 = TOps.Add(TOps.Add(c53, d153), TOps.Add(d253, d353));
        if (relu)
        {
            if (Unsafe.SizeOf<TR>() > 0)
            {
                c00 = TOps.Relu(c00);
                if (Unsafe.SizeOf<TC>() > 1) c01 = TOps.Relu(c01);
                if (Unsafe.SizeOf<TC>() > 2) c02 = TOps.Relu(c02);
                if (Unsafe.SizeOf<TC>() > 3) c03 = TOps.Relu(c03);
            }
            if (Unsafe.SizeOf<TR>() > 1)
            {
                c10 = TOps.Relu(c10);
                if (Unsafe.SizeOf<TC>() > 1) c11 = TOps.Relu(c11);
                if (Unsafe.SizeOf<TC>() > 2) c12 = TOps.Relu(c12);
                if (Unsafe.SizeOf<TC>() > 3) c13 = TOps.Relu(c13);
            }
            if (Unsafe.SizeOf<TR>() > 2)
            {
                c20 = TOps.Relu(c20);
                if (Unsafe.SizeOf<TC>() > 1) c21 = TOps.Relu(c21);
                if (Unsafe.SizeOf<TC>() > 2) c22 = TOps.Relu(c22);
                if (Unsafe.SizeOf<TC>() > 3) c23 = TOps.Relu(c23);
            }
            if (Unsafe.SizeOf<TR>() > 3)
            {
                c30 = TOps.Relu(c30);
                if (Unsafe.SizeOf<TC>() > 1) c31 = TOps.Relu(c31);
                if (Unsafe.SizeOf<TC>() > 2) c32 = TOps.Relu(c32);
                if (Unsafe.SizeOf<TC>() > 3) c33 = TOps.Relu(c33);
            }
            if (Unsafe.SizeOf<TR>() > 4)
            {
                c40 = TOps.Relu(c40);
                if (Unsafe.SizeOf<TC>() > 1) c41 = TOps.Relu(c41);
                if (Unsafe.SizeOf<TC>() > 2) c42 = TOps.Relu(c42);
                if (Unsafe.SizeOf<TC>() > 3) c43 = TOps.Relu(c43);
            }
            if (Unsafe.SizeOf<TR>() > 5)
            {
                c50 = TOps.Relu(c50);
                if (Unsafe.SizeOf<TC>() > 1) c51 = TOps.Relu(c51);
                if (Unsafe.SizeOf<TC>() > 2) c52 = TOps.Relu(c52);
                if (Unsafe.SizeOf<TC>() > 3) c53 = TOps.Relu(c53);
            }
        }
        if (Unsafe.SizeOf<TR>() > 0)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o0 + 0 * w, c00, tail, mask); else TOps.Store(o0 + 0 * w, c00);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o0 + 1 * w, c01, tail, mask); else TOps.Store(o0 + 1 * w, c01);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o0 + 2 * w, c02, tail, mask); else TOps.Store(o0 + 2 * w, c02);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o0 + 3 * w, c03, tail, mask); else TOps.Store(o0 + 3 * w, c03);
        }
        if (Unsafe.SizeOf<TR>() > 1)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o1 + 0 * w, c10, tail, mask); else TOps.Store(o1 + 0 * w, c10);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o1 + 1 * w, c11, tail, mask); else TOps.Store(o1 + 1 * w, c11);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o1 + 2 * w, c12, tail, mask); else TOps.Store(o1 + 2 * w, c12);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o1 + 3 * w, c13, tail, mask); else TOps.Store(o1 + 3 * w, c13);
        }
        if (Unsafe.SizeOf<TR>() > 2)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o2 + 0 * w, c20, tail, mask); else TOps.Store(o2 + 0 * w, c20);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o2 + 1 * w, c21, tail, mask); else TOps.Store(o2 + 1 * w, c21);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o2 + 2 * w, c22, tail, mask); else TOps.Store(o2 + 2 * w, c22);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o2 + 3 * w, c23, tail, mask); else TOps.Store(o2 + 3 * w, c23);
        }
        if (Unsafe.SizeOf<TR>() > 3)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o3 + 0 * w, c30, tail, mask); else TOps.Store(o3 + 0 * w, c30);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o3 + 1 * w, c31, tail, mask); else TOps.Store(o3 + 1 * w, c31);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o3 + 2 * w, c32, tail, mask); else TOps.Store(o3 + 2 * w, c32);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o3 + 3 * w, c33, tail, mask); else TOps.Store(o3 + 3 * w, c33);
        }
        if (Unsafe.SizeOf<TR>() > 4)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o4 + 0 * w, c40, tail, mask); else TOps.Store(o4 + 0 * w, c40);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o4 + 1 * w, c41, tail, mask); else TOps.Store(o4 + 1 * w, c41);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o4 + 2 * w, c42, tail, mask); else TOps.Store(o4 + 2 * w, c42);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o4 + 3 * w, c43, tail, mask); else TOps.Store(o4 + 3 * w, c43);
        }
        if (Unsafe.SizeOf<TR>() > 5)
        {
            if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 1) TOps.StoreTail(o5 + 0 * w, c50, tail, mask); else TOps.Store(o5 + 0 * w, c50);
            if (Unsafe.SizeOf<TC>() > 1) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 2) TOps.StoreTail(o5 + 1 * w, c51, tail, mask); else TOps.Store(o5 + 1 * w, c51);
            if (Unsafe.SizeOf<TC>() > 2) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 3) TOps.StoreTail(o5 + 2 * w, c52, tail, mask); else TOps.Store(o5 + 2 * w, c52);
            if (Unsafe.SizeOf<TC>() > 3) if (typeof(TM) == typeof(Masked) && Unsafe.SizeOf<TC>() == 4) TOps.StoreTail(o5 + 3 * w, c53, tail, mask); else TOps.Store(o5 + 3 * w, c53);
        }
    }
}
