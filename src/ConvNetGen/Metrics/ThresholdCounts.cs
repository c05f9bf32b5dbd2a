namespace ConvNetGen;

/// <summary>
/// The true/false positive/negative counts Keras' <c>Precision</c> and <c>Recall</c> keep at one threshold: an output
/// is predicted positive when it is above the threshold, a target is positive when it is not 0 (Keras casts it to
/// bool); every element counts, or only column <c>classId</c>.
/// </summary>
internal struct ThresholdCounts
{
    public long TruePositives, FalsePositives, FalseNegatives;

    public void Add(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int width, float threshold, int? classId)
    {
        if (classId is int id && id >= width)
            throw new ArgumentOutOfRangeException(nameof(classId), id, $"classId {id} is outside the {width} outputs of a row.");
        for (int start = 0; start < outputs.Length; start += width)
            for (int j = classId ?? 0, end = classId is null ? width : j + 1; j < end; j++)
            {
                bool predicted = outputs[start + j] > threshold, actual = targets[start + j] != 0f;
                if (predicted && actual) TruePositives++;
                else if (predicted) FalsePositives++;
                else if (actual) FalseNegatives++;
            }
    }

    /// <summary>a / (a + b), 0 when both are 0 (Keras' <c>divide_no_nan</c>).</summary>
    public static float Ratio(long a, long b) => a + b == 0 ? 0f : (float)((double)a / (a + b));
}
