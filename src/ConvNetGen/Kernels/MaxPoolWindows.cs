using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvNetGen.Kernels;

/// <summary>
/// Max pooling's general windows at inference (any window, strides and padding; no argmax, which only the backward
/// pass reads): each output pixel's maximum kept in registers over the taps inside the input, channels a register at a
/// time, on this thread's SIMD path; a single image's rows shared with the worker team. The same comparison as the
/// training loop (<c>v &gt; best</c>, from −∞, padding never taken), so the same maxima.
/// </summary>
/// <remarks>For generated code; not a stable API. Thread-safe: each thread keeps its own split.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class MaxPoolWindows
{
    /// <summary>Outputs (pixels × channels) below which one thread does it all: handing over costs more.</summary>
    private const int MinSharedOutputs = 16 * 1024;

    [ThreadStatic] private static MaxPoolWindows? t_split;

    /// <summary>How many poolings the calling thread has run shared with the team (for tests).</summary>
    [ThreadStatic] internal static long t_splits;

    private readonly Action<int> _body;
    private float* _input, _output;
    private ConvGeometry _g;
    private int _rows, _parts, _width;

    private MaxPoolWindows() => _body = RunPart;

    /// <summary><c>output[b, oy, ox, c]</c> = the largest input under window (oy, ox) of channel c, for <paramref name="batch"/> samples.</summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs.</exception>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, in ConvGeometry g)
    {
        long rows = (long)batch * g.OutputHeight;
        if (input.Length < (long)batch * g.InputHeight * g.InputWidth * g.InputChannels || output.Length < rows * g.OutputWidth * g.InputChannels)
            throw new ArgumentException($"MaxPoolWindows: spans too short for {batch} × {g} (input {input.Length}, output {output.Length}).");
        if (rows == 0) return;
        var split = t_split ??= new MaxPoolWindows();
        fixed (float* pi = input, po = output)
        {
            split._input = pi; split._output = po; split._g = g; split._rows = (int)rows; split._width = Gemm.ActiveWidth;
            int threads = rows * g.OutputWidth * g.InputChannels >= MinSharedOutputs ? GemmRowSplit.Threads : 1;
            split._parts = (int)Math.Min(threads, rows);
            if (WorkerTeam.RunInParts(ref split._parts, split._body)) t_splits++;
        }
    }

    /// <summary>Part <paramref name="part"/>: its contiguous run of output rows (b, oy), on the caller's path.</summary>
    private void RunPart(int part)
    {
        int first = (int)((long)_rows * part / _parts), last = (int)((long)_rows * (part + 1) / _parts);
        switch (_width)
        {
            case 512: MaxPoolKernel<Simd512, Vector512<float>>.Rows(_input, _output, _g, first, last); break;
            case 256: MaxPoolKernel<Simd256, Vector256<float>>.Rows(_input, _output, _g, first, last); break;
            case 128: MaxPoolKernel<Simd128, Vector128<float>>.Rows(_input, _output, _g, first, last); break;
            default: MaxPoolKernel<SimdScalar, float>.Rows(_input, _output, _g, first, last); break;
        }
    }
}

/// <summary>The windows of <see cref="MaxPoolWindows"/> for one register type; channels left after whole registers take the scalar one.</summary>
internal static unsafe class MaxPoolKernel<TOps, TV> where TOps : struct, ISimd<TV> where TV : unmanaged
{
    /// <summary>Output rows [<paramref name="first"/>, <paramref name="last"/>) of the batch, row r = b·OH + oy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* input, float* output, in ConvGeometry g, int first, int last)
    {
        int c = g.InputChannels, width = TOps.Width;
        nint pixel = c, row = (nint)g.InputWidth * c;
        for (int r = first; r < last; r++)
        {
            int b = r / g.OutputHeight, oy = r - b * g.OutputHeight;
            int y0 = oy * g.StrideHeight - g.PadTop;
            int fromY = Math.Max(0, -y0), toY = Math.Min(g.KernelHeight, g.InputHeight - y0);
            float* sample = input + (nint)b * g.InputHeight * row;
            float* o = output + (nint)r * g.OutputWidth * c;
            for (int ox = 0; ox < g.OutputWidth; ox++, o += c)
            {
                int x0 = ox * g.StrideWidth - g.PadLeft;
                int fromX = Math.Max(0, -x0), toX = Math.Min(g.KernelWidth, g.InputWidth - x0);
                float* corner = sample + (nint)y0 * row + (nint)x0 * pixel; // may point outside the image: only taps inside are read
                int ch = 0;
                for (; ch + width <= c; ch += width)
                    TOps.Store(o + ch, Window(corner + ch, row, pixel, fromY, toY, fromX, toX));
                for (; ch < c; ch++)
                    *(o + ch) = MaxPoolKernel<SimdScalar, float>.Window(corner + ch, row, pixel, fromY, toY, fromX, toX);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Window(float* corner, nint row, nint pixel, int fromY, int toY, int fromX, int toX)
    {
        TV best = TOps.Broadcast(float.NegativeInfinity);
        for (int ky = fromY; ky < toY; ky++)
        for (int kx = fromX; kx < toX; kx++)
        {
            TV v = TOps.Load(corner + ky * row + kx * pixel);
            best = TOps.Select(TOps.GreaterThan(v, best), v, best);
        }
        return best;
    }
}
