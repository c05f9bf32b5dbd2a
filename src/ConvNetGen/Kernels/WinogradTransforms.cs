using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// One Winograd flavour F(Out × Out, 3 × 3) for a 3×3 kernel: its six 1-D transforms, each reading its n values from
/// x (registers of a scratch tile, or floats in memory) and writing its results to y (the same, or added into memory). <see cref="WinogradTileKernel{TOps, TV, TT}"/> composes them into the 2-D
/// transforms, specialised per flavour and register type by the JIT.
/// </summary>
internal unsafe interface IWinogradTiles
{
    /// <summary>The output tile's side; the input tile's is two more.</summary>
    static abstract int Out { get; }

    /// <summary>Bᵀ x (input tile → transformed).</summary>
    static abstract void Bt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;

    /// <summary>B x, the adjoint of <see cref="Bt"/>.</summary>
    static abstract void B<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;

    /// <summary>G x (3 kernel taps → transformed).</summary>
    static abstract void G<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;

    /// <summary>Gᵀ x, the adjoint of <see cref="G"/>.</summary>
    static abstract void Gt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;

    /// <summary>Aᵀ x (transformed → output tile).</summary>
    static abstract void At<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;

    /// <summary>A x, the adjoint of <see cref="At"/>.</summary>
    static abstract void A<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>;
}

/// <summary>
/// F(3×3, 3×3), interpolation points 0, 1, −1, 2, ∞ (the matrices are checked exactly in the tests):
/// <code>
/// Bᵀ = [2 −1 −2 1 0; 0 −2 −1 1 0; 0 2 −3 1 0; 0 −1 0 1 0; 0 2 −1 −2 1]
/// G  = [½ 0 0; −½ −½ −½; −⅙ ⅙ −⅙; ⅙ ⅓ ⅔; 0 0 1]      Aᵀ = [1 1 1 1 0; 0 1 −1 2 0; 0 1 1 4 1]
/// </code>
/// </summary>
internal readonly unsafe struct F3Tiles : IWinogradTiles
{
    public static int Out => 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Twice<TOps, TV>(TV x) where TOps : struct, ISimd<TV> where TV : unmanaged => TOps.Add(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4);
        y.Set(0, TOps.Add(TOps.Subtract(Twice<TOps, TV>(TOps.Subtract(x0, x2)), x1), x3));
        y.Set(1, TOps.Subtract(TOps.Subtract(x3, x2), Twice<TOps, TV>(x1)));
        y.Set(2, TOps.Add(TOps.Subtract(Twice<TOps, TV>(x1), TOps.Multiply(TOps.Broadcast(3f), x2)), x3));
        y.Set(3, TOps.Subtract(x3, x1));
        y.Set(4, TOps.Add(TOps.Subtract(Twice<TOps, TV>(TOps.Subtract(x1, x3)), x2), x4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void B<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4);
        y.Set(0, Twice<TOps, TV>(x0));
        y.Set(1, TOps.Subtract(Twice<TOps, TV>(TOps.Add(TOps.Subtract(x2, x1), x4)), TOps.Add(x0, x3)));
        y.Set(2, TOps.Subtract(TOps.Broadcast(0f), TOps.Add(TOps.Add(Twice<TOps, TV>(x0), x1), TOps.Add(TOps.Multiply(TOps.Broadcast(3f), x2), x4))));
        y.Set(3, TOps.Subtract(TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3)), Twice<TOps, TV>(x4)));
        y.Set(4, x4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void G<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2);
        TV half = TOps.Broadcast(0.5f), sixth = TOps.Broadcast(1f / 6f);
        TV outer = TOps.Add(x0, x2);
        y.Set(0, TOps.Multiply(half, x0));
        y.Set(1, TOps.Multiply(TOps.Broadcast(-0.5f), TOps.Add(outer, x1)));
        y.Set(2, TOps.Multiply(sixth, TOps.Subtract(x1, outer)));
        y.Set(3, TOps.Multiply(sixth, TOps.Add(TOps.Add(x0, Twice<TOps, TV>(x1)), TOps.Multiply(TOps.Broadcast(4f), x2))));
        y.Set(4, x2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4);
        TV half = TOps.Broadcast(0.5f), sixth = TOps.Broadcast(1f / 6f);
        y.Set(0, TOps.Add(TOps.Multiply(half, TOps.Subtract(x0, x1)), TOps.Multiply(sixth, TOps.Subtract(x3, x2))));
        y.Set(1, TOps.Add(TOps.Multiply(TOps.Broadcast(-0.5f), x1), TOps.Multiply(sixth, TOps.Add(x2, Twice<TOps, TV>(x3)))));
        y.Set(2, TOps.Add(TOps.Add(TOps.Multiply(TOps.Broadcast(-0.5f), x1), TOps.Multiply(sixth, TOps.Subtract(TOps.Multiply(TOps.Broadcast(4f), x3), x2))), x4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void At<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4);
        y.Set(0, TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3)));
        y.Set(1, TOps.Add(TOps.Subtract(x1, x2), Twice<TOps, TV>(x3)));
        y.Set(2, TOps.Add(TOps.Add(TOps.Add(x1, x2), TOps.Multiply(TOps.Broadcast(4f), x3)), x4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void A<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2);
        TV outer = TOps.Add(x0, x2);
        y.Set(0, x0);
        y.Set(1, TOps.Add(outer, x1));
        y.Set(2, TOps.Subtract(outer, x1));
        y.Set(3, TOps.Add(TOps.Add(x0, Twice<TOps, TV>(x1)), TOps.Multiply(TOps.Broadcast(4f), x2)));
        y.Set(4, x2);
    }
}

