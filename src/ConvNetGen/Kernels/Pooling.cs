using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>Building blocks of the generated pooling loops, vectorised over channels.</summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Pooling
{
    /// <summary>
    /// One window tap of max pooling over a pixel's channels: where <paramref name="values"/>[c] beats
    /// <paramref name="best"/>[c], it becomes the best and <paramref name="bestIndex"/>[c] records
    /// <paramref name="firstIndex"/> + c, its place in the input, for backward. Branch-free: on real data which tap
    /// wins is a coin flip a branch would mispredict.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called per window tap: never run it unoptimised
    public static void MaxInto(ReadOnlySpan<float> values, int firstIndex, Span<float> best, Span<int> bestIndex)
    {
        int n = values.Length;
        if (best.Length < n || bestIndex.Length < n)
            throw new ArgumentException($"MaxInto: {n} values need {n} bests and indices (got {best.Length}, {bestIndex.Length}).");
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var lane = Lanes;
            for (; c + width <= n; c += width)
            {
                var v = new Vector<float>(values.Slice(c, width));
                var b = new Vector<float>(best.Slice(c, width));
                var wins = Vector.GreaterThan(v, b);
                Vector.ConditionalSelect(wins, v, b).CopyTo(best.Slice(c, width));
                var index = new Vector<int>(firstIndex + c) + lane;
                Vector.ConditionalSelect(wins, index, new Vector<int>(bestIndex.Slice(c, width))).CopyTo(bestIndex.Slice(c, width));
            }
        }
        for (; c < n; c++)
        {
            if (values[c] > best[c])
            {
                best[c] = values[c];
                bestIndex[c] = firstIndex + c;
            }
        }
    }

    /// <summary>
    /// Max pooling over one row of 2×2 windows with stride 2 (the common case): <paramref name="top"/> and
    /// <paramref name="bottom"/> are two input rows of <paramref name="windows"/>·2 pixels × <paramref name="channels"/>,
    /// starting at input indices <paramref name="topIndex"/> and <paramref name="bottomIndex"/>; each window's maximum
    /// and its input index go to <paramref name="best"/> and <paramref name="bestIndex"/> (windows × channels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Max2x2Row(ReadOnlySpan<float> top, ReadOnlySpan<float> bottom, int topIndex, int bottomIndex,
                                 Span<float> best, Span<int> bestIndex, int windows, int channels)
    {
        int rowLength = 2 * windows * channels;
        if (top.Length < rowLength || bottom.Length < rowLength || best.Length < windows * channels || bestIndex.Length < windows * channels)
            throw new ArgumentException($"Max2x2Row: {windows} windows of {channels} channels need rows of {rowLength} and outputs of {windows * channels}.");
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || channels % width != 0)
        {
            for (int w = 0; w < windows; w++)
            {
                var b = best.Slice(w * channels, channels);
                var i = bestIndex.Slice(w * channels, channels);
                b.Fill(float.NegativeInfinity);
                int left = 2 * w * channels, right = left + channels;
                MaxInto(top.Slice(left, channels), topIndex + left, b, i);
                MaxInto(top.Slice(right, channels), topIndex + right, b, i);
                MaxInto(bottom.Slice(left, channels), bottomIndex + left, b, i);
                MaxInto(bottom.Slice(right, channels), bottomIndex + right, b, i);
            }
            return;
        }
        var lane = Lanes;
        for (int w = 0; w < windows; w++)
        {
            for (int c = 0; c < channels; c += width)
            {
                int left = 2 * w * channels + c, right = left + channels;
                // Ties keep the first tap in reading order, as the general loop does.
                var m = new Vector<float>(top.Slice(left, width));
                var index = new Vector<int>(topIndex + left) + lane;
                var v = new Vector<float>(top.Slice(right, width));
                var wins = Vector.GreaterThan(v, m);
                m = Vector.ConditionalSelect(wins, v, m);
                index = Vector.ConditionalSelect(wins, new Vector<int>(topIndex + right) + lane, index);
                v = new Vector<float>(bottom.Slice(left, width));
                wins = Vector.GreaterThan(v, m);
                m = Vector.ConditionalSelect(wins, v, m);
                index = Vector.ConditionalSelect(wins, new Vector<int>(bottomIndex + left) + lane, index);
                v = new Vector<float>(bottom.Slice(right, width));
                wins = Vector.GreaterThan(v, m);
                m = Vector.ConditionalSelect(wins, v, m);
                index = Vector.ConditionalSelect(wins, new Vector<int>(bottomIndex + right) + lane, index);
                m.CopyTo(best.Slice(w * channels + c, width));
                index.CopyTo(bestIndex.Slice(w * channels + c, width));
            }
        }
    }

    /// <summary>
    /// Max pooling over one window whose <paramref name="count"/> pixels are consecutive rows of
    /// <paramref name="best"/>.Length channels in <paramref name="rows"/> (a conv output ordered window by window),
    /// starting at input index <paramref name="firstIndex"/>: each channel's maximum and its input index go to
    /// <paramref name="best"/> and <paramref name="bestIndex"/>. Ties keep the earlier pixel, as the other loops do.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxOfRows(ReadOnlySpan<float> rows, int count, int firstIndex, Span<float> best, Span<int> bestIndex)
    {
        int channels = best.Length;
        if (count <= 0 || rows.Length < count * channels || bestIndex.Length < channels)
            throw new ArgumentException($"MaxOfRows: {count} rows of {channels} channels need {count * channels} values (got {rows.Length}) and {channels} indices (got {bestIndex.Length}).");
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var lane = Lanes;
            for (; c + width <= channels; c += width)
            {
                var m = new Vector<float>(rows.Slice(c, width));
                var index = new Vector<int>(firstIndex + c) + lane;
                for (int g = 1; g < count; g++)
                {
                    int at = g * channels + c;
                    var v = new Vector<float>(rows.Slice(at, width));
                    var wins = Vector.GreaterThan(v, m);
                    m = Vector.ConditionalSelect(wins, v, m);
                    index = Vector.ConditionalSelect(wins, new Vector<int>(firstIndex + at) + lane, index);
                }
                m.CopyTo(best.Slice(c, width));
                index.CopyTo(bestIndex.Slice(c, width));
            }
        }
        for (; c < channels; c++)
        {
            float m = rows[c];
            int index = firstIndex + c;
            for (int g = 1; g < count; g++)
            {
                float v = rows[g * channels + c];
                if (v > m) { m = v; index = firstIndex + g * channels + c; }
            }
            best[c] = m;
            bestIndex[c] = index;
        }
    }

    private static readonly Vector<int> Lanes = LaneIndices();

    private static Vector<int> LaneIndices()
    {
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = i;
        return new Vector<int>(lanes);
    }
}
