namespace ConvNetGen;

/// <summary>
/// The area under the ROC curve (Keras' <c>AUC</c> with its defaults: 200 thresholds, <c>curve="ROC"</c>,
/// <c>summation_method="interpolation"</c>, not multi-label). The thresholds are -ε, 1/(n-1), …, (n-2)/(n-1), 1+ε
/// (ε = 1e-7); at each, the outputs above it (clipped to [0, 1]) are predicted positive, every output of every sample
/// pooled, and a target is positive when it is not 0. The area is the trapezoid sum over the (false positive rate,
/// recall) points. With integer labels, the labels' one-hot rows are the targets.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class AUC : Metric
{
    // Per bucket b (the highest threshold index an output passes), the positive and negative targets that landed there.
    private readonly long[] _positives, _negatives;

    /// <summary>An ROC AUC over <paramref name="numThresholds"/> evenly spaced thresholds, logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numThresholds"/> is less than 2.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public AUC(int numThresholds = 200, string name = "auc")
    {
        if (numThresholds < 2) throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, "AUC needs at least 2 thresholds, as Keras requires.");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        NumThresholds = numThresholds;
        Name = name;
        _positives = new long[numThresholds];
        _negatives = new long[numThresholds];
    }

    /// <summary>The number of thresholds, the two end points included.</summary>
    public int NumThresholds { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result
    {
        get
        {
            // Walk the thresholds from the highest down: TP(k) and FP(k) are the counts in buckets >= k.
            long totalPositives = _positives.Sum(), totalNegatives = _negatives.Sum();
            double area = 0, previousRecall = 0, previousFalsePositiveRate = 0;
            long truePositives = 0, falsePositives = 0;
            for (int k = NumThresholds - 1; k >= 0; k--)
            {
                truePositives += _positives[k];
                falsePositives += _negatives[k];
                double recall = totalPositives == 0 ? 0 : (double)truePositives / totalPositives;
                double falsePositiveRate = totalNegatives == 0 ? 0 : (double)falsePositives / totalNegatives;
                if (k < NumThresholds - 1)
                    area += (falsePositiveRate - previousFalsePositiveRate) * (recall + previousRecall) / 2;
                (previousRecall, previousFalsePositiveRate) = (recall, falsePositiveRate);
            }
            return (float)area;
        }
    }

    /// <inheritdoc/>
    public override Metric CreateNew() => new AUC(NumThresholds, Name);

    /// <inheritdoc/>
    public override void Reset()
    {
        Array.Clear(_positives);
        Array.Clear(_negatives);
    }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        for (int i = 0; i < outputs.Length; i++)
        {
            if (targets[i] != 0f) _positives[Bucket(outputs[i])]++;
            else _negatives[Bucket(outputs[i])]++;
        }
    }

    /// <summary>
    /// The highest threshold index an output is strictly above: every output passes -ε (index 0), none passes 1+ε
    /// (the last), and k/(n-1) for k in [1, n-2] is passed when k &lt; p(n-1), that is k &lt;= ceil(p(n-1)) - 1 (Keras' buckets).
    /// </summary>
    private int Bucket(float output)
    {
        double p = Math.Clamp(output, 0f, 1f);
        int bucket = (int)Math.Ceiling(p * (NumThresholds - 1)) - 1;
        return Math.Clamp(bucket, 0, NumThresholds - 2);
    }
}
