using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvNetGen.Kernels;

/// <summary>
/// Single-precision matrix multiplies, row-major and contiguous: the building block convolutions (through im2col)
/// and dense layers share. Every kernel runs on the widest vectors the machine accelerates (Vector512, Vector256,
/// Vector128 — NEON on ARM64 — or scalar code), chosen at run time. None allocates once warmed up; calls on different
/// threads are independent (the one scratch buffer is per thread); C must not overlap A or B.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Gemm
{
    /// <summary>
    /// Forces a narrower path on the calling thread, for tests: 512, 256, 128 (bits per register) or 32 (scalar);
    /// 0 (the default) picks the widest accelerated one. Forcing a width the hardware does not accelerate throws.
    /// </summary>
    [ThreadStatic] internal static int ForcedWidth;

    /// <summary>Bits per register of the path the kernels take on this machine: 512, 256, 128, or 32 (scalar).</summary>
    public static int VectorWidth { get; } = IsSupported(512) ? 512 : IsSupported(256) ? 256 : IsSupported(128) ? 128 : 32;

    /// <summary>The path's name, for reports: "Vector512", "Vector256", "Vector128" or "Scalar".</summary>
    public static string HardwarePath => PathName(VectorWidth);

    /// <summary>Whether <paramref name="width"/> (512, 256, 128 or 32 bits) runs accelerated here (32, scalar, always does).</summary>
    internal static bool IsSupported(int width) => width switch
    {
        512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported, // the 512-bit tails use AVX-512 masked moves
        256 => Vector256.IsHardwareAccelerated && Avx.IsSupported,     // and the 256-bit ones AVX's
        128 => Vector128.IsHardwareAccelerated,
        32 => true,
        _ => false,
    };

    internal static string PathName(int width) => width switch
    {
        512 => "Vector512",
        256 => "Vector256",
        128 => "Vector128",
        _ => "Scalar",
    };

    /// <summary>The width this thread's calls use.</summary>
    internal static int ActiveWidth
    {
        get
        {
            int forced = ForcedWidth;
            if (forced == 0) return VectorWidth;
            if (!IsSupported(forced))
                throw new InvalidOperationException($"Gemm: a {forced}-bit path was forced, but this machine does not accelerate it.");
            return forced;
        }
    }

    /// <summary><c>C[m×n] += A[m×k] · B[k×n]</c>, all row-major with no padding between rows.</summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, or a size is negative.</exception>
    internal static unsafe void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Check(nameof(MultiplyAdd), a.Length, b.Length, c.Length, m, n, k, false, false);
        fixed (float* pa = a, pb = b, pc = c)
            Run(pa, k, 1, pb, n, pc, m, n, k, null, accumulate: true, relu: false);
    }

    /// <summary>
    /// <c>C[m×n] += A[k×m]ᵀ · B[k×n]</c>: A is stored k×m (e.g. im2col patches, one row per output pixel), and is read
    /// transposed in place — the weight gradient <c>dW += patchesᵀ · dOut</c> without materialising the transpose.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, or a size is negative.</exception>
    public static unsafe void MultiplyTransposedAAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Check(nameof(MultiplyTransposedAAdd), a.Length, b.Length, c.Length, m, n, k, true, false);
        fixed (float* pa = a, pb = b, pc = c)
            Run(pa, 1, m, pb, n, pc, m, n, k, null, accumulate: true, relu: false);
    }

    /// <summary>
    /// <c>C[m×n] += A[m×k] · B[n×k]ᵀ</c>: B is stored n×k (e.g. a kernel stored taps×filters, with n = taps and k =
    /// filters) — the input gradient <c>dPatches += dOut · Wᵀ</c> without the caller transposing W. B is repacked
    /// into a per-thread buffer (n·k floats, grown once), which costs little next to the m·n·k multiply-adds.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, or a size is negative.</exception>
    internal static void MultiplyTransposedBAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Check(nameof(MultiplyTransposedBAdd), a.Length, b.Length, c.Length, m, n, k, false, true);
        TransposedB(a, b, c, m, n, k, accumulate: true);
    }

    /// <summary>
    /// <c>C[m×n] = A[m×k] · B[n×k]ᵀ</c>, overwriting C: as <see cref="MultiplyTransposedBAdd"/>, without reading C
    /// (so the caller need not clear it first — for dPatches that saves a pass over m·n floats).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, or a size is negative.</exception>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Check(nameof(MultiplyTransposedB), a.Length, b.Length, c.Length, m, n, k, false, true);
        TransposedB(a, b, c, m, n, k, accumulate: false);
    }

    private static unsafe void TransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        var packed = PackBuffer(n * k);
        fixed (float* pa = a, pb = b, pc = c, pp = packed)
        {
            TransposeCore(pb, pp, n, k); // packed is k×n
            Run(pa, k, 1, pp, n, pc, m, n, k, null, accumulate, relu: false);
        }
    }

    /// <summary>
    /// <c>C[m×n] = activation(A[m×k] · B[k×n] + bias)</c>, overwriting C: the bias (n values, or empty for none) is
    /// added to every row and ReLU is applied as the results leave the registers. Sigmoid, Tanh and Softmax are
    /// applied in a second pass over C (Softmax per row of n).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, the bias is neither empty nor n long, or a size is negative.</exception>
    public static void MultiplyBiasActivation(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias,
                                              Span<float> c, int m, int n, int k, Activation activation) =>
        MultiplyBiasActivation(a, b, 0, bias, c, m, n, k, activation);

    /// <summary>
    /// As <see cref="MultiplyBiasActivation(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, Activation)"/>,
    /// with B packed in panels of <paramref name="panelColumns"/> columns (a prepared kernel), or row-major when it is 0.
    /// The results are identical to the row-major product's.
    /// </summary>
    /// <exception cref="ArgumentException">As the row-major overload; or the panels are not this thread's path's.</exception>
    public static unsafe void MultiplyBiasActivation(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int panelColumns, ReadOnlySpan<float> bias,
                                                     Span<float> c, int m, int n, int k, Activation activation)
    {
        Check(nameof(MultiplyBiasActivation), a.Length, b.Length, c.Length, m, n, k, false, false);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"{nameof(MultiplyBiasActivation)}: the bias has {bias.Length} values; it must have n = {n}, or none.", nameof(bias));
        if (activation is < Activation.Linear or > Activation.Softmax)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        int width = ActiveWidth;
        RequirePanels(nameof(MultiplyBiasActivation), "B", panelColumns, width, nameof(panelColumns));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            RunShared(width, pa, k, 1, pb, n, pc, m, n, k, bias.IsEmpty ? null : pbias, accumulate: false, relu: activation == Activation.ReLU, packedB: panelColumns != 0);
        if (activation is not (Activation.Linear or Activation.ReLU) && m > 0 && n > 0)
            Activations.Forward(activation, c.Slice(0, m * n), n);
    }

    /// <summary>
    /// Throws unless <paramref name="panelColumns"/> is 0 (row-major) or the panels of path <paramref name="width"/>:
    /// a prepared kernel packed on another thread's forced path must be made again, not misread.
    /// </summary>
    internal static void RequirePanels(string kernel, string operand, int panelColumns, int width, string parameter)
    {
        if (panelColumns != 0 && panelColumns != PanelColumns(width))
            throw new ArgumentException($"{kernel}: {operand} is packed in panels of {panelColumns} columns; this thread's {PathName(width)} path reads panels of {PanelColumns(width)}.", parameter);
    }

    /// <summary><c>destination[cols×rows] = source[rows×cols]ᵀ</c>.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the matrix, or a size is negative.</exception>
    public static unsafe void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || source.Length < (long)rows * cols || destination.Length < (long)rows * cols)
            throw new ArgumentException($"Transpose: spans too short for {rows}×{cols} (source {source.Length}, destination {destination.Length}).");
        fixed (float* ps = source, pd = destination)
            TransposeCore(ps, pd, rows, cols);
    }

    private static unsafe void Run(float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                                   float* bias, bool accumulate, bool relu) =>
        RunShared(ActiveWidth, a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu);

    /// <summary>
    /// The product on path <paramref name="width"/>, shared with the worker team when the calling thread allows it
    /// (<see cref="GemmRowSplit.Threads"/>: a single image's inference) and the team is free; else on this thread.
    /// </summary>
    internal static unsafe void RunShared(int width, float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                                          float* bias, bool accumulate, bool relu, bool packedB = false)
    {
        if (GemmRowSplit.Threads > 1 && GemmRowSplit.TryRun(width, a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB)) return;
        RunOnWidth(width, a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB);
    }

    /// <summary>
    /// The product on the kernels of one path, on the calling thread; B packed for that path when <paramref name="packedB"/>
    /// (see <see cref="PackPanels"/>); C's rows <paramref name="ldc"/> apart (0: n).
    /// </summary>
    internal static unsafe void RunOnWidth(int width, float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                                           float* bias, bool accumulate, bool relu, bool packedB = false, nint ldc = 0)
    {
        switch (width)
        {
            case 512: GemmKernel<Simd512, Vector512<float>>.Run(a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB, ldc); break;
            case 256: GemmKernel<Simd256, Vector256<float>>.Run(a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB, ldc); break;
            case 128: GemmKernel<Simd128, Vector128<float>>.Run(a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB, ldc); break;
            default: GemmKernel<SimdScalar, float>.Run(a, ars, acs, b, ldb, c, m, n, k, bias, accumulate, relu, packedB, ldc); break;
        }
    }

    /// <summary>
    /// Rows of the micro-kernel's tile on every path: a cut of a product's rows at a multiple of it (a row split, a
    /// block of rows) leaves every row in the same tile, so summed in the same order.
    /// </summary>
    internal const int TileRows = 6;

    /// <summary>The floats of A a block of rows holds, on every path (<c>GemmKernel.MaxABlockFloats</c>; for tests and tuning).</summary>
    internal static int RowBlockFloats
    {
        get => GemmKernel<Simd256, Vector256<float>>.MaxABlockFloats;
        set
        {
            GemmKernel<Simd512, Vector512<float>>.MaxABlockFloats = value;
            GemmKernel<Simd256, Vector256<float>>.MaxABlockFloats = value;
            GemmKernel<Simd128, Vector128<float>>.MaxABlockFloats = value;
            GemmKernel<SimdScalar, float>.MaxABlockFloats = value;
        }
    }

    /// <summary>The columns of a packed B's panels on path <paramref name="width"/> (its kernels' panel of C).</summary>
    internal static int PanelColumns(int width) => width switch
    {
        512 => GemmKernel<Simd512, Vector512<float>>.PanelColumns,
        256 => GemmKernel<Simd256, Vector256<float>>.PanelColumns,
        128 => GemmKernel<Simd128, Vector128<float>>.PanelColumns,
        _ => GemmKernel<SimdScalar, float>.PanelColumns,
    };

    /// <summary>
    /// <c>B[k×n]</c> (row-major) rewritten for a path whose panels are <paramref name="panelColumns"/> wide: panel q
    /// (columns [q·P, q·P + w), w = min(P, n − q·P)) is k rows of w floats, contiguous, from offset q·P·k. The same
    /// k·n floats; a product reading it multiplies the same numbers in the same order, so the results are identical.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than k·n, or a size is not positive.</exception>
    internal static void PackPanels(ReadOnlySpan<float> b, Span<float> packed, int k, int n, int panelColumns)
    {
        if (k <= 0 || n <= 0 || panelColumns <= 0 || b.Length < (long)k * n || packed.Length < (long)k * n)
            throw new ArgumentException($"PackPanels: B {k}×{n} in panels of {panelColumns} (b {b.Length}, packed {packed.Length}).");
        for (int j = 0; j < n; j += panelColumns)
        {
            int cols = Math.Min(panelColumns, n - j);
            var panel = packed.Slice(j * k, k * cols);
            for (int r = 0; r < k; r++) b.Slice(r * n + j, cols).CopyTo(panel.Slice(r * cols, cols));
        }
    }

    private static void Check(string kernel, int aLength, int bLength, int cLength, int m, int n, int k, bool aTransposed, bool bTransposed)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"{kernel}: sizes must not be negative (m {m}, n {n}, k {k}).");
        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n)
            ThrowTooShort(kernel, aLength, bLength, cLength, m, n, k, aTransposed, bTransposed);
    }

    private static void ThrowTooShort(string kernel, int aLength, int bLength, int cLength, int m, int n, int k, bool aTransposed, bool bTransposed)
    {
        string aShape = aTransposed ? $"{k}×{m} (transposed)" : $"{m}×{k}";
        string bShape = bTransposed ? $"{n}×{k} (transposed)" : $"{k}×{n}";
        throw new ArgumentException(
            $"{kernel}: spans too short for A {aShape} · B {bShape} → C {m}×{n} " +
            $"(a has {aLength} of {(long)m * k}, b {bLength} of {(long)k * n}, c {cLength} of {(long)m * n}).");
    }

    [ThreadStatic] private static AlignedFloats t_pack;

    /// <summary>This thread's packing buffer, at least <paramref name="length"/> long (grown, never shrunk).</summary>
    private static AlignedFloats PackBuffer(int length)
    {
        var buffer = t_pack;
        if (buffer.Length < length)
            t_pack = buffer = AlignedFloats.Allocate(Math.Max(length, 1024));
        return buffer;
    }

    /// <summary>
    /// Tiled transpose: 8×8 blocks in AVX registers where the path is 256 bits or wider (12 shuffles per block instead
    /// of 64 scalar moves: 576×128 in ≈ 8 µs rather than 40), then 16×16 scalar tiles for the edges and other machines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TransposeCore(float* source, float* destination, int rows, int cols)
    {
        if (Avx.IsSupported && ActiveWidth >= 256 && rows >= 8 && cols >= 8)
        {
            int fullRows = rows & ~7, fullCols = cols & ~7;
            for (int r = 0; r < fullRows; r += 8)
            for (int c = 0; c < fullCols; c += 8)
                Transpose8x8(source + (nint)r * cols + c, cols, destination + (nint)c * rows + r, rows);
            ScalarTranspose(source, destination, rows, cols, fullRows, 0, rows, fullCols); // bottom edge rows, all full columns
            ScalarTranspose(source, destination, rows, cols, 0, fullCols, rows, cols);     // right edge columns, every row
            return;
        }
        ScalarTranspose(source, destination, rows, cols, 0, 0, rows, cols);
    }

    /// <summary>One 8×8 block: rows of <paramref name="source"/> (stride <paramref name="sourceStride"/>) become columns of <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + sourceStride);
        var r2 = Avx.LoadVector256(source + 2 * sourceStride);
        var r3 = Avx.LoadVector256(source + 3 * sourceStride);
        var r4 = Avx.LoadVector256(source + 4 * sourceStride);
        var r5 = Avx.LoadVector256(source + 5 * sourceStride);
        var r6 = Avx.LoadVector256(source + 6 * sourceStride);
        var r7 = Avx.LoadVector256(source + 7 * sourceStride);
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves: the classic 8×8 float transpose.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(destination + 2 * destinationStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(destination + 3 * destinationStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(destination + 4 * destinationStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(destination + 5 * destinationStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(destination + 6 * destinationStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(destination + 7 * destinationStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>The transpose of the block [rowStart, rowEnd) × [colStart, colEnd), in 16×16 tiles so both sides stay within a few cache lines.</summary>
    private static unsafe void ScalarTranspose(float* source, float* destination, int rows, int cols, int rowStart, int colStart, int rowEnd, int colEnd)
    {
        const int Tile = 16;
        for (int r0 = rowStart; r0 < rowEnd; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rowEnd);
            for (int c0 = colStart; c0 < colEnd; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, colEnd);
                for (int r = r0; r < r1; r++)
                {
                    float* s = source + (nint)r * cols;
                    float* d = destination + r;
                    for (int col = c0; col < c1; col++)
                        d[(nint)col * rows] = s[col];
                }
            }
        }
    }
}
