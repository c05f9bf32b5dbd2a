using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>What every loss does the same way: Keras' <c>sum_over_batch_size</c> weighting and the softmax's Jacobian.</summary>
internal static class LossReduction
{
    /// <summary>Sample <paramref name="sample"/>'s weight: 1 when there are no weights.</summary>
    public static float Weight(ReadOnlySpan<float> sampleWeights, int sample) => sampleWeights.IsEmpty ? 1f : sampleWeights[sample];

    /// <summary>
    /// Turns a gradient with respect to softmax outputs into one with respect to the logits, row by row:
    /// dz[i] = p[i] * (dp[i] - sum_j dp[j] p[j]).
    /// </summary>
    public static void ThroughSoftmax(ReadOnlySpan<float> probabilities, Span<float> gradient, int width)
    {
        for (int start = 0; start < gradient.Length; start += width)
        {
            var row = probabilities.Slice(start, width);
            var gradientRow = gradient.Slice(start, width);
            float weightedSum = TensorPrimitives.Dot(gradientRow, row);
            TensorPrimitives.Subtract(gradientRow, weightedSum, gradientRow);
            TensorPrimitives.Multiply(gradientRow, row, gradientRow);
        }
    }
}
