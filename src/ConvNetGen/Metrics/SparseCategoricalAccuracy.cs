using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>
/// The fraction of samples whose highest output is at their label's index (Keras' <c>sparse_categorical_accuracy</c>,
/// which <c>metrics=["accuracy"]</c> becomes with integer labels), as a running mean weighted by sample count.
/// Ties go to the first maximal class, as <c>argmax</c> does.
/// </summary>
public sealed class SparseCategoricalAccuracy : Metric
{
    // Counted exactly, so the mean over an epoch does not depend on how it was split into batches.
    private long _correct;
    private long _count;

    /// <summary>The number of samples accumulated since the last <see cref="Reset"/>.</summary>
    public long Count => _count;

    /// <inheritdoc/>
    public override string Name => "accuracy";

    /// <inheritdoc/>
    public override float Result => _count == 0 ? 0f : (float)((double)_correct / _count);

    /// <inheritdoc/>
    public override Metric CreateNew() => new SparseCategoricalAccuracy();

    /// <inheritdoc/>
    public override void Reset()
    {
        _correct = 0;
        _count = 0;
    }

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        int batch = BatchArguments.Validate(outputs, labels, classes);
        long correct = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            if (TensorPrimitives.IndexOfMax(outputs.Slice(sample * classes, classes)) == labels[sample])
                correct++;
        }
        _correct += correct;
        _count += batch;
    }
}
