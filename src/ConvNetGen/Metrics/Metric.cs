namespace ConvNetGen;

/// <summary>
/// A running metric over the batches of an epoch (Keras' stateful <c>Metric</c>): <see cref="Update"/> accumulates a
/// batch, <see cref="Result"/> reads the value so far, <see cref="Reset"/> starts over.
/// </summary>
/// <remarks>
/// An instance holds running state and is not thread-safe: give each model its own. The model uses the instance
/// compiled into it for training logs, and a <see cref="CreateNew"/> copy for each <c>Evaluate</c> call, so
/// evaluations running on several threads at once never share state.
/// </remarks>
public abstract class Metric
{
    /// <summary>The name Keras reports the metric under in its logs, e.g. <c>accuracy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The metric over every sample accumulated since the last <see cref="Reset"/>; 0 when there is none.</summary>
    public abstract float Result { get; }

    /// <summary>
    /// A new metric with this one's configuration (name, thresholds, whatever its constructor took) and nothing
    /// accumulated. <c>Evaluate</c> calls it once per call instead of sharing this instance.
    /// </summary>
    public abstract Metric CreateNew();

    /// <summary>Forgets every accumulated sample.</summary>
    public abstract void Reset();

    /// <summary>Accumulates one batch. Allocates nothing.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>, row-major.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1 or a label is outside [0, classes).</exception>
    public abstract void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes);

    /// <summary>Returns <see cref="Name"/>.</summary>
    /// <returns>The metric's name.</returns>
    public override string ToString() => Name;
}
