using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Shares a block's input or output transform between the threads of the worker team in a single sample's inference,
/// as <see cref="WinogradPositionSplit"/> shares its products: the block's tiles are cut in contiguous parts, one per
/// thread, each tile transformed exactly as on one thread (into its own rows of V, or its own pixels of the output),
/// so the results are bit-identical whether the team was free or not. Elsewhere (training, batches the caller already
/// splits by samples, blocks too small to pay for waking a thread) the calling thread transforms the block alone.
/// </summary>
internal sealed unsafe class WinogradTransformSplit
{
    /// <summary>Blocks with fewer tile-channels than this are transformed on the calling thread (≈ 10 µs of work).</summary>
    private const int MinTileChannels = 2048;

    [ThreadStatic] private static WinogradTransformSplit? t_instance;

    /// <summary>Turns the split off process-wide, for the benchmarks' A/B runs (predict-loop --ab transforms).</summary>
    internal static bool Disabled;

    private readonly Action<int> _body;
    private WinogradShape _shape;
    private float* _source, _destination, _bias;
    private int _width, _first, _count, _parts, _filters;
    private WinogradFlavour _flavour;
    private bool _output, _relu, _pooled;

    private WinogradTransformSplit() => _body = RunPart;

    /// <summary>How many blocks the calling thread has transformed split (for tests: a busy team transforms them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    /// <summary>V for tiles [first, first + count) of any flavour.</summary>
    public static void InputTiles(int width, WinogradFlavour flavour, WinogradShape s, float* input, float* v, int first, int count)
    {
        if (TrySplit(width, flavour, output: false, s, input, v, null, false, 0, first, count, count * s.InputChannels)) return;
        Input(width, flavour, s, input, v, first, count, first, first + count);
    }

    /// <summary>
    /// The outputs of tiles [first, first + count): F(3×3)'s and F(4×4)'s into the NHWC output of the whole batch (shape
    /// <paramref name="s"/>), F(2×2)'s into the block's pool-ordered output (first 0, no shape).
    /// </summary>
    public static void OutputTiles(int width, WinogradFlavour flavour, WinogradShape s, int filters, float* m, float* bias, bool relu, float* output, int first, int count)
    {
        if (TrySplit(width, flavour, output: true, s, m, output, bias, relu, filters, first, count, count * filters)) return;
        Output(width, flavour, s, filters, m, bias, relu, output, first, count, first, first + count);
    }

    /// <summary>
    /// The outputs of tiles [first, first + count), each 2×2 window pooled to its maximum: F(4×4)'s into the NHWC output
    /// of a 2×2 max pooling (shape <paramref name="s"/>), F(2×2)'s — a tile a window — into the block's pooled rows
    /// (first 0, no shape).
    /// </summary>
    public static void OutputPooledTiles(int width, WinogradFlavour flavour, WinogradShape s, int filters, float* m, float* bias, bool relu, float* pooled, int first, int count)
    {
        if (TrySplit(width, flavour, output: true, s, m, pooled, bias, relu, filters, first, count, count * filters, pooledOutput: true)) return;
        OutputPooled(width, flavour, s, filters, m, bias, relu, pooled, first, count, first, first + count);
    }

    private static bool TrySplit(int width, WinogradFlavour flavour, bool output, WinogradShape s, float* source, float* destination, float* bias, bool relu,
                                 int filters, int first, int count, int tileChannels, bool pooledOutput = false)
    {
        int threads = GemmRowSplit.Threads;
        if (threads < 2 || tileChannels < MinTileChannels || Disabled) return false;
        int parts = Math.Min(threads, count);
        var split = t_instance ??= new WinogradTransformSplit();
        split._width = width; split._flavour = flavour; split._output = output; split._shape = s;
        split._source = source; split._destination = destination; split._bias = bias; split._relu = relu;
        split._filters = filters; split._first = first; split._count = count; split._parts = parts; split._pooled = pooledOutput;
        if (!WorkerTeam.Shared(parts).TryRun(parts, split._body)) return false;
        t_splits++;
        return true;
    }

    /// <summary>Tiles [first + count·part/parts, first + count·(part + 1)/parts): contiguous, so a thread's tiles share the rows it reads.</summary>
    private void RunPart(int part)
    {
        int from = _first + (int)((long)_count * part / _parts), to = _first + (int)((long)_count * (part + 1) / _parts);
        if (_pooled) OutputPooled(_width, _flavour, _shape, _filters, _source, _bias, _relu, _destination, _first, _count, from, to);
        else if (_output) Output(_width, _flavour, _shape, _filters, _source, _bias, _relu, _destination, _first, _count, from, to);
        else Input(_width, _flavour, _shape, _source, _destination, _first, _count, from, to);
    }

