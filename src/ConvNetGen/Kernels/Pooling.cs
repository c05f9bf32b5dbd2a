using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvNetGen.Kernels;

/// <summary>Building blocks of the generated pooling loops, vectorised over channels.</summary>
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

    private static readonly Vector<int> Lanes = LaneIndices();

    private static Vector<int> LaneIndices()
    {
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = i;
        return new Vector<int>(lanes);
    }
}
