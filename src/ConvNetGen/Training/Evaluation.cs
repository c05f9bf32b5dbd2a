namespace ConvNetGen;

/// <summary>
/// The result of <c>Evaluate</c>: the mean loss, each compiled metric, and for integer labels the confusion matrix;
/// deconstructs to (loss, accuracy).
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class Evaluation
{
    internal Evaluation(float loss, IReadOnlyDictionary<string, float> metrics, ConfusionMatrix? confusionMatrix = null)
    {
        Loss = loss;
        Metrics = metrics;
        ConfusionMatrix = confusionMatrix;
    }

    /// <summary>An evaluation of the metrics' results (each metric's <see cref="Metric.AddResults"/> entries).</summary>
    internal static Evaluation Of(float loss, Metric[] metrics, ConfusionMatrix? confusionMatrix)
    {
        var results = new Dictionary<string, float>();
        var entries = new List<KeyValuePair<string, float>>();
        foreach (var metric in metrics) metric.AddResults(entries);
        foreach (var (name, value) in entries) results.Add(name, value); // two metrics of one name are an error, as before
        return new Evaluation(loss, results, confusionMatrix);
    }

    /// <summary>The mean loss over the samples (weighted as Keras' <c>sum_over_batch_size</c> when sample weights were given).</summary>
    public float Loss { get; }

    /// <summary>Each compiled metric by name, e.g. <c>accuracy</c>.</summary>
    public IReadOnlyDictionary<string, float> Metrics { get; }

    /// <summary>
    /// Counts of true class × predicted class (the highest output) over the evaluated samples, whatever metrics were
    /// compiled; null when the targets were float rows rather than class labels.
    /// </summary>
    public ConfusionMatrix? ConfusionMatrix { get; }

    /// <summary>The <c>accuracy</c> metric.</summary>
    /// <exception cref="InvalidOperationException">The model was compiled without <c>Metrics.Accuracy</c>.</exception>
    public float Accuracy => Metrics.TryGetValue("accuracy", out float value) ? value
        : throw new InvalidOperationException("The model was compiled without the accuracy metric; pass metrics: [Metrics.Accuracy] to Compile.");

    /// <summary>Deconstructs into loss and accuracy: <c>var (loss, accuracy) = model.Evaluate(x, y);</c>.</summary>
    public void Deconstruct(out float loss, out float accuracy)
    {
        loss = Loss;
        accuracy = Accuracy;
    }
}