    internal static void Input(int width, WinogradFlavour flavour, WinogradShape s, float* x, float* v, int first, int count, int from, int to)
    {
        switch (flavour)
        {
            case WinogradFlavour.F3x3: Input<F3Tiles>(width, s, x, v, first, count, from, to); break;
            case WinogradFlavour.F4x4: Input<F4Tiles>(width, s, x, v, first, count, from, to); break;
            default:
                switch (width)
                {
                    case 512: WinogradKernel<Simd512, Vector512<float>>.TransformInput(s, x, v, first, count, from, to); break;
                    case 256: WinogradKernel<Simd256, Vector256<float>>.TransformInput(s, x, v, first, count, from, to); break;
                    case 128: WinogradKernel<Simd128, Vector128<float>>.TransformInput(s, x, v, first, count, from, to); break;
                    default: WinogradKernel<SimdScalar, float>.TransformInput(s, x, v, first, count, from, to); break;
                }
                break;
        }
    }

    private static void Input<TT>(int width, WinogradShape s, float* x, float* v, int first, int count, int from, int to) where TT : struct, IWinogradTiles
    {
        switch (width)
        {
            case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.TransformInput(s, x, v, first, count, from, to); break;
            case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.TransformInput(s, x, v, first, count, from, to); break;
            case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.TransformInput(s, x, v, first, count, from, to); break;
            default: WinogradTileKernel<SimdScalar, float, TT>.TransformInput(s, x, v, first, count, from, to); break;
        }
    }

    internal static void Output(int width, WinogradFlavour flavour, WinogradShape s, int oc, float* m, float* bias, bool relu, float* o, int first, int count, int from, int to)
    {
        switch (flavour)
        {
            case WinogradFlavour.F3x3: Output<F3Tiles>(width, s, oc, m, bias, relu, o, first, count, from, to); break;
            case WinogradFlavour.F4x4: Output<F4Tiles>(width, s, oc, m, bias, relu, o, first, count, from, to); break;
            default: // the block's output is already sliced: its tiles are [0, count)
                switch (width)
                {
                    case 512: WinogradKernel<Simd512, Vector512<float>>.TransformOutput(count, oc, m, bias, relu, o, from, to); break;
                    case 256: WinogradKernel<Simd256, Vector256<float>>.TransformOutput(count, oc, m, bias, relu, o, from, to); break;
                    case 128: WinogradKernel<Simd128, Vector128<float>>.TransformOutput(count, oc, m, bias, relu, o, from, to); break;
                    default: WinogradKernel<SimdScalar, float>.TransformOutput(count, oc, m, bias, relu, o, from, to); break;
                }
                break;
        }
    }

    internal static void OutputPooled(int width, WinogradFlavour flavour, WinogradShape s, int oc, float* m, float* bias, bool relu, float* pooled, int first, int count, int from, int to)
    {
        if (flavour == WinogradFlavour.F2x2) // the block's pooled rows are already sliced: its tiles are [0, count)
        {
            switch (width)
            {
                case 512: WinogradKernel<Simd512, Vector512<float>>.TransformOutputPooled(count, oc, m, bias, relu, pooled, from, to); break;
                case 256: WinogradKernel<Simd256, Vector256<float>>.TransformOutputPooled(count, oc, m, bias, relu, pooled, from, to); break;
                case 128: WinogradKernel<Simd128, Vector128<float>>.TransformOutputPooled(count, oc, m, bias, relu, pooled, from, to); break;
                default: WinogradKernel<SimdScalar, float>.TransformOutputPooled(count, oc, m, bias, relu, pooled, from, to); break;
            }
            return;
        }
        switch (width)
        {
            case 512: WinogradTileKernel<Simd512, Vector512<float>, F4Tiles>.TransformOutputPooled(s, oc, m, bias, relu, pooled, first, count, from, to); break;
            case 256: WinogradTileKernel<Simd256, Vector256<float>, F4Tiles>.TransformOutputPooled(s, oc, m, bias, relu, pooled, first, count, from, to); break;
            case 128: WinogradTileKernel<Simd128, Vector128<float>, F4Tiles>.TransformOutputPooled(s, oc, m, bias, relu, pooled, first, count, from, to); break;
            default: WinogradTileKernel<SimdScalar, float, F4Tiles>.TransformOutputPooled(s, oc, m, bias, relu, pooled, first, count, from, to); break;
        }
    }

    private static void Output<TT>(int width, WinogradShape s, int oc, float* m, float* bias, bool relu, float* o, int first, int count, int from, int to)
        where TT : struct, IWinogradTiles
    {
        switch (width)
        {
            case 512: WinogradTileKernel<Simd512, Vector512<float>, TT>.TransformOutput(s, oc, m, bias, relu, o, first, count, from, to); break;
            case 256: WinogradTileKernel<Simd256, Vector256<float>, TT>.TransformOutput(s, oc, m, bias, relu, o, first, count, from, to); break;
            case 128: WinogradTileKernel<Simd128, Vector128<float>, TT>.TransformOutput(s, oc, m, bias, relu, o, first, count, from, to); break;
            default: WinogradTileKernel<SimdScalar, float, TT>.TransformOutput(s, oc, m, bias, relu, o, first, count, from, to); break;
        }
    }
}
