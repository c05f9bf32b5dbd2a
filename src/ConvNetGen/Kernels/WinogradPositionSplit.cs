namespace ConvNetGen.Kernels;

/// <summary>
/// Shares a block's per-position products (<c>M[p] = V[p] · U[p]</c>, 16 or 25 independent GEMMs) between the threads
/// of the worker team in a single sample's inference, where the batch gives nothing to split and each product is too
/// small to split by rows. Each position's product is computed whole by one thread, as it would be on the calling
/// thread alone, so the results are bit-identical whether the team was free or not.
/// </summary>
internal sealed unsafe class WinogradPositionSplit
{
    /// <summary>
    /// Blocks smaller than this many multiply-adds are not worth waking a second thread for (≈ 10–20 µs of work).
    /// The hand-off and the operands that cross to the other core cost more than the half saved below it: on the Intel
    /// Xeon of 2026-12-03 the reference model's conv2d_1 products (819 K) and conv2d_2 (663 K) ran slower split than whole
    /// at batch 1, and lifting this from 512 K took its two-thread Predict from 63 to 45 µs.
    /// </summary>
    private const long MinMultiplyAdds = 1024 * 1024;

    /// <summary>
    /// … unless U is this large (128 K floats, 512 KB): then the products stream it (a single tile's products are 1 × IC
    /// times IC × OC each: the reference model's conv2d_2, 25 × 64 × 128, 819 KB for 205 K multiply-adds), and each
    /// thread reading its positions' half, kept in its own core's L2 from call to call, finishes sooner (as
    /// <see cref="GemmRowSplit"/>'s streamed B).
    /// </summary>
    private const long MinStreamedU = 128 * 1024;

    [ThreadStatic] private static WinogradPositionSplit? t_instance;

    private readonly Action<int> _body;
    private float* _v, _u, _m;
    private nint _vPlane, _uPlane, _mPlane;
    private int _positions, _parts, _tiles, _ic, _oc, _width;
    private bool _packed;

    private WinogradPositionSplit() => _body = RunPart;

    /// <summary>Runs the products split when the calling thread allows it (<see cref="GemmRowSplit.Threads"/>), they are large enough and the team is free; false otherwise (nothing done).</summary>
    public static bool TryRun(int width, float* v, float* u, float* m, int positions, int tiles, int ic, int oc, bool packed)
    {
        int threads = GemmRowSplit.Threads;
        if (threads < 2 || ((long)positions * tiles * ic * oc < MinMultiplyAdds && (long)positions * ic * oc < MinStreamedU)) return false;
        int parts = Math.Min(threads, positions);
        var split = t_instance ??= new WinogradPositionSplit();
        split._v = v; split._u = u; split._m = m;
        split._vPlane = Winograd.Plane(tiles, ic); split._uPlane = Winograd.Plane(ic, oc); split._mPlane = Winograd.Plane(tiles, oc);
        split._positions = positions; split._parts = parts; split._tiles = tiles; split._ic = ic; split._oc = oc; split._width = width; split._packed = packed;
        if (!WorkerTeam.Shared(parts).TryRun(parts, split._body)) return false;
        t_splits++;
        return true;
    }

    /// <summary>How many blocks the calling thread has multiplied split (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    /// <summary>Positions part, part + parts, …: interleaved, so 25 positions on 2 threads share 13/12.</summary>
    private void RunPart(int part)
    {
        for (int p = part; p < _positions; p += _parts) Multiply(_width, _v, _u, _m, p, _vPlane, _uPlane, _mPlane, _tiles, _ic, _oc, _packed);
    }

    /// <summary>Position <paramref name="p"/>'s product on the given path, on the calling thread (U[p] packed for that path when <paramref name="packed"/>).</summary>
    public static void Multiply(int width, float* v, float* u, float* m, int p, nint vPlane, nint uPlane, nint mPlane, int tiles, int ic, int oc, bool packed) =>
        Gemm.RunOnWidth(width, v + p * vPlane, ic, 1, u + p * uPlane, oc, m + p * mPlane, tiles, oc, ic, null, accumulate: false, relu: false, packedB: packed);
}
