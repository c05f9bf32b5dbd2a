namespace ConvNetGen;

/// <summary>
/// A contiguous run of elements in a model's single parameter buffer (and, at the same offsets, its gradient buffer
/// and every optimizer state buffer). The model passes the ranges an optimizer may change to <see cref="Optimizer.Step"/>.
/// </summary>
/// <param name="Start">The index of the range's first element.</param>
/// <param name="Length">The number of elements in the range.</param>
public readonly record struct ParameterRange(int Start, int Length)
{
    /// <summary>The index just past the range's last element (<c>Start + Length</c>).</summary>
    public int End => Start + Length;
}
