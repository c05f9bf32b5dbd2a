namespace ConvNetGen;

/// <summary>
/// What <see cref="Precision"/> and <see cref="Recall"/> share: the threshold, the optional class column, and the true
/// positives, false positives and false negatives counted since the last <see cref="Reset"/>; each says only its ratio.
/// An output is predicted positive when it is above the threshold; a target is positive when it is not 0.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public abstract class ThresholdMetric : Metric
{
    private protected ThresholdCounts Counts;

    /// <summary>Checks and keeps the threshold, the class column and the name.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is outside [0, 1] or <paramref name="classId"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    private protected ThresholdMetric(float threshold, int? classId, string name)
    {
        if (!(threshold >= 0f && threshold <= 1f)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be in [0, 1], as Keras requires.");
        if (classId < 0) throw new ArgumentOutOfRangeException(nameof(classId), classId, "classId cannot be negative.");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Threshold = threshold;
        ClassId = classId;
        Name = name;
    }

    /// <summary>Outputs above it are predicted positive.</summary>
    public float Threshold { get; }

    /// <summary>The only output column counted, or null for all.</summary>
    public int? ClassId { get; }

    /// <summary>The true positives counted since the last <see cref="Reset"/>.</summary>
    public long TruePositives => Counts.TruePositives;

    /// <summary>The false positives counted since the last <see cref="Reset"/>.</summary>
    public long FalsePositives => Counts.FalsePositives;

    /// <summary>The false negatives counted since the last <see cref="Reset"/>.</summary>
    public long FalseNegatives => Counts.FalseNegatives;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override void Reset() => Counts = default;

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        Counts.Add(outputs, targets, outputsPerSample, Threshold, ClassId);
    }
}
