namespace ConvNetGen;

/// <summary>
/// Mean squared error (Keras' <c>MeanSquaredError</c>): per sample the mean over its outputs of the squared
/// difference, then the weighted sum over the batch divided by the batch size. Float targets are the regression
/// values; integer labels are compared with their one-hot encoding (as Keras on <c>to_categorical</c> targets).
/// <code>
/// loss = sum over samples of w * mean over j of (p[j] - y[j])^2, divided by the batch size
/// </code>
/// </summary>
/// <remarks>Holds no state; thread-safe.</remarks>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient) =>
        ElementwiseLoss.Compute(new Term(), outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient);

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample) =>
        ElementwiseLoss.Compute(new Term(), outputs, targets, sampleWeights, outputsPerSample);

    private readonly struct Term : IElementLoss
    {
        public double Value(float p, float y)
        {
            double difference = (double)p - y;
            return difference * difference;
        }

        public float Derivative(float p, float y) => 2f * (p - y);
    }
}
