namespace ConvNetGen;

/// <summary>
/// Binary crossentropy (Keras' <c>BinaryCrossentropy</c>) for sigmoid outputs: binary classification with one output
/// or multi-label classification with one sigmoid per label, against 0/1 (or soft) float targets. Per element, on
/// probabilities clipped as Keras does to [1e-7, 1 - 1e-7]:
/// <code>
/// y' = y (1 - labelSmoothing) + 0.5 labelSmoothing
/// term = -(y' log(clip(p)) + (1 - y') log(1 - clip(p)))
/// </code>
/// averaged over each sample's outputs, then the weighted sum over the batch divided by the batch size. With
/// <c>fromLogits</c> the outputs are logits (a linear last layer) and the stable form
/// <c>max(z, 0) - z y' + log(1 + exp(-|z|))</c> is used, as Keras' JAX and TensorFlow backends do.
/// </summary>
/// <remarks>
/// Holds no state; thread-safe. The gradient is the exact derivative of that formula: zero where a probability was
/// clipped (as autodiff through a clip gives), so a saturated sigmoid stops learning, as in Keras on probabilities.
/// </remarks>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Keras' <c>backend.epsilon()</c>, the clipping bound of the probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>A binary crossentropy on probabilities, or on logits with <paramref name="fromLogits"/>, with targets smoothed towards 0.5 by <paramref name="labelSmoothing"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public BinaryCrossentropy(bool fromLogits = false, float labelSmoothing = 0f)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Whether the outputs are logits rather than probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>How far the targets are pulled towards 0.5.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient) =>
        FromLogits
            ? ElementwiseLoss.Compute(new LogitTerm(LabelSmoothing), outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient)
            : ElementwiseLoss.Compute(new ProbabilityTerm(LabelSmoothing), outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient);

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample) =>
        FromLogits
            ? ElementwiseLoss.Compute(new LogitTerm(LabelSmoothing), outputs, targets, sampleWeights, outputsPerSample)
            : ElementwiseLoss.Compute(new ProbabilityTerm(LabelSmoothing), outputs, targets, sampleWeights, outputsPerSample);

    private readonly struct ProbabilityTerm(float smoothing) : IElementLoss
    {
        public double Value(float p, float y)
        {
            double target = y * (1.0 - smoothing) + 0.5 * smoothing;
            double clipped = Math.Clamp(p, Epsilon, 1f - Epsilon);
            return -(target * Math.Log(clipped) + (1 - target) * Math.Log(1 - clipped));
        }

        public float Derivative(float p, float y)
        {
            if (!(p >= Epsilon && p <= 1f - Epsilon)) return 0f; // the clip is flat here; NaN lands here too
            float target = y * (1f - smoothing) + 0.5f * smoothing;
            return (p - target) / (p * (1f - p));
        }
    }

    private readonly struct LogitTerm(float smoothing) : IElementLoss
    {
        public double Value(float z, float y)
        {
            double target = y * (1.0 - smoothing) + 0.5 * smoothing;
            return Math.Max(z, 0.0) - z * target + Math.Log(1 + Math.Exp(-Math.Abs((double)z)));
        }

        public float Derivative(float z, float y)
        {
            float target = y * (1f - smoothing) + 0.5f * smoothing;
            return 1f / (1f + MathF.Exp(-z)) - target;
        }
    }
}
