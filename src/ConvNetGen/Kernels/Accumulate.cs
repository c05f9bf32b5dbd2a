using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// <c>target += values</c> for the short runs col2im adds back (a kernel row of KW·IC values, e.g. 96), called
/// thousands of times per pass: a plain vector loop, without the dispatch a general-purpose call pays per call.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Accumulate
{
    /// <summary>Adds <paramref name="values"/> element by element into <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Into(ReadOnlySpan<float> values, Span<float> target)
    {
        if (target.Length < values.Length)
            throw new ArgumentException($"Accumulate.Into: {values.Length} values need a target of at least that length, not {target.Length}.");
        ref float v = ref MemoryMarshal.GetReference(values);
        ref float t = ref MemoryMarshal.GetReference(target);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i + width <= values.Length; i += width)
            {
                var sum = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref t, i)))
                        + Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref v, i)));
                Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref t, i)), sum);
            }
        }
        for (; i < values.Length; i++)
            Unsafe.Add(ref t, i) += Unsafe.Add(ref v, i);
    }
}
