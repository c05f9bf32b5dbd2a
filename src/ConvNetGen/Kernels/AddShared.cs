using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// <c>output = a + b</c>, then ReLU when asked (an Add with the ReLU after it folded in at inference): on the caller's
/// SIMD path, and for a large single image shared with the worker team by contiguous ranges. Each sum is one IEEE
/// addition and ReLU is <c>x &lt; 0 ? 0 : x</c> (NaN stays), so every width and every split gives the same bits as
/// <c>TensorPrimitives.Add</c> and a separate ReLU layer.
/// </summary>
/// <remarks>For generated code; not a stable API. Thread-safe: each thread keeps its own split.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class AddShared
{
    /// <summary>Values below which one thread does it all: handing over costs more than half of it.</summary>
    private const int MinShared = 64 * 1024;

    [ThreadStatic] private static AddShared? t_split;

    /// <summary>How many sums the calling thread has run shared with the team (for tests).</summary>
    [ThreadStatic] internal static long t_splits;

    private readonly Action<int> _body;
    private float* _a, _b, _output;
    private int _count, _parts, _width;
    private bool _relu;

    private AddShared() => _body = RunPart;

    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Forward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, bool relu)
    {
        if (a.Length != b.Length || output.Length != a.Length)
            throw new ArgumentException($"AddShared: inputs of {a.Length} and {b.Length} values into {output.Length}.");
        if (a.IsEmpty) return;
        var split = t_split ??= new AddShared();
        fixed (float* pa = a, pb = b, po = output)
        {
            split._a = pa; split._b = pb; split._output = po; split._count = a.Length; split._relu = relu; split._width = Gemm.ActiveWidth;
            split._parts = a.Length >= MinShared ? GemmRowSplit.Threads : 1;
            if (WorkerTeam.RunInParts(ref split._parts, split._body)) t_splits++;
        }
    }

    /// <summary>Part <paramref name="part"/>: a contiguous range, cut at multiples of 64 values (whole registers on every path).</summary>
    private void RunPart(int part)
    {
        int blocks = (_count + 63) / 64;
        int from = (int)Math.Min(_count, (long)blocks * part / _parts * 64), to = (int)Math.Min(_count, (long)blocks * (part + 1) / _parts * 64);
        switch (_width)
        {
            case 512: AddKernel<Simd512, Vector512<float>>.Run(_a, _b, _output, from, to, _relu); break;
            case 256: AddKernel<Simd256, Vector256<float>>.Run(_a, _b, _output, from, to, _relu); break;
            case 128: AddKernel<Simd128, Vector128<float>>.Run(_a, _b, _output, from, to, _relu); break;
            default: AddKernel<SimdScalar, float>.Run(_a, _b, _output, from, to, _relu); break;
        }
    }
}

internal static unsafe class AddKernel<TOps, TV> where TOps : struct, ISimd<TV> where TV : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, float* output, int from, int to, bool relu)
    {
        int i = from, width = TOps.Width;
        if (relu)
            for (; i + width <= to; i += width) TOps.Store(output + i, TOps.Relu(TOps.Add(TOps.Load(a + i), TOps.Load(b + i))));
        else
            for (; i + width <= to; i += width) TOps.Store(output + i, TOps.Add(TOps.Load(a + i), TOps.Load(b + i)));
        for (; i < to; i++)
        {
            float sum = a[i] + b[i];
            output[i] = relu && sum < 0f ? 0f : sum;
        }
    }
}
