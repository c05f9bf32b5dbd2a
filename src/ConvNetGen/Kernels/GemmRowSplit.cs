namespace ConvNetGen.Kernels;

/// <summary>
/// Shares one large product between the threads of the worker team, for a single sample's inference, where the batch
/// gives nothing to split. A product with more rows than columns is cut by rows, at multiples of the micro-kernel's
/// six-row tile; one with fewer (a deep layer of a single image: 49 rows, 512 columns, 4,608 steps of k) by columns,
/// at multiples of its panel, so each thread reads only its half of B, which there is most of the memory traffic.
/// Either way every element is computed by the same tile, in the same order, as without the split: the results are
/// bit-identical, whether the team was free or not.
/// </summary>
internal sealed unsafe class GemmRowSplit
{
    /// <summary>
    /// Products smaller than this many multiply-adds are not worth waking a second thread for (≈ 10–20 µs of work).
    /// The hand-off and the operands that cross to the other core cost more than the half saved below it: on the Intel
    /// Xeon of 2026-12-03 the reference model's conv2d_1 products (819 K) and conv2d_2 (663 K) ran slower split than whole
    /// at batch 1, and lifting this from 512 K took its two-thread Predict from 63 to 45 µs.
    /// </summary>
    private const long MinMultiplyAdds = 1024 * 1024;

    /// <summary>
    /// … unless B is this large (512 KB): then the product is bound by reading B (a dense layer on a single image:
    /// CIFAR's 2,048 × 128, one multiply-add per float), and two threads each reading half of it finish sooner.
    /// </summary>
    private const long MinStreamedB = 128 * 1024;

    /// <summary>How many threads the calling thread's products may use (0 or 1: no split); set around one inference pass.</summary>
    [ThreadStatic] internal static int Threads;

    [ThreadStatic] private static GemmRowSplit? t_instance;

    private readonly Action<int> _body;
    private float* _a, _b, _c, _bias;
    private nint _ars, _acs, _ldb;
    private int _m, _n, _k, _rowsPerPart, _columnsPerPart, _width;
    private bool _accumulate, _relu, _packedB;

    private GemmRowSplit() => _body = RunPart;

    /// <summary>
    /// Runs the product split when the calling thread allows it, it is large enough and the team is free; false
    /// otherwise (nothing done). <paramref name="packedB"/>: B is in the path's panels (<see cref="Gemm.PackPanels"/>).
    /// </summary>
    public static bool TryRun(int width, float* a, nint ars, nint acs, float* b, nint ldb, float* c, int m, int n, int k,
                              float* bias, bool accumulate, bool relu, bool packedB = false)
    {
        int threads = Threads;
        if (threads < 2 || ((long)m * n * k < MinMultiplyAdds && (long)k * n < MinStreamedB)) return false;
        int panel = Gemm.PanelColumns(width);
        int rowsPerPart = 0, columnsPerPart = 0, parts;
        if (n > m && n >= 2 * panel)
        {
            columnsPerPart = (n + threads - 1) / threads;
            columnsPerPart = (columnsPerPart + panel - 1) / panel * panel;
            parts = (n + columnsPerPart - 1) / columnsPerPart;
        }
        else
        {
            if (m < 2 * Gemm.TileRows) return false;
            rowsPerPart = (m + threads - 1) / threads;
            rowsPerPart = (rowsPerPart + Gemm.TileRows - 1) / Gemm.TileRows * Gemm.TileRows;
            parts = (m + rowsPerPart - 1) / rowsPerPart;
        }
        if (parts < 2) return false;
        var split = t_instance ??= new GemmRowSplit();
        split._a = a; split._ars = ars; split._acs = acs; split._b = b; split._ldb = ldb; split._c = c;
        split._m = m; split._n = n; split._k = k; split._bias = bias; split._accumulate = accumulate; split._relu = relu;
        split._rowsPerPart = rowsPerPart; split._columnsPerPart = columnsPerPart; split._width = width; split._packedB = packedB;
        if (!WorkerTeam.Shared(parts).TryRun(parts, split._body)) return false;
        t_splits++;
        return true;
    }

    /// <summary>How many products the calling thread has run split (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    private void RunPart(int part)
    {
        // The width is the caller's (a test may force a narrower one on its own thread), not the worker's default.
        if (_columnsPerPart > 0)
        {
            int j = part * _columnsPerPart, columns = Math.Min(_columnsPerPart, _n - j);
            if (columns <= 0) return;
            // A packed B's panels for columns [j, j + columns) start at j·k; C and the bias are offset by j, C's rows stay n apart.
            float* b = _packedB ? _b + (nint)j * _k : _b + j;
            Gemm.RunOnWidth(_width, _a, _ars, _acs, b, _ldb, _c + j, _m, columns, _k, _bias == null ? null : _bias + j, _accumulate, _relu, _packedB, ldc: _n);
            return;
        }
        int first = part * _rowsPerPart, rows = Math.Min(_rowsPerPart, _m - first);
        if (rows <= 0) return;
        Gemm.RunOnWidth(_width, _a + first * _ars, _ars, _acs, _b, _ldb, _c + (nint)first * _n, rows, _n, _k, _bias, _accumulate, _relu, _packedB);
    }
}
