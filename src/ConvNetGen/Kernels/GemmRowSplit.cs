namespace ConvNetGen.Kernels;

/// <summary>
/// Shares one large product's rows between the threads of the worker team, for a single sample's inference, where
/// the batch gives nothing to split. The rows are cut at multiples of the micro-kernel's six-row tile, so every row
/// is computed by the same tile, in the same order, as without the split: the results are bit-identical, whether the
/// team was free or not.
/// </summary>
internal sealed unsafe class GemmRowSplit
{
    /// <summary>Products smaller than this many multiply-adds are not worth waking a second thread for (≈ 10 µs of work).</summary>
    private const long MinMultiplyAdds = 512 * 1024;

    private const int TileRows = 6;

    /// <summary>How many threads the calling thread's products may use (0 or 1: no split); set around one inference pass.</summary>
    [ThreadStatic] internal static int Threads;

    [ThreadStatic] private static GemmRowSplit? t_instance;

    private readonly Action<int> _body;
    private float* _a, _b, _c, _bias;
    private nint _ars, _acs, _ldb;
    private int _m, _n, _k, _rowsPerPart, _width;
    private bool _accumulate, _relu;

    private GemmRowSplit() => _body = RunPart;

    /// <summary>Runs the product split when the calling thread allows it, it is large enough and the team is free; false otherwise (nothing done).</summary>
    public static bool TryRun(int width, float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                              float* bias, bool accumulate, bool relu)
    {
        int threads = Threads;
        if (threads < 2 || m < 2 * TileRows || (long)m * n * k < MinMultiplyAdds) return false;
        int rowsPerPart = (m + threads - 1) / threads;
        rowsPerPart = (rowsPerPart + TileRows - 1) / TileRows * TileRows;
        int parts = (m + rowsPerPart - 1) / rowsPerPart;
        if (parts < 2) return false;
        var split = t_instance ??= new GemmRowSplit();
        split._a = a; split._ars = ars; split._acs = acs; split._b = b; split._ldb = ldb; split._c = c;
        split._m = m; split._n = n; split._k = k; split._bias = bias; split._accumulate = accumulate; split._relu = relu;
        split._rowsPerPart = rowsPerPart; split._width = width;
        if (!WorkerTeam.Shared(parts).TryRun(parts, split._body)) return false;
        t_splits++;
        return true;
    }

    /// <summary>How many products the calling thread has run split (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    private void RunPart(int part)
    {
        int first = part * _rowsPerPart, rows = Math.Min(_rowsPerPart, _m - first);
        if (rows <= 0) return;
        // The width is the caller's (a test may force a narrower one on its own thread), not the worker's default.
        Gemm.RunOnWidth(_width, _a + first * _ars, _ars, _acs, _b, _ldb, _c + (nint)first * _n, rows, _n, _k, _bias, _accumulate, _relu);
    }
}
