using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>
/// The fraction of samples whose highest output is where their one-hot (or soft) target is highest (Keras'
/// <c>CategoricalAccuracy</c>); ties go to the first maximal index on both sides, as <c>argmax</c> does.
/// </summary>
/// <remarks>Holds running state; not thread-safe (see <see cref="Metric"/>).</remarks>
public sealed class CategoricalAccuracy : Metric
{
    private long _correct;
    private long _count;

    /// <summary>A categorical accuracy logged as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public CategoricalAccuracy(string name = "categorical_accuracy")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override float Result => _count == 0 ? 0f : (float)((double)_correct / _count);

    /// <inheritdoc/>
    public override Metric CreateNew() => new CategoricalAccuracy(Name);

    /// <inheritdoc/>
    public override void Reset() => (_correct, _count) = (0, 0);

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample)
    {
        int batch = BatchArguments.Validate(outputs, targets, default, outputsPerSample);
        for (int start = 0; start < outputs.Length; start += outputsPerSample)
            if (TensorPrimitives.IndexOfMax(outputs.Slice(start, outputsPerSample)) == TensorPrimitives.IndexOfMax(targets.Slice(start, outputsPerSample)))
                _correct++;
        _count += batch;
    }
}
