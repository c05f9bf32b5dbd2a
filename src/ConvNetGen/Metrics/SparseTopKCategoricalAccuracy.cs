namespace ConvNetGen;

/// <summary>
/// The fraction of samples whose label is among the <c>k</c> highest outputs (Keras'
/// <c>SparseTopKCategoricalAccuracy</c>, default k = 5), as a running mean weighted by sample count. As Keras'
/// <c>in_top_k</c>, classes tied with the label's score at the boundary all count as in the top k: a sample is right
/// when fewer than k classes score strictly higher than its label. A non-finite label score is never right.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class SparseTopKCategoricalAccuracy : Metric
{
    private long _correct;
    private long _count;

    /// <summary>A top-<paramref name="k"/> accuracy, logged as <paramref name="name"/> (Keras' default name).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        K = k;
        Name = name;
    }

    /// <summary>How many of the highest outputs the label may be among.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result => _count == 0 ? 0f : (float)((double)_correct / _count);

    /// <inheritdoc/>
    public override Metric CreateNew() => new SparseTopKCategoricalAccuracy(K, Name);

    /// <inheritdoc/>
    public override void Reset()
    {
        _correct = 0;
        _count = 0;
    }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        int batch = BatchArguments.Validate(outputs, labels, classes);
        long correct = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            var row = outputs.Slice(sample * classes, classes);
            float score = row[labels[sample]];
            if (!float.IsFinite(score)) continue;
            int higher = 0;
            foreach (float other in row)
                if (other > score) higher++;
            if (higher < K) correct++;
        }
        _correct += correct;
        _count += batch;
    }
}