/// <summary>
/// F(4×4, 3×3), interpolation points 0, 1, −1, 2, −2, ∞ (Lavin and Gray's matrices, checked exactly in the tests):
/// <code>
/// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
/// G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
/// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
/// </code>
/// 36 multiplies per 16 outputs (4× fewer than direct, F(2×2)'s 2.25×, F(3×3)'s 3.24×), at the price of values scaled
/// by up to 8 and 1/24 on the way: a few more bits of rounding than F(3×3) (bounded in the tests).
/// </summary>
internal readonly unsafe struct F4Tiles : IWinogradTiles
{
    public static int Out => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4), x5 = x.Get(5);
        TV four = TOps.Broadcast(4f), minusFour = TOps.Broadcast(-4f), minusFive = TOps.Broadcast(-5f), two = TOps.Broadcast(2f);
        TV odd = TOps.Add(x1, x2), even = TOps.Subtract(x1, x2);       // for rows 1, 2
        TV outer = TOps.Subtract(x4, x2), inner = TOps.Subtract(x3, x1); // for rows 3, 4
        y.Set(0, TOps.MultiplyAdd(four, x0, TOps.MultiplyAdd(minusFive, x2, x4)));
        y.Set(1, TOps.MultiplyAdd(minusFour, odd, TOps.Add(x3, x4)));
        y.Set(2, TOps.MultiplyAdd(four, even, TOps.Subtract(x4, x3)));
        y.Set(3, TOps.MultiplyAdd(two, inner, outer));
        y.Set(4, TOps.MultiplyAdd(TOps.Broadcast(-2f), inner, outer));
        y.Set(5, TOps.MultiplyAdd(four, x1, TOps.MultiplyAdd(minusFive, x3, x5)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void B<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4), x5 = x.Get(5);
        TV four = TOps.Broadcast(4f), minusFour = TOps.Broadcast(-4f), two = TOps.Broadcast(2f), minusFive = TOps.Broadcast(-5f);
        y.Set(0, TOps.Multiply(four, x0));
        // −4x1 + 4x2 − 2x3 + 2x4 + 4x5
        y.Set(1, TOps.MultiplyAdd(four, TOps.Add(TOps.Subtract(x2, x1), x5), TOps.Multiply(two, TOps.Subtract(x4, x3))));
        // −5x0 − 4x1 − 4x2 − x3 − x4
        y.Set(2, TOps.MultiplyAdd(minusFive, x0, TOps.MultiplyAdd(minusFour, TOps.Add(x1, x2), TOps.Subtract(TOps.Broadcast(0f), TOps.Add(x3, x4)))));
        // x1 − x2 + 2x3 − 2x4 − 5x5
        y.Set(3, TOps.MultiplyAdd(two, TOps.Subtract(x3, x4), TOps.MultiplyAdd(minusFive, x5, TOps.Subtract(x1, x2))));
        y.Set(4, TOps.Add(TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3)), x4));
        y.Set(5, x5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void G<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2);
        TV sixth = TOps.Broadcast(1f / 6f), minusSixth = TOps.Broadcast(-1f / 6f);
        TV outer = TOps.Add(x0, x2);
        // (x0/4 + x2) / 6 ± x1 / 12: rows 3 and 4
        TV even = TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.25f), x0, x2)), odd = TOps.Multiply(TOps.Broadcast(1f / 12f), x1);
        y.Set(0, TOps.Multiply(TOps.Broadcast(0.25f), x0));
        y.Set(1, TOps.Multiply(minusSixth, TOps.Add(outer, x1)));
        y.Set(2, TOps.Multiply(minusSixth, TOps.Subtract(outer, x1)));
        y.Set(3, TOps.Add(even, odd));
        y.Set(4, TOps.Subtract(even, odd));
        y.Set(5, x2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gt<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4), x5 = x.Get(5);
        TV sixth = TOps.Broadcast(1f / 6f);
        TV sum12 = TOps.Add(x1, x2), sum34 = TOps.Add(x3, x4);
        // x0/4 − (x1 + x2)/6 + (x3 + x4)/24
        y.Set(0, TOps.MultiplyAdd(TOps.Broadcast(0.25f), x0, TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.25f), sum34, TOps.Subtract(TOps.Broadcast(0f), sum12)))));
        // (x2 − x1)/6 + (x3 − x4)/12
        y.Set(1, TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.5f), TOps.Subtract(x3, x4), TOps.Subtract(x2, x1))));
        // (x3 + x4 − x1 − x2)/6 + x5
        y.Set(2, TOps.MultiplyAdd(sixth, TOps.Subtract(sum34, sum12), x5));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void At<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3), x4 = x.Get(4), x5 = x.Get(5);
        TV sum12 = TOps.Add(x1, x2), difference12 = TOps.Subtract(x1, x2), sum34 = TOps.Add(x3, x4), difference34 = TOps.Subtract(x3, x4);
        y.Set(0, TOps.Add(TOps.Add(x0, sum12), sum34));
        y.Set(1, TOps.MultiplyAdd(TOps.Broadcast(2f), difference34, difference12));
        y.Set(2, TOps.MultiplyAdd(TOps.Broadcast(4f), sum34, sum12));
        y.Set(3, TOps.Add(TOps.MultiplyAdd(TOps.Broadcast(8f), difference34, difference12), x5));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void A<TOps, TV, TIn, TOut>(TIn x, TOut y) where TOps : struct, ISimd<TV> where TV : unmanaged where TIn : struct, IWinogradSource<TV> where TOut : struct, IWinogradSink<TV>
    {
        TV x0 = x.Get(0), x1 = x.Get(1), x2 = x.Get(2), x3 = x.Get(3);
        TV even = TOps.Add(x0, x2), odd = TOps.Add(x1, x3);
        TV evenFar = TOps.MultiplyAdd(TOps.Broadcast(4f), x2, x0), oddFar = TOps.MultiplyAdd(TOps.Broadcast(8f), x3, TOps.Add(x1, x1));
        y.Set(0, x0);
        y.Set(1, TOps.Add(even, odd));
        y.Set(2, TOps.Subtract(even, odd));
        y.Set(3, TOps.Add(evenFar, oddFar));
        y.Set(4, TOps.Subtract(evenFar, oddFar));
        y.Set(5, x3);
    }
}

