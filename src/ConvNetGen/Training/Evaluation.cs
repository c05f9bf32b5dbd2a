namespace ConvNetGen;

/// <summary>The result of <c>Evaluate</c>: the mean loss and each compiled metric; deconstructs to (loss, accuracy).</summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class Evaluation
{
    internal Evaluation(float loss, IReadOnlyDictionary<string, float> metrics)
    {
        Loss = loss;
        Metrics = metrics;
    }

    /// <summary>The mean loss over the samples.</summary>
    public float Loss { get; }

    /// <summary>Each compiled metric by name, e.g. <c>accuracy</c>.</summary>
    public IReadOnlyDictionary<string, float> Metrics { get; }

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
