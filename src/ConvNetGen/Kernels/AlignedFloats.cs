using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// A run of floats whose first element sits on a 64-byte boundary, for the buffers the kernels stream through
/// (workspaces, the weights, transformed and packed kernels, per-thread scratch). A Vector512 load or store at an
/// unaligned address spans two cache lines; on the Intel cores this project runs on half the time, F(4×4)'s input
/// transform of a 16×16×64 image takes 7.7–8.2 µs aligned against 13.2–16.3 µs two floats off (output transform
/// 4.0–5.5 against 7.1–8.4).
/// </summary>
/// <remarks>
/// .NET has no aligned managed arrays, so this is a view of a pinned array (on the pinned object heap: it never moves)
/// fifteen floats longer than asked, starting at its first element on the boundary. That holds wherever the heap puts
/// the array: in a fresh process or after training has left the heap full of gaps, for a few floats or for megabytes.
/// The sixty bytes of slack are not counted in workspace sizes (like object headers). <c>default</c> is the empty run.
/// Immutable, so thread-safe to share; the floats it views are as safe as any array's (writers need their own).
/// Equal runs view the same floats: two buffers that alias one another are equal.
/// </remarks>
public readonly struct AlignedFloats : IEquatable<AlignedFloats>
{
    /// <summary>The boundary the first element is on: one cache line, one Vector512.</summary>
    public const int Alignment = 64;

    /// <summary>The most floats an array needs beyond the run, to reach the boundary from anywhere a float can start.</summary>
    private const int Slack = Alignment / sizeof(float) - 1;

    /// <summary>The most floats a run holds: <see cref="Array.MaxLength"/> less the slack.</summary>
    public static int MaxLength => Array.MaxLength - Slack;

    private readonly float[]? _array;
    private readonly int _start;

    private AlignedFloats(float[] array, int start, int length)
    {
        _array = array;
        _start = start;
        Length = length;
    }

    /// <summary>A zeroed run of <paramref name="length"/> floats starting on the boundary.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative, or too long for an array with the slack.</exception>
    public static AlignedFloats Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        if (length == 0) return default;
        var array = GC.AllocateArray<float>(length + Slack, pinned: true);
        int start = (int)((Alignment - Address(array) % Alignment) % Alignment) / sizeof(float);
        return new AlignedFloats(array, start, length);
    }

    /// <summary>
    /// A first-float pointer to <paramref name="buffer"/>, replaced first by a fresh run of <paramref name="length"/>
    /// floats if it holds fewer: a per-thread scratch grown once per thread and size (pinned, so the pointer stays good).
    /// </summary>
    internal static unsafe float* AtLeast(ref AlignedFloats buffer, int length)
    {
        if (buffer.Length < length) buffer = Allocate(length);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer.Span));
    }

    /// <summary>How many floats the run holds.</summary>
    public int Length { get; }

    /// <summary>Whether the run holds no floats.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Whether the first element is on the boundary (the empty run counts as aligned): always, for a run from <see cref="Allocate"/>.</summary>
    public bool IsAligned => _array is null || (Address(_array) + _start * sizeof(float)) % Alignment == 0;

    /// <summary>The whole run.</summary>
    public Span<float> Span => _array is null ? default : new Span<float>(_array, _start, Length);

    /// <summary>The whole run.</summary>
    public Span<float> AsSpan() => Span;

    /// <summary>The run from <paramref name="start"/> on.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is outside the run.</exception>
    public Span<float> AsSpan(int start) => Span[start..];

    /// <summary><paramref name="length"/> floats of the run from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the run.</exception>
    public Span<float> AsSpan(int start, int length) => Span.Slice(start, length);

    /// <summary>The float at <paramref name="index"/>.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the run.</exception>
    public ref float this[int index] => ref Span[index];

    /// <summary>The first float, for <c>fixed</c> (a formality: the array is pinned); a null reference for the empty run.</summary>
    public ref float GetPinnableReference() => ref _array is null ? ref Unsafe.NullRef<float>() : ref _array[_start];

    /// <summary>Sets every float of the run to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>A new array with the run's floats.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>The whole run.</summary>
    public static implicit operator Span<float>(AlignedFloats floats) => floats.Span;

    /// <summary>The whole run, read only.</summary>
    public static implicit operator ReadOnlySpan<float>(AlignedFloats floats) => floats.Span;

    /// <inheritdoc />
    public bool Equals(AlignedFloats other) => ReferenceEquals(_array, other._array) && _start == other._start && Length == other.Length;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AlignedFloats other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_array), _start, Length);

    /// <summary>Whether both view the same floats.</summary>
    public static bool operator ==(AlignedFloats left, AlignedFloats right) => left.Equals(right);

    /// <summary>Whether they view different floats.</summary>
    public static bool operator !=(AlignedFloats left, AlignedFloats right) => !left.Equals(right);

    /// <summary>Where the array's first element is: fixed for its lifetime, the array being pinned.</summary>
    private static unsafe nint Address(float[] array) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