/// <summary>Where a 1-D transform reads value i.</summary>
internal interface IWinogradSource<TV> where TV : unmanaged
{
    TV Get(int i);
}

/// <summary>Where a 1-D transform writes value i.</summary>
internal interface IWinogradSink<TV> where TV : unmanaged
{
    void Set(int i, TV value);
}

/// <summary>Registers of a scratch tile, <paramref name="stride"/> apart: between a 2-D transform's two passes.</summary>
internal readonly unsafe struct TileRegisters<TV>(TV* at, nint stride) : IWinogradSource<TV>, IWinogradSink<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Get(int i) => at[i * stride];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, TV value) => at[i * stride] = value;
}

/// <summary>Floats in memory, <paramref name="stride"/> apart, a register's width at each: pixels, taps or positions.</summary>
internal readonly unsafe struct TileFloats<TOps, TV>(float* at, nint stride) : IWinogradSource<TV>, IWinogradSink<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Get(int i) => TOps.Load(at + i * stride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, TV value) => TOps.Store(at + i * stride, value);
}

/// <summary>
/// An output gradient read through ReLU's derivative: each value where the layer's output (at the same offsets) is
/// positive, zero where it is not — as Keras differentiates ReLU.
/// </summary>
internal readonly unsafe struct ReluGradientFloats<TOps, TV>(float* gradient, float* output, nint stride) : IWinogradSource<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Get(int i) =>
        TOps.Select(TOps.GreaterThan(TOps.Load(output + i * stride), TOps.Broadcast(0f)), TOps.Load(gradient + i * stride), TOps.Broadcast(0f));
}

