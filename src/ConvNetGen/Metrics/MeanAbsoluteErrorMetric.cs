namespace ConvNetGen;

/// <summary>
/// The mean absolute error between outputs and float targets (Keras' metric <c>MeanAbsoluteError</c>, logged as
/// <c>mean_absolute_error</c>): per sample the mean of |p - y| over its outputs, then the mean over the samples.
/// Named apart from the <see cref="MeanAbsoluteError"/> loss because C# keeps one type per name.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class MeanAbsoluteErrorMetric : Metric
{
    private double _sum; // of per-sample means
    private long _count;

    /// <summary>A mean absolute error logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public MeanAbsoluteErrorMetric(string name = "mean_absolute_error")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result => _count == 0 ? 0f : (float)(_sum / _count);

    /// <inheritdoc/>
    public override Metric CreateNew() => new MeanAbsoluteErrorMetric(Name);

    /// <inheritdoc/>
    public override void Reset() => (_sum, _count) = (0, 0);

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        int batch = BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        for (int start = 0; start < outputs.Length; start += outputsPerSample)
        {
            double row = 0;
            for (int j = start; j < start + outputsPerSample; j++) row += Math.Abs((double)outputs[j] - targets[j]);
            _sum += row / outputsPerSample;
        }
        _count += batch;
    }
}
