using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>A conv's shape, as its im2col reads it: input, output, window, strides and the padding before the first row and column.</summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct ConvGeometry(int InputHeight, int InputWidth, int InputChannels, int OutputHeight, int OutputWidth,
                                           int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadTop, int PadLeft)
{
    /// <summary>Values in one im2col row: KH·KW·IC.</summary>
    public int Taps => KernelHeight * KernelWidth * InputChannels;
}

/// <summary>
/// Inference's im2col conv: the rows (one per output pixel) go in blocks, each block's patches written to a per-thread
/// scratch and multiplied at once, so they are read back from cache and never all held — ResNet18's stem at batch 1
/// would write and read 7.4 MB of patches through memory, at batch 32 236 MB. A single image's blocks are shared with
/// the worker team (each thread its own blocks and scratch), and a single block's product by rows or columns
/// (<see cref="GemmRowSplit"/>). The blocks hold whole six-row tiles and the product's
/// rows do not depend on each other, so the results are bit-identical to one im2col and one product of all the rows
/// (what training runs, since its backward reads the patches).
/// </summary>
/// <remarks>For generated code; not a stable API. Thread-safe: the scratch and the split state are per calling thread.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class Im2ColBlocks
{
    /// <summary>A block's patches (floats) aim at 256 KB, a quarter of a 1 MB L2 …</summary>
    private const int BlockFloats = 64 * 1024;

    /// <summary>… but hold at least this many rows, so a large kernel (4,608 × 512) is not read again for every few rows.</summary>
    private const int MinBlockRows = 96;

    /// <summary>A kernel every thread may read whole (64 KB: in each core's L2) when a single image's rows are shared.</summary>
    private const int SmallKernelFloats = 16 * 1024;

    [ThreadStatic] private static AlignedFloats t_patches;
    [ThreadStatic] private static Im2ColBlocks? t_split;

    /// <summary>How many convs the calling thread has run shared with the team (for tests: a busy team runs them whole).</summary>
    [ThreadStatic] internal static long t_splits;

    private readonly Action<int> _body;
    private float* _input, _kernel, _bias, _output;
    private ConvGeometry _g;
    private int _rows, _filters, _blockRows, _blocks, _parts, _width, _batch;
    private bool _packed, _relu;
    private readonly Action<int> _inPlaceBody;
    private readonly Action<int> _patchBody;
    private float* _patches;
    private int _patchRows, _patchParts;

    private Im2ColBlocks()
    {
        _body = RunPart;
        _inPlaceBody = RunRowsInPlacePart;
        _patchBody = WritePatchesPart;
    }

    /// <summary>
    /// A single block of at least this many rows (whole tiles for each of two threads) has its patches written by the
    /// team, half each, before the shared product: ResNet18's 7×7×512 convs (49 rows of 4,608 taps) spent 220 of their
    /// 1,560 µs writing 900 KB of patches on the calling thread while the other core waited.
    /// </summary>
    private const int MinSharedPatchRows = 4 * 6;

    /// <summary>
    /// <c>output[rows × filters] = activation(im2col(input) · kernel + bias)</c> for <paramref name="batch"/> samples,
    /// with the kernel (taps × filters) packed in panels of <paramref name="panelColumns"/> or row-major (0).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or the panels are not this thread's path's.</exception>
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> kernel, int panelColumns, ReadOnlySpan<float> bias,
                               Span<float> output, int batch, in ConvGeometry g, int filters, Activation activation)
    {
        int taps = g.Taps;
        long rows = (long)batch * g.OutputHeight * g.OutputWidth;
        if (input.Length < (long)batch * g.InputHeight * g.InputWidth * g.InputChannels || kernel.Length < (long)taps * filters
            || output.Length < rows * filters || (!bias.IsEmpty && bias.Length != filters))
            throw new ArgumentException($"Im2ColBlocks: spans too short for {batch} × {g} → {filters} filters (input {input.Length}, kernel {kernel.Length}, bias {bias.Length}, output {output.Length}).");
        int width = Gemm.ActiveWidth;
        Gemm.RequirePanels("Im2ColBlocks", "the kernel", panelColumns, width, nameof(panelColumns));
        if (rows == 0) return;

        int threads = GemmRowSplit.Threads;
        if (ReadsInPlace(g))
        {
            RowsInPlace(input, kernel, panelColumns, bias, output, batch, g, filters, activation, width, threads);
            return;
        }
        int blockRows = BlockRows(taps, filters, rows, threads);
        int blocks = (int)((rows + blockRows - 1) / blockRows);
        var split = t_split ??= new Im2ColBlocks();
        fixed (float* pi = input, pk = kernel, pb = bias, po = output)
        {
            split._input = pi; split._kernel = pk; split._bias = bias.IsEmpty ? null : pb; split._output = po;
            split._g = g; split._rows = (int)rows; split._filters = filters; split._blockRows = blockRows; split._blocks = blocks;
            split._width = width; split._packed = panelColumns != 0; split._relu = activation == Activation.ReLU;
            split._parts = Math.Min(threads, blocks);
            if (WorkerTeam.RunInParts(ref split._parts, split._body)) t_splits++;
        }
        if (activation is not (Activation.Linear or Activation.ReLU))
            Activations.Forward(activation, output.Slice(0, (int)rows * filters), filters);
    }

    /// <summary>The rows of a block for <paramref name="taps"/> values a row: whole six-row tiles.</summary>
    internal static int BlockRows(int taps) => Math.Max(MinBlockRows, BlockFloats / Math.Max(taps, 1)) / Gemm.TileRows * Gemm.TileRows;

    /// <summary>
    /// The rows of a block for <paramref name="rows"/> rows on <paramref name="threads"/> threads: <see cref="BlockRows(int)"/>,
    /// or fewer when that would leave a thread without a block and the kernel is small — a single image through a conv
    /// of few taps (CIFAR's first, 1,024 rows of 27) fits one block, which one thread would otherwise do alone. A large
    /// kernel keeps one block, whose product the threads share by columns (each reading only its part of the kernel).
    /// Still whole tiles of six, so each row's sums are the same.
    /// </summary>
    internal static int BlockRows(int taps, int filters, long rows, int threads)
    {
        int blockRows = BlockRows(taps);
        if (threads < 2 || rows >= (long)blockRows * threads || (long)taps * filters > SmallKernelFloats) return blockRows;
        long share = (rows + threads - 1) / threads;
        return (int)Math.Max(Gemm.TileRows, (share + Gemm.TileRows - 1) / Gemm.TileRows * Gemm.TileRows);
    }

    /// <summary>Part <paramref name="part"/> of <see cref="_parts"/>: its contiguous run of blocks, on this thread's scratch.</summary>
    private void RunPart(int part)
    {
        int first = (int)((long)_blocks * part / _parts), last = (int)((long)_blocks * (part + 1) / _parts);
        int taps = _g.Taps;
        var scratch = t_patches;
        if (scratch.Length < _blockRows * taps)
            t_patches = scratch = AlignedFloats.Allocate(_blockRows * taps); // grown once per thread
        fixed (float* patches = scratch)
        {
            for (int block = first; block < last; block++)
            {
                int row0 = block * _blockRows, count = Math.Min(_blockRows, _rows - row0);
                if (_blocks == 1 && GemmRowSplit.Threads >= 2 && count >= MinSharedPatchRows)
                {
                    // One block, so the team is free: it writes the patches too, half each, then shares the product.
                    _patches = patches; _patchRows = count; _patchParts = 2;
                    WorkerTeam.RunInParts(ref _patchParts, _patchBody);
                }
                else
                    for (int r = 0; r < count; r++) Row(row0 + r, patches + (nint)r * taps);
                // The width is the caller's (a test may force a narrower one on its own thread), not the worker's default.
                // Run whole (one block: a deep conv of a single image), the product itself may still be shared; the
                // blocks' parts are not (the workers do not allow it, and the caller's team is busy with them).
                Gemm.RunShared(_width, patches, taps, 1, _kernel, _filters, _output + (nint)row0 * _filters, count, _filters, taps,
                               _bias, accumulate: false, _relu, _packed);
            }
        }
    }

    /// <summary>Part <paramref name="part"/> of <see cref="_patchParts"/>: its run of the single block's patch rows (the block starts at row 0).</summary>
    private void WritePatchesPart(int part)
    {
        int first = _patchRows * part / _patchParts, last = _patchRows * (part + 1) / _patchParts, taps = _g.Taps;
        for (int r = first; r < last; r++) Row(r, _patches + (nint)r * taps);
    }

    /// <summary>im2col row <paramref name="row"/> = (b, oy, ox): the KH×KW×IC window under that output pixel, zeros where it lies in the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row(int row, float* taps)
    {
        ref readonly var g = ref _g;
        int pixels = g.OutputHeight * g.OutputWidth;
        int b = row / pixels, pixel = row - b * pixels, oy = pixel / g.OutputWidth, ox = pixel - oy * g.OutputWidth;
        int ic = g.InputChannels, kernelRow = g.KernelWidth * ic;
        int x0 = ox * g.StrideWidth - g.PadLeft; // the input column under kx = 0
        int firstX = Math.Max(0, -x0), lastX = Math.Min(g.KernelWidth, g.InputWidth - x0);
        for (int ky = 0; ky < g.KernelHeight; ky++, taps += kernelRow)
        {
            int iy = oy * g.StrideHeight + ky - g.PadTop;
            if ((uint)iy >= (uint)g.InputHeight || lastX <= firstX)
            {
                new Span<float>(taps, kernelRow).Clear(); // the whole kernel row lies in the padding
                continue;
            }
            // The taps inside the input are one contiguous run of pixels: copied in one go, the padding around it zeroed.
            if (firstX > 0) new Span<float>(taps, firstX * ic).Clear();
            Copy(_input + ((nint)(b * g.InputHeight + iy) * g.InputWidth + x0 + firstX) * ic, taps + firstX * ic, (lastX - firstX) * ic);
            if (lastX < g.KernelWidth) new Span<float>(taps + lastX * ic, (g.KernelWidth - lastX) * ic).Clear();
        }
    }

    /// <summary>
    /// A short run (the stem's kernel rows are 21 floats, CIFAR's first conv's 9) copied without a call's overhead, in
    /// eight-float registers, the last one overlapping the one before; a long one by memmove.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int count)
    {
        if (count > 32)
        {
            Buffer.MemoryCopy(source, destination, (long)count * sizeof(float), (long)count * sizeof(float));
            return;
        }
        if (count >= 8 && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i + 8 < count; i += 8)
                System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(source + i), destination + i);
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(source + count - 8), destination + count - 8);
            return;
        }
        for (int i = 0; i < count; i++) destination[i] = source[i];
    }

    /// <summary>A kernel row's window (KW·IC floats) this short or shorter is read where it lies rather than copied.</summary>
    internal const int MaxInPlaceRun = 32;

    /// <summary>Output rows whose padded input rows one part copies at a time (a few KB: they stay in L1).</summary>
    private const int InPlaceChunkRows = 8;

    /// <summary>
    /// Whether the rows are read in place (<see cref="RowsInPlace"/>) rather than copied: a conv on few channels (an
    /// image's first: CIFAR's 3×3 on RGB, ResNet18's 7×7/2 stem), whose im2col copies runs of 9 or 21 floats per
    /// kernel row, costing more than the product of those taps (measured: CIFAR's first conv at batch 1 spent 40 of
    /// its 66 µs writing patches), and an output row wide enough for whole tiles of the micro-kernel.
    /// </summary>
    internal static bool ReadsInPlace(in ConvGeometry g) =>
        g.KernelWidth * g.InputChannels <= MaxInPlaceRun && g.OutputWidth >= 2 * Gemm.TileRows;

    /// <summary>
    /// The conv with no patches: output row (b, oy) is KH products accumulated into it, kernel row ky's being
    /// <c>rows[OW × KW·IC] · kernel[ky·KW·IC …, OC]</c> whose A is the padded input row oy·SH − PT + ky read in place —
    /// consecutive pixels' windows are SW·IC floats apart, each KW·IC floats contiguous. The bias starts the first
    /// product, the ReLU ends the last. Every output sums the same taps in the same order as the im2col product; only
    /// a row's last few pixels, in a tile of fewer than 8 registers that interleaves its sums, may round differently.
    /// The input rows are copied with their padding a few at a time (zeros outside the image, so the products need no
    /// edge cases); output rows are shared among the team's threads.
    /// </summary>
    private static void RowsInPlace(ReadOnlySpan<float> input, ReadOnlySpan<float> kernel, int panelColumns, ReadOnlySpan<float> bias,
                                    Span<float> output, int batch, in ConvGeometry g, int filters, Activation activation, int width, int threads)
    {
        long outputRows = (long)batch * g.OutputHeight;
        long multiplyAdds = outputRows * g.OutputWidth * g.Taps * filters;
        var split = t_split ??= new Im2ColBlocks();
        fixed (float* pi = input, pk = kernel, pb = bias, po = output)
        {
            split._input = pi; split._kernel = pk; split._bias = bias.IsEmpty ? null : pb; split._output = po;
            split._g = g; split._batch = batch; split._filters = filters; split._width = width;
            split._packed = panelColumns != 0; split._relu = activation == Activation.ReLU;
            split._parts = threads >= 2 && multiplyAdds >= MinSharedMultiplyAdds ? (int)Math.Min(threads, outputRows) : 1;
            if (WorkerTeam.RunInParts(ref split._parts, split._inPlaceBody)) t_splits++;
        }
        if (activation is not (Activation.Linear or Activation.ReLU))
            Activations.Forward(activation, output.Slice(0, (int)(outputRows * g.OutputWidth) * filters), filters);
    }

    /// <summary>Work below this many multiply-adds is not worth waking a second thread for (as <see cref="GemmRowSplit"/>).</summary>
    private const long MinSharedMultiplyAdds = 512 * 1024;

    /// <summary>Part <paramref name="part"/> of <see cref="_parts"/> of <see cref="RowsInPlace"/>: its contiguous run of output rows.</summary>
    private void RunRowsInPlacePart(int part)
    {
        ref readonly var g = ref _g;
        long total = (long)_batch * g.OutputHeight;
        long first = total * part / _parts, last = total * (part + 1) / _parts;
        int ic = g.InputChannels, run = g.KernelWidth * ic, taps = g.Taps, ow = g.OutputWidth, oc = _filters;
        int paddedWidth = (ow - 1) * g.StrideWidth + g.KernelWidth, paddedRow = paddedWidth * ic;
        int chunkInputRows = (InPlaceChunkRows - 1) * g.StrideHeight + g.KernelHeight;
        var scratch = t_patches;
        if (scratch.Length < chunkInputRows * paddedRow)
            t_patches = scratch = AlignedFloats.Allocate(chunkInputRows * paddedRow); // grown once per thread
        int panel = _packed ? Gemm.PanelColumns(_width) : oc;
        fixed (float* rows = scratch)
        {
            for (long r = first; r < last;)
            {
                int b = (int)(r / g.OutputHeight), oy0 = (int)(r - (long)b * g.OutputHeight);
                int count = (int)Math.Min(Math.Min(InPlaceChunkRows, g.OutputHeight - oy0), last - r);
                int iy0 = oy0 * g.StrideHeight - g.PadTop, inputRows = (count - 1) * g.StrideHeight + g.KernelHeight;
                for (int j = 0; j < inputRows; j++) PaddedRow(b, iy0 + j, paddedWidth, rows + (nint)j * paddedRow);
                for (int y = 0; y < count; y++)
                {
                    float* o = _output + ((nint)b * g.OutputHeight + oy0 + y) * ow * oc;
                    for (int j = 0; j < oc; j += panel)
                    {
                        int cols = Math.Min(panel, oc - j);
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            float* a = rows + (nint)(y * g.StrideHeight + ky) * paddedRow;
                            // Packed: panel j holds taps rows of its cols, kernel row ky's from ky·run; row-major: rows oc apart.
                            float* k = _packed ? _kernel + (nint)j * taps + (nint)ky * run * cols : _kernel + (nint)ky * run * oc + j;
                            Gemm.RunOnWidth(_width, a, g.StrideWidth * ic, 1, k, _packed ? cols : oc, o + j, ow, cols, run,
                                            ky == 0 && _bias != null ? _bias + j : null, accumulate: ky > 0,
                                            relu: _relu && ky == g.KernelHeight - 1, packedB: _packed, ldc: oc);
                        }
                    }
                }
                r += count;
            }
        }
    }

    /// <summary>Input row <paramref name="iy"/> of sample <paramref name="b"/> as the window rows read it: <paramref name="paddedWidth"/> pixels from x = −PL, zeros outside the image.</summary>
    private void PaddedRow(int b, int iy, int paddedWidth, float* destination)
    {
        ref readonly var g = ref _g;
        int ic = g.InputChannels;
        if ((uint)iy >= (uint)g.InputHeight)
        {
            new Span<float>(destination, paddedWidth * ic).Clear();
            return;
        }
        int left = Math.Min(g.PadLeft, paddedWidth), inside = Math.Max(0, Math.Min(g.InputWidth, paddedWidth - g.PadLeft));
        new Span<float>(destination, left * ic).Clear();
        Buffer.MemoryCopy(_input + ((nint)(b * g.InputHeight + iy) * g.InputWidth) * ic, destination + left * ic,
                          (long)inside * ic * sizeof(float), (long)inside * ic * sizeof(float));
        new Span<float>(destination + (left + inside) * ic, (paddedWidth - left - inside) * ic).Clear();
    }
}
