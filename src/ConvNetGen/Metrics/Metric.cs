namespace ConvNetGen;

/// <summary>
/// A running metric over the batches of an epoch (Keras' stateful <c>Metric</c>): <c>Update</c> accumulates a
/// batch, <see cref="Result"/> reads the value so far, <see cref="Reset"/> starts over.
/// </summary>
/// <remarks>
/// <para>
/// Targets come as integer class labels or as float targets (one row of the output's width per sample); a metric
/// overrides the kinds it takes. By default integer labels are one-hot encoded and given to the float-target
/// <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>, and float targets are refused. As Keras'
/// <c>compile(metrics=...)</c> metrics, they are not weighted by sample or class weights.
/// </para>
/// <para>
/// An instance holds running state and is not thread-safe: give each model its own. The model uses the instance
/// compiled into it for training logs, and a <see cref="CreateNew"/> copy for each <c>Evaluate</c> call, so
/// evaluations running on several threads at once never share state.
/// </para>
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

    /// <summary>Accumulates one batch with integer labels (by default, as their one-hot rows). Allocates nothing once warm.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="classes"/>, row-major.</param>
    /// <param name="labels">The class index of each sample, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (the width of one output row).</param>
    /// <exception cref="ArgumentException">The spans' lengths do not agree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1 or a label is outside [0, classes).</exception>
    /// <exception cref="NotSupportedException">The metric takes neither integer labels nor float targets.</exception>
    public virtual void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        BatchArguments.Validate(outputs, labels, classes);
        if (_oneHot.Length < outputs.Length) _oneHot = new float[outputs.Length]; // grown once per batch size; kept, as the metric is single-threaded
        var oneHot = _oneHot.AsSpan(0, outputs.Length);
        oneHot.Clear();
        for (int sample = 0; sample < labels.Length; sample++)
            oneHot[sample * classes + labels[sample]] = 1f;
        Update(outputs, oneHot, classes);
    }

    /// <summary>Accumulates one batch with float targets. Allocates nothing.</summary>
    /// <param name="outputs">The model outputs, batch × <paramref name="outputsPerSample"/>, row-major.</param>
    /// <param name="targets">The targets, the same shape as <paramref name="outputs"/>.</param>
    /// <param name="outputsPerSample">The width of one output row.</param>
    /// <exception cref="ArgumentException">The spans' lengths do not agree, the batch is empty, or a target is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputsPerSample"/> is less than 1.</exception>
    /// <exception cref="NotSupportedException">The metric takes only integer class labels (the default).</exception>
    public virtual void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputsPerSample) =>
        throw new NotSupportedException(
            $"The {Name} metric takes integer class labels, not float targets; for one-hot labels use CategoricalAccuracy, for 0/1 targets BinaryAccuracy.");

    /// <summary>
    /// Adds the metric's entries to the training logs and to <c>Evaluation.Metrics</c>: by default one, <see cref="Name"/>
    /// with <see cref="Result"/>; a metric with one value per class (e.g. <see cref="F1Score"/> without averaging) adds one
    /// entry per class.
    /// </summary>
    /// <param name="logs">Where the entries go.</param>
    public virtual void AddResults(ICollection<KeyValuePair<string, float>> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        logs.Add(new(Name, Result));
    }

    private float[] _oneHot = [];

    /// <summary>Returns <see cref="Name"/>.</summary>
    /// <returns>The metric's name.</returns>
    public override string ToString() => Name;
}
