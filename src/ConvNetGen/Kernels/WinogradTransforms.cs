using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// One Winograd flavour F(Out × Out, 3 × 3) for a 3×3 kernel: its six 1-D transforms, each reading n values at stride
/// xs from x and writing at stride ys to y. <see cref="WinogradTileKernel{TOps, TV, TT}"/> composes them into the 2-D
/// transforms, specialised per flavour and register type by the JIT.
/// </summary>
internal unsafe interface IWinogradTiles
{
    /// <summary>The output tile's side; the input tile's is two more.</summary>
    static abstract int Out { get; }

    /// <summary>Bᵀ x (input tile → transformed).</summary>
    static abstract void Bt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;

    /// <summary>B x, the adjoint of <see cref="Bt"/>.</summary>
    static abstract void B<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;

    /// <summary>G x (3 kernel taps → transformed).</summary>
    static abstract void G<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;

    /// <summary>Gᵀ x, the adjoint of <see cref="G"/>.</summary>
    static abstract void Gt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;

    /// <summary>Aᵀ x (transformed → output tile).</summary>
    static abstract void At<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;

    /// <summary>A x, the adjoint of <see cref="At"/>.</summary>
    static abstract void A<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged;
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
    public static void Bt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs];
        y[0] = TOps.Add(TOps.Subtract(Twice<TOps, TV>(TOps.Subtract(x0, x2)), x1), x3);
        y[ys] = TOps.Subtract(TOps.Subtract(x3, x2), Twice<TOps, TV>(x1));
        y[2 * ys] = TOps.Add(TOps.Subtract(Twice<TOps, TV>(x1), TOps.Multiply(TOps.Broadcast(3f), x2)), x3);
        y[3 * ys] = TOps.Subtract(x3, x1);
        y[4 * ys] = TOps.Add(TOps.Subtract(Twice<TOps, TV>(TOps.Subtract(x1, x3)), x2), x4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void B<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs];
        y[0] = Twice<TOps, TV>(x0);
        y[ys] = TOps.Subtract(Twice<TOps, TV>(TOps.Add(TOps.Subtract(x2, x1), x4)), TOps.Add(x0, x3));
        y[2 * ys] = TOps.Subtract(TOps.Broadcast(0f), TOps.Add(TOps.Add(Twice<TOps, TV>(x0), x1), TOps.Add(TOps.Multiply(TOps.Broadcast(3f), x2), x4)));
        y[3 * ys] = TOps.Subtract(TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3)), Twice<TOps, TV>(x4));
        y[4 * ys] = x4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void G<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs];
        TV half = TOps.Broadcast(0.5f), sixth = TOps.Broadcast(1f / 6f);
        TV outer = TOps.Add(x0, x2);
        y[0] = TOps.Multiply(half, x0);
        y[ys] = TOps.Multiply(TOps.Broadcast(-0.5f), TOps.Add(outer, x1));
        y[2 * ys] = TOps.Multiply(sixth, TOps.Subtract(x1, outer));
        y[3 * ys] = TOps.Multiply(sixth, TOps.Add(TOps.Add(x0, Twice<TOps, TV>(x1)), TOps.Multiply(TOps.Broadcast(4f), x2)));
        y[4 * ys] = x2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs];
        TV half = TOps.Broadcast(0.5f), sixth = TOps.Broadcast(1f / 6f);
        y[0] = TOps.Add(TOps.Multiply(half, TOps.Subtract(x0, x1)), TOps.Multiply(sixth, TOps.Subtract(x3, x2)));
        y[ys] = TOps.Add(TOps.Multiply(TOps.Broadcast(-0.5f), x1), TOps.Multiply(sixth, TOps.Add(x2, Twice<TOps, TV>(x3))));
        y[2 * ys] = TOps.Add(TOps.Add(TOps.Multiply(TOps.Broadcast(-0.5f), x1), TOps.Multiply(sixth, TOps.Subtract(TOps.Multiply(TOps.Broadcast(4f), x3), x2))), x4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void At<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs];
        y[0] = TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3));
        y[ys] = TOps.Add(TOps.Subtract(x1, x2), Twice<TOps, TV>(x3));
        y[2 * ys] = TOps.Add(TOps.Add(TOps.Add(x1, x2), TOps.Multiply(TOps.Broadcast(4f), x3)), x4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void A<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs];
        TV outer = TOps.Add(x0, x2);
        y[0] = x0;
        y[ys] = TOps.Add(outer, x1);
        y[2 * ys] = TOps.Subtract(outer, x1);
        y[3 * ys] = TOps.Add(TOps.Add(x0, Twice<TOps, TV>(x1)), TOps.Multiply(TOps.Broadcast(4f), x2));
        y[4 * ys] = x2;
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
    public static void Bt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
        TV four = TOps.Broadcast(4f), minusFour = TOps.Broadcast(-4f), minusFive = TOps.Broadcast(-5f), two = TOps.Broadcast(2f);
        TV odd = TOps.Add(x1, x2), even = TOps.Subtract(x1, x2);       // for rows 1, 2
        TV outer = TOps.Subtract(x4, x2), inner = TOps.Subtract(x3, x1); // for rows 3, 4
        y[0] = TOps.MultiplyAdd(four, x0, TOps.MultiplyAdd(minusFive, x2, x4));
        y[ys] = TOps.MultiplyAdd(minusFour, odd, TOps.Add(x3, x4));
        y[2 * ys] = TOps.MultiplyAdd(four, even, TOps.Subtract(x4, x3));
        y[3 * ys] = TOps.MultiplyAdd(two, inner, outer);
        y[4 * ys] = TOps.MultiplyAdd(TOps.Broadcast(-2f), inner, outer);
        y[5 * ys] = TOps.MultiplyAdd(four, x1, TOps.MultiplyAdd(minusFive, x3, x5));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void B<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
        TV four = TOps.Broadcast(4f), minusFour = TOps.Broadcast(-4f), two = TOps.Broadcast(2f), minusFive = TOps.Broadcast(-5f);
        y[0] = TOps.Multiply(four, x0);
        // −4x1 + 4x2 − 2x3 + 2x4 + 4x5
        y[ys] = TOps.MultiplyAdd(four, TOps.Add(TOps.Subtract(x2, x1), x5), TOps.Multiply(two, TOps.Subtract(x4, x3)));
        // −5x0 − 4x1 − 4x2 − x3 − x4
        y[2 * ys] = TOps.MultiplyAdd(minusFive, x0, TOps.MultiplyAdd(minusFour, TOps.Add(x1, x2), TOps.Subtract(TOps.Broadcast(0f), TOps.Add(x3, x4))));
        // x1 − x2 + 2x3 − 2x4 − 5x5
        y[3 * ys] = TOps.MultiplyAdd(two, TOps.Subtract(x3, x4), TOps.MultiplyAdd(minusFive, x5, TOps.Subtract(x1, x2)));
        y[4 * ys] = TOps.Add(TOps.Add(TOps.Add(x0, x1), TOps.Add(x2, x3)), x4);
        y[5 * ys] = x5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void G<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs];
        TV sixth = TOps.Broadcast(1f / 6f), minusSixth = TOps.Broadcast(-1f / 6f);
        TV outer = TOps.Add(x0, x2);
        // (x0/4 + x2) / 6 ± x1 / 12: rows 3 and 4
        TV even = TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.25f), x0, x2)), odd = TOps.Multiply(TOps.Broadcast(1f / 12f), x1);
        y[0] = TOps.Multiply(TOps.Broadcast(0.25f), x0);
        y[ys] = TOps.Multiply(minusSixth, TOps.Add(outer, x1));
        y[2 * ys] = TOps.Multiply(minusSixth, TOps.Subtract(outer, x1));
        y[3 * ys] = TOps.Add(even, odd);
        y[4 * ys] = TOps.Subtract(even, odd);
        y[5 * ys] = x2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gt<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
        TV sixth = TOps.Broadcast(1f / 6f);
        TV sum12 = TOps.Add(x1, x2), sum34 = TOps.Add(x3, x4);
        // x0/4 − (x1 + x2)/6 + (x3 + x4)/24
        y[0] = TOps.MultiplyAdd(TOps.Broadcast(0.25f), x0, TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.25f), sum34, TOps.Subtract(TOps.Broadcast(0f), sum12))));
        // (x2 − x1)/6 + (x3 − x4)/12
        y[ys] = TOps.Multiply(sixth, TOps.MultiplyAdd(TOps.Broadcast(0.5f), TOps.Subtract(x3, x4), TOps.Subtract(x2, x1)));
        // (x3 + x4 − x1 − x2)/6 + x5
        y[2 * ys] = TOps.MultiplyAdd(sixth, TOps.Subtract(sum34, sum12), x5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void At<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
        TV sum12 = TOps.Add(x1, x2), difference12 = TOps.Subtract(x1, x2), sum34 = TOps.Add(x3, x4), difference34 = TOps.Subtract(x3, x4);
        y[0] = TOps.Add(TOps.Add(x0, sum12), sum34);
        y[ys] = TOps.MultiplyAdd(TOps.Broadcast(2f), difference34, difference12);
        y[2 * ys] = TOps.MultiplyAdd(TOps.Broadcast(4f), sum34, sum12);
        y[3 * ys] = TOps.Add(TOps.MultiplyAdd(TOps.Broadcast(8f), difference34, difference12), x5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void A<TOps, TV>(TV* x, nint xs, TV* y, nint ys) where TOps : struct, ISimd<TV> where TV : unmanaged
    {
        TV x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs];
        TV even = TOps.Add(x0, x2), odd = TOps.Add(x1, x3);
        TV evenFar = TOps.MultiplyAdd(TOps.Broadcast(4f), x2, x0), oddFar = TOps.MultiplyAdd(TOps.Broadcast(8f), x3, TOps.Add(x1, x1));
        y[0] = x0;
        y[ys] = TOps.Add(even, odd);
        y[2 * ys] = TOps.Subtract(even, odd);
        y[3 * ys] = TOps.Add(evenFar, oddFar);
        y[4 * ys] = TOps.Subtract(evenFar, oddFar);
        y[5 * ys] = x3;
    }
}
