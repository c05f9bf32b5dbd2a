using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Keras' <c>F1Score</c> (its <c>FBetaScore</c> with beta = 1): per class, from counts summed over the batches,
/// <c>precision = TP / (TP + FP + ε)</c>, <c>recall = TP / (TP + FN + ε)</c>,
/// <c>F1 = 2 precision recall / (precision + recall + ε)</c> with ε = 1e-7, then combined as <see cref="Average"/> says.
/// An output is predicted positive when it is above <see cref="Threshold"/>, or, with no threshold (Keras' default),
/// when it is its row's highest (ties all count) and not 0. Targets count by value (0/1 rows; integer labels as
/// their one-hot rows).
/// </summary>
/// <remarks>
/// Holds running state; not thread-safe (see <see cref="Metric"/>). Without averaging Keras returns a vector: the logs
/// and <c>Evaluation.Metrics</c> then get one entry per class, <c>f1_score_0</c>, <c>f1_score_1</c>, …, which
/// <see cref="ClassScores"/> also gives, and <see cref="Result"/> is their unweighted mean.
/// </remarks>
public sealed class F1Score : Metric
{
    private const double Epsilon = 1e-7; // Keras' backend.epsilon()
    private double[] _truePositives = [], _falsePositives = [], _falseNegatives = [], _support = [];
    private string[] _classNames = [];

    /// <summary>An F1 score combined as <paramref name="average"/>, at <paramref name="threshold"/> (null: each row's highest output), logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="average"/> is not defined or <paramref name="threshold"/> is outside (0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public F1Score(F1Average average = F1Average.None, float? threshold = null, string name = "f1_score")
    {
        if (!Enum.IsDefined(average)) throw new ArgumentOutOfRangeException(nameof(average), average, "Unknown average.");
        if (threshold is float t && !(t > 0f && t <= 1f))
            throw new ArgumentOutOfRangeException(nameof(threshold), t, "The threshold must be in (0, 1], as Keras requires.");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Average = average;
        Threshold = threshold;
        Name = name;
    }

    /// <summary>How the per-class scores are combined.</summary>
    public F1Average Average { get; }

    /// <summary>Outputs above it are predicted positive; null: each row's highest output is.</summary>
    public float? Threshold { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>Each class's F1 score so far (empty before the first batch); with <see cref="F1Average.Micro"/>, the pooled classes' one score.</summary>
    public float[] ClassScores
    {
        get
        {
            if (Average == F1Average.Micro)
                return _truePositives.Length == 0 ? [] : [(float)Score(_truePositives.Sum(), _falsePositives.Sum(), _falseNegatives.Sum())];
            var scores = new float[_truePositives.Length];
            for (int c = 0; c < scores.Length; c++) scores[c] = (float)Score(_truePositives[c], _falsePositives[c], _falseNegatives[c]);
            return scores;
        }
    }

    /// <inheritdoc/>
    public override float Result
    {
        get
        {
            int classes = _truePositives.Length;
            if (classes == 0) return 0f;
            if (Average == F1Average.Micro) return (float)Score(_truePositives.Sum(), _falsePositives.Sum(), _falseNegatives.Sum());
            double total = 0, supportSum = _support.Sum();
            for (int c = 0; c < classes; c++)
            {
                double score = Score(_truePositives[c], _falsePositives[c], _falseNegatives[c]);
                total += Average == F1Average.Weighted ? score * (_support[c] / (supportSum + Epsilon)) : score;
            }
            return (float)(Average == F1Average.Weighted ? total : total / classes);
        }
    }

    /// <inheritdoc/>
    public override void AddResults(ICollection<KeyValuePair<string, float>> logs)
    {
        if (Average != F1Average.None || _truePositives.Length == 0)
        {
            base.AddResults(logs);
            return;
        }
        for (int c = 0; c < _truePositives.Length; c++)
            logs.Add(new(_classNames[c], (float)Score(_truePositives[c], _falsePositives[c], _falseNegatives[c])));
    }

    /// <inheritdoc/>
    public override Metric CreateNew() => new F1Score(Average, Threshold, Name);

    /// <inheritdoc/>
    public override void Reset()
    {
        Array.Clear(_truePositives);
        Array.Clear(_falsePositives);
        Array.Clear(_falseNegatives);
        Array.Clear(_support);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Also when the row width differs from the earlier batches'.</exception>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        if (_truePositives.Length == 0)
        {
            _truePositives = new double[outputsPerSample];
            _falsePositives = new double[outputsPerSample];
            _falseNegatives = new double[outputsPerSample];
            _support = new double[outputsPerSample];
            _classNames = new string[outputsPerSample];
            for (int c = 0; c < outputsPerSample; c++) _classNames[c] = Name + "_" + c.ToString(CultureInfo.InvariantCulture);
        }
        else if (_truePositives.Length != outputsPerSample)
            throw new ArgumentException($"{Name} counted rows of {_truePositives.Length} classes, and now gets rows of {outputsPerSample}.", nameof(outputsPerSample));

        for (int start = 0; start < outputs.Length; start += outputsPerSample)
        {
            var row = outputs.Slice(start, outputsPerSample);
            float cut = Threshold ?? System.Numerics.Tensors.TensorPrimitives.Max(row);
            for (int c = 0; c < outputsPerSample; c++)
            {
                // Keras: y_pred > threshold, or without one y_pred >= max(row) and |y_pred| > 1e-9 (so a row of zeros predicts nothing).
                double predicted = (Threshold is null ? row[c] >= cut && MathF.Abs(row[c]) > 1e-9f : row[c] > cut) ? 1 : 0;
                double actual = targets[start + c];
                _truePositives[c] += predicted * actual;
                _falsePositives[c] += predicted * (1 - actual);
                _falseNegatives[c] += (1 - predicted) * actual;
                _support[c] += actual;
            }
        }
    }

    private static double Score(double truePositives, double falsePositives, double falseNegatives)
    {
        double precision = truePositives / (truePositives + falsePositives + Epsilon);
        double recall = truePositives / (truePositives + falseNegatives + Epsilon);
        return 2 * (precision * recall / (precision + recall + Epsilon));
    }
}
