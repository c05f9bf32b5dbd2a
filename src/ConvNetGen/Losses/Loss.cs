using System.Buffers;

namespace ConvNetGen;

/// <summary>
/// A loss between a batch of model outputs (batch × outputs, row-major, after the last layer's activation) and the
/// batch's targets, reduced as Keras' default <c>sum_over_batch_size</c>: the sum of the per-sample losses, each times
/// its sample weight (1 without weights), divided by the batch size.
/// </summary>
/// <remarks>
/// <para>
/// Targets come in two kinds: integer class labels (one per sample) and float targets (one row of the output's width
/// per sample, e.g. regression values, one-hot or soft labels, multi-label 0/1 rows). A loss overrides the kinds it
/// takes: by default integer labels are one-hot encoded and given to the float-target overloads, as Keras'
/// <c>to_categorical</c> would, and float targets are refused with <see cref="NotSupportedException"/>.
/// </para>
/// <para>Losses hold no state: one instance may serve any number of models and threads.</para>
/// </remarks>
public abstract class Loss
{
    /// <summary>The loss's Keras name, e.g. <c>sparse_categorical_crossentropy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Computes the mean loss over the batch and writes its gradient into <paramref name="outputGradient"/>: with respect to
    /// the last layer's pre-activation values when <paramref name="outputActivation"/> is <see cref="Activation.Softmax"/>
    /// (the softmax's Jacobian is applied here, fused with the loss), otherwise with respect to the outputs themselves
    /// (the model applies the activation's derivative). Allocates nothing once warm.
    /// </summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <param name="outputActivation">The last layer's activation.</param>
    /// <param name="outputGradient">Receives the gradient of the mean loss; same length as <paramref name="outputs"/>.</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, a label is outside [0, classes), or <paramref name="outputActivation"/> is not defined.</exception>
    public virtual float Compute(
        ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, Activation outputActivation, Span<float> outputGradient) =>
        Compute(outputs, labels, default, classes, outputActivation, outputGradient);

    /// <summary>Computes the mean loss over the batch without a gradient (evaluation). Allocates nothing once warm.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1 or a label is outside [0, classes).</exception>
    public virtual float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes) =>
        Compute(outputs, labels, default, classes);

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{int}, int, Activation, Span{float})"/>, each sample's loss
    /// weighted by <paramref name="sampleWeights"/> (empty: every weight is 1). By default the labels are one-hot
    /// encoded and passed to the float-target overload.
    /// </summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="sampleWeights">One non-negative weight per sample, or empty.</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <param name="outputActivation">The last layer's activation.</param>
    /// <param name="outputGradient">Receives the gradient of the weighted mean loss; same length as <paramref name="outputs"/>.</param>
    /// <returns>The sum of the weighted per-sample losses divided by the batch size.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree, the batch is empty, or a weight is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, a label is outside [0, classes), or <paramref name="outputActivation"/> is not defined.</exception>
    /// <exception cref="NotSupportedException">The loss takes neither integer labels nor float targets.</exception>
    public virtual float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights, int classes,
        Activation outputActivation, Span<float> outputGradient)
    {
        BatchArguments.Validate(outputs, labels, classes, outputActivation, outputGradient);
        float[] oneHot = RentOneHot(labels, classes);
        try
        {
            return Compute(outputs, oneHot.AsSpan(0, outputs.Length), sampleWeights, classes, outputActivation, outputGradient);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(oneHot);
        }
    }

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>, each sample's loss weighted by
    /// <paramref name="sampleWeights"/> (empty: every weight is 1).
    /// </summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="sampleWeights">One non-negative weight per sample, or empty.</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <returns>The sum of the weighted per-sample losses divided by the batch size.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree, the batch is empty, or a weight is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1 or a label is outside [0, classes).</exception>
    /// <exception cref="NotSupportedException">The loss takes neither integer labels nor float targets.</exception>
    public virtual float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights, int classes)
    {
        BatchArguments.Validate(outputs, labels, classes);
        float[] oneHot = RentOneHot(labels, classes);
        try
        {
            return Compute(outputs, oneHot.AsSpan(0, outputs.Length), sampleWeights, classes);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(oneHot);
        }
    }

    /// <summary>
    /// Computes the weighted mean loss of a batch against float targets (one row of <paramref name="outputsPerSample"/>
    /// values per sample) and writes its gradient into <paramref name="outputGradient"/>, with respect to the
    /// pre-activation values behind a <see cref="Activation.Softmax"/> and to the outputs otherwise, as the integer-label
    /// overload does. Allocates nothing.
    /// </summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="outputsPerSample"/>.</param>
    /// <param name="targets">The targets, the same shape as <paramref name="outputs"/>.</param>
    /// <param name="sampleWeights">One non-negative weight per sample, or empty (every weight is 1).</param>
    /// <param name="outputsPerSample">The width of one output row.</param>
    /// <param name="outputActivation">The last layer's activation.</param>
    /// <param name="outputGradient">Receives the gradient of the weighted mean loss; same length as <paramref name="outputs"/>.</param>
    /// <returns>The sum of the weighted per-sample losses divided by the batch size.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree, the batch is empty, or a weight is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputsPerSample"/> is less than 1 or <paramref name="outputActivation"/> is not defined.</exception>
    /// <exception cref="NotSupportedException">The loss takes only integer class labels (the default).</exception>
    public virtual float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient) =>
        throw FloatTargetsNotSupported();

    /// <summary>Computes the weighted mean loss of a batch against float targets without a gradient (evaluation). Allocates nothing.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="outputsPerSample"/>.</param>
    /// <param name="targets">The targets, the same shape as <paramref name="outputs"/>.</param>
    /// <param name="sampleWeights">One non-negative weight per sample, or empty (every weight is 1).</param>
    /// <param name="outputsPerSample">The width of one output row.</param>
    /// <returns>The sum of the weighted per-sample losses divided by the batch size.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree, the batch is empty, or a weight is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputsPerSample"/> is less than 1.</exception>
    /// <exception cref="NotSupportedException">The loss takes only integer class labels (the default).</exception>
    public virtual float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample) =>
        throw FloatTargetsNotSupported();

    /// <summary>Returns <see cref="Name"/>.</summary>
    /// <returns>The loss's Keras name.</returns>
    public override string ToString() => Name;

    private NotSupportedException FloatTargetsNotSupported() =>
        new($"The {Name} loss takes integer class labels, not float targets; for one-hot or soft labels use CategoricalCrossentropy, for regression MeanSquaredError.");

    // Pooled, so the loss stays stateless (thread-safe) and a warm step allocates nothing.
    private static float[] RentOneHot(ReadOnlySpan<int> labels, int classes)
    {
        var oneHot = ArrayPool<float>.Shared.Rent(labels.Length * classes);
        oneHot.AsSpan(0, labels.Length * classes).Clear();
        for (int sample = 0; sample < labels.Length; sample++)
            oneHot[sample * classes + labels[sample]] = 1f;
        return oneHot;
    }
}
