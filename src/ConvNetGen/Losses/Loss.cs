namespace ConvNetGen;

/// <summary>
/// A loss between a batch of model outputs (batch × classes, row-major, after the last layer's activation) and the
/// batch's integer class labels, reduced to its mean over the batch (Keras' <c>sum_over_batch_size</c> reduction).
/// </summary>
/// <remarks>Losses hold no state: one instance may serve any number of models and threads.</remarks>
public abstract class Loss
{
    /// <summary>The loss's Keras name, e.g. <c>sparse_categorical_crossentropy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Computes the mean loss over the batch and writes its gradient into <paramref name="outputGradient"/>: with respect to
    /// the last layer's pre-activation values when <paramref name="outputActivation"/> is <see cref="Activation.Softmax"/>
    /// (the softmax's Jacobian is applied here, fused with the loss), otherwise with respect to the outputs themselves
    /// (the model applies the activation's derivative). Allocates nothing.
    /// </summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <param name="outputActivation">The last layer's activation.</param>
    /// <param name="outputGradient">Receives the gradient of the mean loss; same length as <paramref name="outputs"/>.</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, a label is outside [0, classes), or <paramref name="outputActivation"/> is not defined.</exception>
    public abstract float Compute(
        ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, Activation outputActivation, Span<float> outputGradient);

    /// <summary>Computes the mean loss over the batch without a gradient (evaluation). Allocates nothing.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <returns>The mean loss over the batch.</returns>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1 or a label is outside [0, classes).</exception>
    public abstract float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes);

    /// <summary>Returns <see cref="Name"/>.</summary>
    /// <returns>The loss's Keras name.</returns>
    public override string ToString() => Name;
}
