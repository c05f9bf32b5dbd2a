namespace ConvNetGen;

/// <summary>
/// A constant rate between step boundaries (Keras' <c>PiecewiseConstantDecay</c>): <c>values[0]</c> while
/// <c>step &lt;= boundaries[0]</c>, <c>values[i]</c> while <c>boundaries[i-1] &lt; step &lt;= boundaries[i]</c>, and
/// <c>values[^1]</c> after the last boundary.
/// </summary>
/// <remarks>Immutable (the arrays are copied), so thread-safe.</remarks>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <param name="boundaries">Increasing steps.</param>
    /// <param name="values">One rate more than there are boundaries; each finite and greater than 0.</param>
    /// <exception cref="ArgumentException">The counts do not fit, or the boundaries do not increase.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not finite or not greater than 0.</exception>
    public PiecewiseConstantDecay(IEnumerable<long> boundaries, IEnumerable<float> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        _boundaries = boundaries.ToArray();
        _values = values.ToArray();
        if (_boundaries.Length != _values.Length - 1)
            throw new ArgumentException($"There must be one value more than boundaries; got {_boundaries.Length} boundaries and {_values.Length} values.", nameof(values));
        for (int i = 1; i < _boundaries.Length; i++)
            if (_boundaries[i] <= _boundaries[i - 1])
                throw new ArgumentException($"The boundaries must increase, but boundaries[{i}] = {_boundaries[i]} follows {_boundaries[i - 1]}.", nameof(boundaries));
        for (int i = 0; i < _values.Length; i++) HyperparameterGuard.LearningRate(_values[i], $"values[{i}]");
    }

    /// <summary>The step boundaries.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The rates.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <inheritdoc/>
    public override float this[long step]
    {
        get
        {
            for (int i = 0; i < _boundaries.Length; i++)
                if (step <= _boundaries[i]) return _values[i];
            return _values[^1];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"PiecewiseConstantDecay(boundaries: [{string.Join(", ", _boundaries)}], values: [{string.Join(", ", _values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}])");
}
