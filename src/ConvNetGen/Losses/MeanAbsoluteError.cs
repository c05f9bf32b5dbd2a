namespace ConvNetGen;

/// <summary>
/// Mean absolute error (Keras' <c>MeanAbsoluteError</c>): per sample the mean over its outputs of |p - y|, then the
/// weighted sum over the batch divided by the batch size. The gradient at p = y is 0, as autodiff of <c>abs</c> gives.
/// </summary>
/// <remarks>Holds no state; thread-safe. The metric of the same name is <see cref="MeanAbsoluteErrorMetric"/>.</remarks>
public sealed class MeanAbsoluteError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_error";

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient) =>
        ElementwiseLoss.Compute(new Term(), outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient);

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample) =>
        ElementwiseLoss.Compute(new Term(), outputs, targets, sampleWeights, outputsPerSample);

    private readonly struct Term : IElementLoss
    {
        public double Value(float p, float y) => Math.Abs((double)p - y);

        public float Derivative(float p, float y) => MathF.Sign(p - y);
    }
}
