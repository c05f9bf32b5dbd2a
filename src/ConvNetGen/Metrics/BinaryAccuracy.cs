namespace ConvNetGen;

/// <summary>
/// The fraction of outputs that match their 0/1 target once thresholded (Keras' <c>BinaryAccuracy</c>, default
/// threshold 0.5): an output counts as 1 when it is above the threshold, and is right when that equals its target.
/// Averaged over each sample's outputs, then over the samples; for binary and multi-label sigmoid outputs.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class BinaryAccuracy : Metric
{
    // Counted exactly: every row has the same width, so the mean of the row means is matching elements / elements.
    private long _matching;
    private long _elements;

    /// <summary>A binary accuracy at <paramref name="threshold"/>, logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public BinaryAccuracy(float threshold = 0.5f, string name = "binary_accuracy")
    {
        if (!float.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite.");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Threshold = threshold;
        Name = name;
    }

    /// <summary>Outputs above it count as 1.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result => _elements == 0 ? 0f : (float)((double)_matching / _elements);

    /// <inheritdoc/>
    public override Metric CreateNew() => new BinaryAccuracy(Threshold, Name);

    /// <inheritdoc/>
    public override void Reset() => (_matching, _elements) = (0, 0);

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        long matching = 0;
        for (int i = 0; i < outputs.Length; i++)
            if ((outputs[i] > Threshold ? 1f : 0f) == targets[i]) matching++; // Keras: equal(y_true, cast(y_pred > threshold))
        _matching += matching;
        _elements += outputs.Length;
    }
}
