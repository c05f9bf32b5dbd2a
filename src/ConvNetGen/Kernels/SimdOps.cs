using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvNetGen.Kernels;

/// <summary>
/// The handful of vector operations the GEMM micro-kernel needs, implemented once per register width. The kernel is
/// generic over a struct implementing this, so the JIT compiles one specialised copy per width with every call inlined.
/// </summary>
/// <typeparam name="TV">The register type: <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>, <see cref="Vector128{T}"/> or float.</typeparam>
internal unsafe interface ISimd<TV> where TV : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Width { get; }
    /// <summary>Registers of columns in the widest micro-kernel (4 with 32 registers, 2 with 16).</summary>
    static abstract int Columns { get; }
    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV value);
    /// <summary>The mask of the first <paramref name="count"/> lanes (where the width needs one).</summary>
    static abstract TV TailMask(int count);
    /// <summary>Loads the first <paramref name="count"/> (1 ≤ count &lt; Width) floats, zeros elsewhere; never reads past them.</summary>
    static abstract TV LoadTail(float* p, int count, TV mask);
    /// <summary>Stores the first <paramref name="count"/> lanes; never writes past them.</summary>
    static abstract void StoreTail(float* p, TV value, int count, TV mask);
    static abstract TV Broadcast(float value);
    /// <summary><c>a·b + c</c>, fused where the hardware fuses.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    /// <summary><c>x &lt; 0 ? 0 : x</c>, so NaN stays NaN.</summary>
    static abstract TV Relu(TV value);
    /// <summary>Lanes where <c>a &gt; b</c> are all ones, the others zero.</summary>
    static abstract TV GreaterThan(TV a, TV b);
    /// <summary>Lanes where <c>a == b</c> are all ones, the others zero.</summary>
    static abstract TV Equal(TV a, TV b);
    /// <summary><c>mask ? a : b</c> lane by lane, for a mask from <see cref="GreaterThan"/> or <see cref="Equal"/>.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
}

/// <summary>Whether the machine has 32 SIMD registers (AVX-512 or ARM64), which decides the micro-kernel's width.</summary>
internal static class SimdRegisters
{
    public static bool Many
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Avx512F.VL.IsSupported || AdvSimd.Arm64.IsSupported;
    }
}

internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    public static int Columns => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> value) => value.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> TailMask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadTail(float* p, int count, Vector512<float> mask) =>
        Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail(float* p, Vector512<float> value, int count, Vector512<float> mask) =>
        Avx512F.MaskStore(p, mask, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Relu(Vector512<float> value) =>
        Vector512.AndNot(value, Vector512.LessThan(value, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
}

internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    public static int Columns => SimdRegisters.Many ? 4 : 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> value) => value.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> TailMask(int count) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    // Vector256 is only accelerated on x86/x64 with AVX2, so AVX's masked moves are there (and do not fault).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadTail(float* p, int count, Vector256<float> mask) => Avx.MaskLoad(p, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail(float* p, Vector256<float> value, int count, Vector256<float> mask) =>
        Avx.MaskStore(p, mask, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> value) =>
        Vector256.AndNot(value, Vector256.LessThan(value, Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
}

/// <summary>
/// 128-bit registers: SSE/AVX on x64, NEON on ARM64. Tails are moved lane by lane (portable, no masked moves), so
/// the code tested on x64 is the code ARM64 runs.
/// </summary>
internal readonly unsafe struct Simd128 : ISimd<Vector128<float>>
{
    public static int Width => Vector128<float>.Count;
    public static int Columns => SimdRegisters.Many ? 4 : 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector128<float> value) => value.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> TailMask(int count) => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadTail(float* p, int count, Vector128<float> mask) =>
        Vector128.Create(p[0], count > 1 ? p[1] : 0f, count > 2 ? p[2] : 0f, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail(float* p, Vector128<float> value, int count, Vector128<float> mask)
    {
        p[0] = value.GetElement(0);
        if (count > 1) p[1] = value.GetElement(1);
        if (count > 2) p[2] = value.GetElement(2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Relu(Vector128<float> value) =>
        Vector128.AndNot(value, Vector128.LessThan(value, Vector128<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Equal(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
}

/// <summary>One float per "register": the portable fallback, and the reference the vector paths are tested against.</summary>
internal readonly unsafe struct SimdScalar : ISimd<float>
{
    public static int Width => 1;
    public static int Columns => SimdRegisters.Many ? 4 : 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float value) => *p = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float TailMask(int count) => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadTail(float* p, int count, float mask) => *p; // never called: a width of 1 has no tails

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail(float* p, float value, int count, float mask) => *p = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float value) => value < 0f ? 0f : value;

    private static readonly float AllOnes = BitConverter.Int32BitsToSingle(-1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Equal(float a, float b) => a == b ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(float mask, float a, float b) => BitConverter.SingleToInt32Bits(mask) != 0 ? a : b;
}
