using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>
/// Crossentropy between one-hot or soft float labels and predicted class probabilities (Keras'
/// <c>CategoricalCrossentropy</c>). As Keras does for probabilities, each output row is rescaled to sum to 1 and
/// clipped to [1e-7, 1 - 1e-7] before the log; with <c>fromLogits</c> the outputs are logits and a log-softmax is used:
/// <code>
/// y' = y (1 - labelSmoothing) + labelSmoothing / classes
/// per sample: -sum over j of y'[j] log(clip(p[j] / sum(p)))      (or y'[j] log_softmax(z)[j])
/// </code>
/// then the weighted sum over the batch divided by the batch size. Integer labels are taken as one-hot rows.
/// </summary>
/// <remarks>
/// Holds no state; thread-safe. Behind a softmax the fused, stable gradient <c>w (p sum(y') - y') / batch</c> with respect
/// to the logits is written (as for <see cref="SparseCategoricalCrossentropy"/>); otherwise the exact derivative of the
/// formula, zero through a clipped probability.
/// </remarks>
public sealed class CategoricalCrossentropy : Loss
{
    /// <summary>Keras' <c>backend.epsilon()</c>, the clipping bound of the probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>A categorical crossentropy on probabilities, or on logits with <paramref name="fromLogits"/>, with labels smoothed towards uniform by <paramref name="labelSmoothing"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public CategoricalCrossentropy(bool fromLogits = false, float labelSmoothing = 0f)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Whether the outputs are logits rather than probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>How far the labels are pulled towards the uniform distribution.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient)
    {
        int batch = BatchArguments.Validate(outputs, targets, sampleWeights, outputsPerSample, outputActivation, outputGradient);
        int width = outputsPerSample;
        bool fused = outputActivation == Activation.Softmax && !FromLogits;
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            float scale = LossReduction.Weight(sampleWeights, sample) / batch;
            var row = outputs.Slice(sample * width, width);
            var target = targets.Slice(sample * width, width);
            var gradientRow = outputGradient.Slice(sample * width, width);
            total += LossReduction.Weight(sampleWeights, sample) * RowLoss(row, target);
            float targetSum = 0;
            for (int j = 0; j < width; j++) targetSum += Smooth(target[j], width);
            if (FromLogits || fused)
            {
                // d/dz of -sum y' log_softmax(z) = softmax(z) sum(y') - y'; behind a softmax the outputs already are softmax(z).
                if (FromLogits) Softmax(row, gradientRow);
                else row.CopyTo(gradientRow);
                for (int j = 0; j < width; j++)
                    gradientRow[j] = scale * (gradientRow[j] * targetSum - Smooth(target[j], width));
                continue;
            }
            // loss = -sum y'[j] log(p[j] / S): d/dp[k] = -y'[k] m[k] / p[k] + sum_j y'[j] m[j] / S, m[j] = 0 where the clip is flat.
            float rowSum = TensorPrimitives.Sum(row);
            float unclippedTargets = 0;
            for (int j = 0; j < width; j++)
            {
                float q = row[j] / rowSum;
                bool inside = q >= Epsilon && q <= 1f - Epsilon;
                float y = Smooth(target[j], width);
                gradientRow[j] = inside ? -scale * y / row[j] : 0f;
                if (inside) unclippedTargets += y;
            }
            TensorPrimitives.Add(gradientRow, scale * unclippedTargets / rowSum, gradientRow);
        }
        if (FromLogits && outputActivation == Activation.Softmax) LossReduction.ThroughSoftmax(outputs, outputGradient, width);
        return (float)(total / batch);
    }

    /// <inheritdoc/>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample)
    {
        int batch = BatchArguments.Validate(outputs, targets, sampleWeights, outputsPerSample);
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
            total += LossReduction.Weight(sampleWeights, sample)
                * RowLoss(outputs.Slice(sample * outputsPerSample, outputsPerSample), targets.Slice(sample * outputsPerSample, outputsPerSample));
        return (float)(total / batch);
    }

    private float Smooth(float y, int classes) => y * (1f - LabelSmoothing) + LabelSmoothing / classes;

    private double RowLoss(ReadOnlySpan<float> row, ReadOnlySpan<float> target)
    {
        int width = row.Length;
        double loss = 0;
        if (FromLogits)
        {
            double max = TensorPrimitives.Max(row), sumExp = 0;
            foreach (float z in row) sumExp += Math.Exp(z - max);
            double logSumExp = max + Math.Log(sumExp);
            for (int j = 0; j < width; j++) loss += Smooth(target[j], width) * (logSumExp - row[j]);
            return loss;
        }
        float rowSum = TensorPrimitives.Sum(row);
        for (int j = 0; j < width; j++)
            loss -= Smooth(target[j], width) * Math.Log(Math.Clamp(row[j] / rowSum, Epsilon, 1f - Epsilon));
        return loss;
    }

    private static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        TensorPrimitives.Divide(probabilities, TensorPrimitives.Sum(probabilities), probabilities);
    }
}
