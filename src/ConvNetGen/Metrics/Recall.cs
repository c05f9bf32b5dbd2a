namespace ConvNetGen;

/// <summary>
/// Keras' <c>Recall</c> at one threshold (default 0.5): of the positive targets, the fraction whose output is predicted positive (above the threshold): TP / (TP + FN), over
/// every output of every sample (binary and multi-label outputs) or over column <c>classId</c> only; 0 when there is
/// nothing to divide. An output is predicted positive when it is above the threshold; a target is positive when it is not 0.
/// With integer labels, the labels' one-hot rows are the targets (counting as in <see cref="ThresholdMetric"/>).
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class Recall : ThresholdMetric
{
    /// <summary>A recall at <paramref name="threshold"/> (Keras' <c>thresholds</c>, one value), over every output or only <paramref name="classId"/>'s, logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is outside [0, 1] or <paramref name="classId"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public Recall(float threshold = 0.5f, int? classId = null, string name = "recall") : base(threshold, classId, name)
    {
    }

    /// <inheritdoc/>
    public override float Result => ThresholdCounts.Ratio(Counts.TruePositives, Counts.FalseNegatives);

    /// <inheritdoc/>
    public override Metric CreateNew() => new Recall(Threshold, ClassId, Name);
}
