using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>
/// Crossentropy between integer labels and predicted class probabilities (Keras'
/// <c>SparseCategoricalCrossentropy(from_logits=False)</c>). As Keras does for probabilities, each output row is first
/// rescaled to sum to 1, then the label's probability is clipped to [1e-7, 1 - 1e-7] before the log, so a probability
/// of 0 costs -log(1e-7) ≈ 16.12 instead of infinity:
/// <code>
/// loss = mean over samples of -log(clip(p[label] / sum(p), 1e-7, 1 - 1e-7))
/// </code>
/// </summary>
/// <remarks>
/// The gradient is the exact derivative of that formula (zero for a sample whose probability was clipped, as autodiff
/// through a clip gives), except behind a softmax, where the fused, stable form <c>(p - onehot(label)) / batch</c> with
/// respect to the logits is written instead.
/// Holds no state; thread-safe. Float targets are refused: for one-hot or soft labels use <see cref="CategoricalCrossentropy"/>.
/// </remarks>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Keras' <c>backend.epsilon()</c>, the clipping bound of the probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights, int classes,
        Activation outputActivation, Span<float> outputGradient)
    {
        int batch = BatchArguments.Validate(outputs, labels, classes, outputActivation, outputGradient);
        BatchArguments.ValidateWeights(sampleWeights, batch);

        if (outputActivation == Activation.Softmax)
        {
            // d(-log softmax(z)[c]) / dz = p - onehot(c): no division by p, so it stays exact when p underflows.
            if (sampleWeights.IsEmpty) TensorPrimitives.Multiply(outputs, 1f / batch, outputGradient);
            for (int sample = 0; sample < batch; sample++)
            {
                float scale = LossReduction.Weight(sampleWeights, sample) / batch;
                if (!sampleWeights.IsEmpty)
                    TensorPrimitives.Multiply(outputs.Slice(sample * classes, classes), scale, outputGradient.Slice(sample * classes, classes));
                outputGradient[sample * classes + labels[sample]] -= scale;
            }
            return MeanLoss(outputs, labels, sampleWeights, classes);
        }

        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            float weight = LossReduction.Weight(sampleWeights, sample);
            float inverseBatch = weight / batch;
            var row = outputs.Slice(sample * classes, classes);
            var gradientRow = outputGradient.Slice(sample * classes, classes);
            int label = labels[sample];
            float rowSum = TensorPrimitives.Sum(row);
            float probability = row[label] / rowSum;
            total += weight * -MathF.Log(Math.Clamp(probability, Epsilon, 1f - Epsilon));

            if (probability >= Epsilon && probability <= 1f - Epsilon)
            {
                // loss = -log(p[c]) + log(sum(p)), so d/dp[j] = 1/sum(p) - [j == c] / p[c].
                gradientRow.Fill(inverseBatch / rowSum);
                gradientRow[label] -= inverseBatch / row[label];
            }
            else
            {
                // The clip is flat here (a NaN probability lands here too, and gets no gradient).
                gradientRow.Clear();
            }
        }
        return (float)(total / batch);
    }

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights, int classes)
    {
        int batch = BatchArguments.Validate(outputs, labels, classes);
        BatchArguments.ValidateWeights(sampleWeights, batch);
        return MeanLoss(outputs, labels, sampleWeights, classes);
    }

    private static float MeanLoss(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights, int classes)
    {
        int batch = labels.Length;
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            var row = outputs.Slice(sample * classes, classes);
            float probability = row[labels[sample]] / TensorPrimitives.Sum(row);
            total += LossReduction.Weight(sampleWeights, sample) * -MathF.Log(Math.Clamp(probability, Epsilon, 1f - Epsilon));
        }
        return (float)(total / batch);
    }
}