/// <summary>Floats in memory that each result is added to: the gradients, summed over tiles.</summary>
internal readonly unsafe struct TileAccumulator<TOps, TV>(float* at, nint stride) : IWinogradSink<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, TV value) => TOps.Store(at + i * stride, TOps.Add(TOps.Load(at + i * stride), value));
}

/// <summary>Output pixels: each result plus the bias, through ReLU when asked, stored.</summary>
internal readonly unsafe struct TileOutput<TOps, TV>(float* at, nint stride, TV bias, bool relu) : IWinogradSink<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, TV value) => TOps.Store(at + i * stride, Pixel(value, bias, relu));

    /// <summary>An output pixel from its transformed value: plus the bias, through ReLU when asked (the pooled transform's too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pixel(TV value, TV bias, bool relu)
    {
        TV biased = TOps.Add(value, bias);
        return relu ? TOps.Relu(biased) : biased;
    }
}

/// <summary>
/// The pixels of a tile at (y0, x0) that lie inside an image: rows [RowFirst, RowLast) and columns [ColumnFirst,
/// ColumnLast) of the tile, for a border tile read or written in place instead of through a scratch copy.
/// </summary>
internal readonly record struct TileWindow(int RowFirst, int RowLast, int ColumnFirst, int ColumnLast)
{
    public static TileWindow Of(int y0, int x0, int size, int height, int width) =>
        new(Math.Max(0, -y0), Math.Min(size, height - y0), Math.Max(0, -x0), Math.Min(size, width - x0));

    /// <summary>The columns of tile row <paramref name="i"/> inside the image: none where the row is outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int First, int Last) Columns(int i) => i >= RowFirst && i < RowLast ? (ColumnFirst, ColumnLast) : (0, 0);
}

/// <summary>Floats in memory as <see cref="TileFloats{TOps, TV}"/>, read only at indices [first, last): zero elsewhere (past the image).</summary>
internal readonly unsafe struct ClippedFloats<TOps, TV>(float* at, nint stride, (int First, int Last) inside) : IWinogradSource<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Get(int i) => (uint)(i - inside.First) < (uint)(inside.Last - inside.First) ? TOps.Load(at + i * stride) : TOps.Broadcast(0f);
}

/// <summary>As <see cref="TileAccumulator{TOps, TV}"/>, adding only at indices [first, last): the rest fall outside the image.</summary>
internal readonly unsafe struct ClippedAccumulator<TOps, TV>(float* at, nint stride, (int First, int Last) inside) : IWinogradSink<TV>
    where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, TV value)
    {
        if ((uint)(i - inside.First) < (uint)(inside.Last - inside.First))
            TOps.Store(at + i * stride, TOps.Add(TOps.Load(at + i * stride), value));
    }
}
