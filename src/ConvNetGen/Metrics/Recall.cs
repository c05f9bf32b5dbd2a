namespace ConvNetGen;

/// <summary>
/// Keras' <c>Recall</c> at one threshold (default 0.5): of the positive targets, the fraction whose output is predicted positive (above the threshold): TP / (TP + FN), over
/// every output of every sample (binary and multi-label outputs) or over column <c>classId</c> only; 0 when there is
/// nothing to divide. An output is predicted positive when it is above the threshold; a target is positive when it is not 0.
/// With integer labels, the labels' one-hot rows are the targets.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class Recall : Metric
{
    private ThresholdCounts _counts;

    /// <summary>A recall at <paramref name="threshold"/> (Keras' <c>thresholds</c>, one value), over every output or only <paramref name="classId"/>'s, logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is outside [0, 1] or <paramref name="classId"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public Recall(float threshold = 0.5f, int? classId = null, string name = "recall")
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
    public long TruePositives => _counts.TruePositives;

    /// <summary>The false positives counted since the last <see cref="Reset"/>.</summary>
    public long FalsePositives => _counts.FalsePositives;

    /// <summary>The false negatives counted since the last <see cref="Reset"/>.</summary>
    public long FalseNegatives => _counts.FalseNegatives;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result => ThresholdCounts.Ratio(_counts.TruePositives, _counts.FalseNegatives);

    /// <inheritdoc/>
    public override Metric CreateNew() => new Recall(Threshold, ClassId, Name);

    /// <inheritdoc/>
    public override void Reset() => _counts = default;

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        _counts.Add(outputs, targets, outputsPerSample, Threshold, ClassId);
    }
}
