using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// Float arrays whose first element sits on a 64-byte boundary, for the buffers the kernels stream through (workspaces,
/// transformed and packed kernels, per-thread scratch). A Vector512 load or store at an unaligned address spans two
/// cache lines; on the Intel cores this project runs on half the time, F(4×4)'s input transform of a 16×16×64 image
/// takes 7.7–8.2 µs aligned against 13.2–16.3 µs two floats off (output transform 4.0–5.5 against 7.1–8.4).
/// </summary>
/// <remarks>
/// .NET has no aligned managed arrays, so the array goes on the pinned object heap (it never moves, so its alignment
/// holds for its lifetime) at a place chosen for it: a zero-length probe shows where the heap's next object will start,
/// and a filler array shifts that start to the boundary. When the heap places the array elsewhere (a free gap left by
/// a collection, or a fresh region for a large array once the current one is full), a small array is placed again and a
/// large one kept as it is: every kernel gives the same results at any alignment, only faster aligned, and a large
/// retry would leave its first try behind as garbage of the same size. So alignment is best effort: in a fresh process
/// a single image's inference workspace of the CIFAR model came out all aligned, but only 6 of its 10 arrays after 20
/// training steps of the same model (a heap with gaps places objects by size, and a probe tells nothing about where a
/// larger array will go), and a 32-sample training workspace 18 of its 50 (most of the rest are megabytes long).
/// Thread-safe: calls take turns, so one call's filler is not taken by another's array.
/// </remarks>
public static class AlignedFloats
{
    /// <summary>The boundary the arrays' data starts on: one cache line, one Vector512.</summary>
    public const int Alignment = 64;

    /// <summary>Arrays up to this many floats are allocated again when the heap did not place them on the boundary.</summary>
    private const int RetryFloats = 1 << 16;

    /// <summary>A zeroed, pinned array of <paramref name="length"/> floats, its data 64-byte aligned wherever the heap allows.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static float[] Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0) return [];
        lock (Gate) return Place(length);
    }

    /// <summary>Held from the probe to the array, so that another thread's array does not land between them.</summary>
    private static readonly Lock Gate = new();

    private static float[] Place(int length)
    {
        var array = Attempt(length);
        for (int attempt = 1; attempt < Attempts && !IsAligned(array) && length <= RetryFloats; attempt++) array = Attempt(length);
        return array;
    }

    /// <summary>How many times a small array is placed before it is kept where it is.</summary>
    private const int Attempts = 8;

    /// <summary>A probe, a filler that moves the next object after it onto the boundary, and the array.</summary>
    private static float[] Attempt(int length)
    {
        ShiftNextTo(Data(GC.AllocateUninitializedArray<float>(0, pinned: true)) + EmptyArrayBytes);
        return GC.AllocateArray<float>(length, pinned: true);
    }

    /// <summary>Whether <paramref name="array"/>'s first element is on the boundary (an empty array counts as aligned).</summary>
    public static bool IsAligned(float[] array) => array.Length == 0 || Data(array) % Alignment == 0;

    /// <summary>An empty array's size on the heap, and so the distance from one array's data to the next one's.</summary>
    private const int EmptyArrayBytes = 24;

    /// <summary>
    /// Allocates a filler so that an array the heap places right after it has its data on the boundary, given where the
    /// next array's data would start without one.
    /// </summary>
    private static void ShiftNextTo(nint nextData)
    {
        int filler = (int)((Alignment - nextData % Alignment) % Alignment);
        if (filler == 0) return;
        while (filler < EmptyArrayBytes) filler += Alignment;
        GC.AllocateUninitializedArray<float>((filler - EmptyArrayBytes) / sizeof(float), pinned: true);
    }

    private static unsafe nint Data(float[] array) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
