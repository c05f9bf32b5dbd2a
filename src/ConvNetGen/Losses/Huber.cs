namespace ConvNetGen;

/// <summary>
/// Huber loss (Keras' <c>Huber</c>, logged as <c>huber_loss</c>): per element, with e = p - y,
/// <c>0.5 e²</c> where |e| ≤ delta and <c>delta |e| - 0.5 delta²</c> beyond; the mean over each sample's outputs, then
/// the weighted sum over the batch divided by the batch size.
/// </summary>
/// <remarks>Holds no state; thread-safe.</remarks>
public sealed class Huber : Loss
{
    /// <summary>A Huber loss quadratic up to <paramref name="delta"/> (Keras' default 1.0) and linear beyond.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not a positive finite number.</exception>
    public Huber(float delta = 1f)
    {
        if (!(delta > 0f) || !float.IsFinite(delta))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber's delta must be a positive finite number.");
        Delta = delta;
    }

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    public override string Name => "huber_loss";

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient) =>
        ElementwiseLoss.Compute(new Term(Delta), outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient);

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample) =>
        ElementwiseLoss.Compute(new Term(Delta), outputs, targets, sampleWeights, outputsPerSample);

    private readonly struct Term(float delta) : IElementLoss
    {
        public double Value(float p, float y)
        {
            double error = (double)p - y, magnitude = Math.Abs(error);
            return magnitude <= delta ? 0.5 * error * error : delta * magnitude - 0.5 * delta * (double)delta;
        }

        public float Derivative(float p, float y)
        {
            float error = p - y;
            return MathF.Abs(error) <= delta ? error : delta * MathF.Sign(error);
        }
    }
}
