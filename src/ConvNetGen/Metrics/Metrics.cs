namespace ConvNetGen;

/// <summary>The built-in metrics, by their Keras names.</summary>
public static class Metrics
{
    /// <summary>
    /// A <em>new</em> sparse categorical accuracy metric (Keras' <c>"accuracy"</c> with integer labels) on every access:
    /// a metric keeps a running count, so each model must own its instance and sharing one would mix their counts.
    /// </summary>
    public static Metric Accuracy => new SparseCategoricalAccuracy();
}
