using System.Collections;

namespace ConvNetGen;

/// <summary>The shape of one sample's tensor, without the batch dimension: (height, width, channels) or (features).</summary>
public sealed class TensorShape : IReadOnlyList<int>, IEquatable<TensorShape>
{
    private readonly int[] _dimensions;

    /// <summary>A shape with the given dimensions.</summary>
    public TensorShape(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (int d in dimensions)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(dimensions));
        _dimensions = (int[])dimensions.Clone();
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The number of elements of one sample.</summary>
    public int ElementCount
    {
        get
        {
            int n = 1;
            foreach (int d in _dimensions) n *= d;
            return n;
        }
    }

    /// <inheritdoc />
    public int this[int index] => _dimensions[index];

    int IReadOnlyCollection<int>.Count => _dimensions.Length;

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dimensions).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(TensorShape? other) => other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions);
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TensorShape);
    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in _dimensions) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>Keras' notation with the batch dimension: <c>(None, 26, 26, 32)</c>.</summary>
    public string ToBatchString() => SummaryTable.FormatShape(_dimensions);

    /// <summary>The dimensions in parentheses, e.g. <c>(26, 26, 32)</c>.</summary>
    public override string ToString() => "(" + string.Join(", ", _dimensions) + (Rank == 1 ? ",)" : ")");
}
