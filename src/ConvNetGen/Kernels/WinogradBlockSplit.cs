namespace ConvNetGen.Kernels;

/// <summary>
/// A Winograd block of a single sample's inference with a small transformed kernel, shared by tiles between the threads
/// of the worker team in one hand-off: each thread transforms its tiles' input, multiplies their rows at every position
/// and transforms their output, so neither V nor M crosses between the cores. The first thread keeps its rows in the
/// caller's V and M; each other thread in its own copy of them (the same layout), since two cores writing the rows of
/// one plane on either side of the cut ran the input transform of the reference model's conv2d_1 in 2.7–3.0 µs against
/// 0.7 with a copy each (Zen 4, 2026-12-04: neighbouring lines of one core's writes drawn into the other's cache).
/// Threads start at multiples of the GEMM's six-row tile, so every row is computed by the same tile as on one thread
/// (a smaller tile interleaves its steps of k, which rounds differently): the results are bit-identical to the three
/// calls made on one thread, which is also what runs when the block is not worth sharing or the team is busy.
/// </summary>
internal sealed unsafe class WinogradBlockSplit
{
    /// <summary>
    /// Transformed kernels up to this many floats (64 K, 256 KB) are read whole by every thread, each core keeping a copy
    /// in its L2; a larger one is better shared by positions (<see cref="WinogradPositionSplit"/>), each thread reading its half.
    /// </summary>
    private const long MaxKernelFloats = 64 * 1024;

    /// <summary>Blocks with fewer multiply-adds than this run on the calling thread (the reference model's conv2d_1 has 819 K).</summary>
    private const long MinMultiplyAdds = 128 * 1024;

    /// <summary>At least one whole six-row tile a thread.</summary>
    private const int MinTilesPerPart = Gemm.TileRows;

    [ThreadStatic] private static WinogradBlockSplit? t_instance;

    // A worker's own V and M for the tiles it takes.
    [ThreadStatic] private static AlignedFloats t_v, t_m;

    /// <summary>How many blocks the calling thread has run shared with the team (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    /// <summary>Turns the split off process-wide, for the benchmarks' A/B runs (predict-loop --ab transforms).</summary>
    internal static bool Disabled;

    private readonly Action<int> _body;
    private WinogradFlavour _flavour;
    private WinogradShape _input, _output;
    private float* _x, _v, _u, _m, _bias, _o;
    private int _width, _first, _count, _parts, _positions, _ic, _oc;
    private bool _packed, _relu, _pooled;

    private WinogradBlockSplit() => _body = RunPart;

    /// <summary>Whether the calling thread would share a block of these sizes (it is a single image's inference on two or more threads).</summary>
    public static bool Wanted(int positions, int tiles, int inputChannels, int filters) =>
        GemmRowSplit.Threads >= 2 && !Disabled && tiles >= 2 * MinTilesPerPart
        && (long)positions * inputChannels * filters <= MaxKernelFloats
        && (long)positions * tiles * inputChannels * filters >= MinMultiplyAdds;

    /// <summary>
    /// The block of tiles [<paramref name="first"/>, + <paramref name="count"/>) shared with the team; false when the
    /// team is busy (nothing done). Arguments as the three steps take them, already checked: <paramref name="output"/>
    /// is the output's shape for F(3×3) and F(4×4) (their outputs are the batch's NHWC; F(2×2)'s is the block's own).
    /// </summary>
    public static bool TryRun(int width, WinogradFlavour flavour, WinogradShape input, WinogradShape output, float* x, float* v, float* u, bool packed,
                              float* m, float* bias, bool relu, float* o, bool pooled, int positions, int filters, int first, int count)
    {
        int parts = Math.Min(GemmRowSplit.Threads, count / MinTilesPerPart);
        if (parts < 2) return false;
        var split = t_instance ??= new WinogradBlockSplit();
        split._width = width; split._flavour = flavour; split._input = input; split._output = output;
        split._x = x; split._v = v; split._u = u; split._packed = packed; split._m = m; split._bias = bias; split._relu = relu; split._o = o; split._pooled = pooled;
        split._positions = positions; split._ic = input.InputChannels; split._oc = filters; split._first = first; split._count = count; split._parts = parts;
        if (!WorkerTeam.Shared(parts).TryRun(parts, split._body)) return false;
        t_splits++;
        return true;
    }

    /// <summary>The checks the three steps make of their spans, made once for a block about to be shared (throws as they would).</summary>
    public static void Require(string caller, int positions, int inputLength, long inputNeeded, int transformedLength, int kernelLength, int productsLength,
                               int outputLength, long outputNeeded, int biasLength, int tiles, int inputChannels, int filters, int kernelPanels)
    {
        WinogradShape.Require(caller, "input", inputLength, inputNeeded);
        WinogradShape.Require(caller, "transformed input", transformedLength, (long)positions * Winograd.Plane(tiles, inputChannels));
        WinogradShape.Require(caller, "transformed kernel", kernelLength, (long)positions * Winograd.Plane(inputChannels, filters));
        WinogradShape.Require(caller, "products", productsLength, (long)positions * Winograd.Plane(tiles, filters));
        WinogradShape.Require(caller, "output", outputLength, outputNeeded);
        if (biasLength != 0 && biasLength != filters)
            throw new ArgumentException($"{caller}: {filters} filters with a bias of {biasLength} (needs {filters} or none).");
        Gemm.RequirePanels(caller, "U", kernelPanels, Gemm.ActiveWidth, nameof(kernelPanels));
    }

    /// <summary>Where part <paramref name="part"/> starts: the multiple of six rows nearest its share.</summary>
    internal static int Cut(int count, int part, int parts) =>
        part >= parts ? count : Math.Min(count, (int)Math.Round((double)count * part / parts / Gemm.TileRows) * Gemm.TileRows);

    private void RunPart(int part)
    {
        int from = Cut(_count, part, _parts), to = Cut(_count, part + 1, _parts);
        if (from >= to) return;
        nint vPlane = Winograd.Plane(_count, _ic), mPlane = Winograd.Plane(_count, _oc), uPlane = Winograd.Plane(_ic, _oc);
        float* v = part == 0 ? _v : AlignedFloats.AtLeast(ref t_v, (int)(_positions * vPlane));
        float* m = part == 0 ? _m : AlignedFloats.AtLeast(ref t_m, (int)(_positions * mPlane));
        WinogradTransformSplit.Input(_width, _flavour, _input, _x, v, _first, _count, _first + from, _first + to);
        for (int p = 0; p < _positions; p++)
            Gemm.RunOnWidth(_width, v + p * vPlane + (nint)from * _ic, _ic, 1, _u + p * uPlane, _oc, m + p * mPlane + (nint)from * _oc,
                            to - from, _oc, _ic, null, accumulate: false, relu: false, packedB: _packed);
        // F(2×2)'s output is the block's own (its tiles [0, count)); the others' the batch's.
        int offset = _flavour == WinogradFlavour.F2x2 ? 0 : _first;
        if (_pooled) WinogradTransformSplit.OutputPooled(_width, _flavour, _output, _oc, m, _bias, _relu, _o, offset, _count, offset + from, offset + to);
        else WinogradTransformSplit.Output(_width, _flavour, _output, _oc, m, _bias, _relu, _o, offset, _count, offset + from, offset + to);
    }
}
