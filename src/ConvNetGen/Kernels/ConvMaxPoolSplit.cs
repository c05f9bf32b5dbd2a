using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Shares a fused conv + max pooling (<see cref="ConvMaxPool.Forward"/>) between the threads of the worker team in a
/// single sample's inference, by contiguous pooled rows: each pooled value is computed whole by one thread, as on
/// one thread, so the results are bit-identical whether the team was free or not. The rows a thread writes are
/// mostly the ones the next layer's tiles on that thread read (<see cref="WinogradBlockSplit"/> gives the first thread
/// the first tiles), so little crosses between the cores.
/// </summary>
internal sealed unsafe class ConvMaxPoolSplit
{
    /// <summary>
    /// Below this many multiply-adds one thread does it all. The reference model's first conv (195 K: 13 × 13 pooled
    /// pixels × 4 × 9 taps × 32 filters) took 4.6 µs whole on the Zen 4 of 2026-12-04, where an empty hand-off costs 0.2.
    /// </summary>
    private const long MinMultiplyAdds = 96 * 1024;

    [ThreadStatic] private static ConvMaxPoolSplit? t_instance;

    /// <summary>How many passes the calling thread has run shared with the team (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    private readonly Action<int> _body;
    private ConvPoolShape _shape;
    private float* _input, _kernel, _bias, _pooled, _winners;
    private int _rows, _parts, _width;
    private bool _relu;

    private ConvMaxPoolSplit() => _body = RunPart;

    /// <summary>Every pooled row of the batch, shared with the team when the calling thread allows it and it pays.</summary>
    public static void Forward(int width, ConvPoolShape s, float* input, float* kernel, float* bias, bool relu, float* pooled, float* winners)
    {
        int rows = s.Batch * s.PooledHeight;
        long multiplyAdds = (long)rows * s.PooledWidth * 4 * s.Taps * s.Filters;
        var split = t_instance ??= new ConvMaxPoolSplit();
        split._width = width; split._shape = s; split._input = input; split._kernel = kernel; split._bias = bias; split._relu = relu;
        split._pooled = pooled; split._winners = winners; split._rows = rows;
        split._parts = multiplyAdds >= MinMultiplyAdds ? Math.Min(GemmRowSplit.Threads, rows) : 1;
        if (WorkerTeam.RunInParts(ref split._parts, split._body)) t_splits++;
    }

    /// <summary>Rows [rows·part/parts, rows·(part + 1)/parts).</summary>
    private void RunPart(int part)
    {
        int from = (int)((long)_rows * part / _parts), to = (int)((long)_rows * (part + 1) / _parts);
        switch (_width)
        {
            case 512: ConvMaxPoolKernel<Simd512, Vector512<float>>.Forward(_shape, _input, _kernel, _bias, _relu, _pooled, _winners, from, to); break;
            case 256: ConvMaxPoolKernel<Simd256, Vector256<float>>.Forward(_shape, _input, _kernel, _bias, _relu, _pooled, _winners, from, to); break;
            case 128: ConvMaxPoolKernel<Simd128, Vector128<float>>.Forward(_shape, _input, _kernel, _bias, _relu, _pooled, _winners, from, to); break;
            default: ConvMaxPoolKernel<SimdScalar, float>.Forward(_shape, _input, _kernel, _bias, _relu, _pooled, _winners, from, to); break;
        }
    }
}
