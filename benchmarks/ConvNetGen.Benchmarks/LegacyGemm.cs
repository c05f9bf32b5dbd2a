using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// The first GEMM of ConvNetGen.Kernels (4 rows × 2 Vector&lt;float&gt; per register block, scalar column remainders,
/// no transposed variants), kept verbatim so the benchmarks can report "before" next to "after".
/// </summary>
internal static class LegacyGemm
{
    /// <summary><c>C[m×n] += A[m×k] · B[k×n]</c>, all row-major with no padding between rows.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n)
            throw new ArgumentException($"Gemm: spans too short for {m}×{k} · {k}×{n} (a {a.Length}, b {b.Length}, c {c.Length}).");
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float pc = ref MemoryMarshal.GetReference(c);

        int vn = Vector.IsHardwareAccelerated ? n - n % (2 * Vector<float>.Count) : 0;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            int j = 0;
            for (; j < vn; j += 2 * Vector<float>.Count)
                Block4x2(ref pa, ref pb, ref pc, i, j, n, k);
            if (j < n) ScalarColumns(ref pa, ref pb, ref pc, i, 4, j, n, k);
        }
        for (; i < m; i++)
        {
            int j = 0;
            for (; j < vn; j += 2 * Vector<float>.Count)
                Block1x2(ref pa, ref pb, ref pc, i, j, n, k);
            if (j < n) ScalarColumns(ref pa, ref pb, ref pc, i, 1, j, n, k);
        }
    }

    /// <summary>Four rows of C by two vectors of columns, accumulated in registers over the whole k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x2(ref float a, ref float b, ref float c, int i, int j, int n, int k)
    {
        int w = Vector<float>.Count;
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        var s00 = Load(ref c0, 0); var s01 = Load(ref c0, w);
        var s10 = Load(ref c1, 0); var s11 = Load(ref c1, w);
        var s20 = Load(ref c2, 0); var s21 = Load(ref c2, w);
        var s30 = Load(ref c3, 0); var s31 = Load(ref c3, w);
        ref float a0 = ref Unsafe.Add(ref a, i * k);
        ref float a1 = ref Unsafe.Add(ref a0, k);
        ref float a2 = ref Unsafe.Add(ref a1, k);
        ref float a3 = ref Unsafe.Add(ref a2, k);
        ref float bj = ref Unsafe.Add(ref b, j);
        for (int p = 0; p < k; p++)
        {
            var b0 = Load(ref bj, p * n);
            var b1 = Load(ref bj, p * n + w);
            var x0 = new Vector<float>(Unsafe.Add(ref a0, p));
            var x1 = new Vector<float>(Unsafe.Add(ref a1, p));
            var x2 = new Vector<float>(Unsafe.Add(ref a2, p));
            var x3 = new Vector<float>(Unsafe.Add(ref a3, p));
            s00 = Vector.FusedMultiplyAdd(x0, b0, s00); s01 = Vector.FusedMultiplyAdd(x0, b1, s01);
            s10 = Vector.FusedMultiplyAdd(x1, b0, s10); s11 = Vector.FusedMultiplyAdd(x1, b1, s11);
            s20 = Vector.FusedMultiplyAdd(x2, b0, s20); s21 = Vector.FusedMultiplyAdd(x2, b1, s21);
            s30 = Vector.FusedMultiplyAdd(x3, b0, s30); s31 = Vector.FusedMultiplyAdd(x3, b1, s31);
        }
        Store(s00, ref c0, 0); Store(s01, ref c0, w);
        Store(s10, ref c1, 0); Store(s11, ref c1, w);
        Store(s20, ref c2, 0); Store(s21, ref c2, w);
        Store(s30, ref c3, 0); Store(s31, ref c3, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x2(ref float a, ref float b, ref float c, int i, int j, int n, int k)
    {
        int w = Vector<float>.Count;
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        var s0 = Load(ref c0, 0); var s1 = Load(ref c0, w);
        ref float a0 = ref Unsafe.Add(ref a, i * k);
        ref float bj = ref Unsafe.Add(ref b, j);
        for (int p = 0; p < k; p++)
        {
            var x = new Vector<float>(Unsafe.Add(ref a0, p));
            s0 = Vector.FusedMultiplyAdd(x, Load(ref bj, p * n), s0);
            s1 = Vector.FusedMultiplyAdd(x, Load(ref bj, p * n + w), s1);
        }
        Store(s0, ref c0, 0); Store(s1, ref c0, w);
    }

    /// <summary>The columns [j0, n) of <paramref name="rows"/> rows, one at a time (narrow outputs and remainders).</summary>
    private static void ScalarColumns(ref float a, ref float b, ref float c, int i0, int rows, int j0, int n, int k)
    {
        for (int i = i0; i < i0 + rows; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * k);
            for (int j = j0; j < n; j++)
            {
                float sum = Unsafe.Add(ref c, i * n + j);
                for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref ai, p), Unsafe.Add(ref b, p * n + j), sum);
                Unsafe.Add(ref c, i * n + j) = sum;
            }
        }
    }

    /// <summary><c>destination[cols×rows] = source[rows×cols]ᵀ</c>.</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        if (source.Length < rows * cols || destination.Length < rows * cols)
            throw new ArgumentException($"Transpose: spans too short for {rows}×{cols}.");
        const int Tile = 16;
        for (int r0 = 0; r0 < rows; r0 += Tile)
        for (int c0 = 0; c0 < cols; c0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows), c1 = Math.Min(c0 + Tile, cols);
            for (int r = r0; r < r1; r++)
            for (int col = c0; col < c1; col++)
                destination[col * rows + r] = source[r * cols + col];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float origin, int offset) =>
        Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref origin, offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> value, ref float origin, int offset) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref origin, offset)), value);
}
