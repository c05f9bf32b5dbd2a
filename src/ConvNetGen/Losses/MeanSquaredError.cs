using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>
/// Mean squared error between the outputs and the one-hot encoding of the integer labels (Keras'
/// <c>MeanSquaredError</c> on <c>to_categorical</c> targets): the squared differences are averaged over the classes of
/// each sample, then over the batch.
/// <code>
/// loss = mean over samples of mean over j of (p[j] - onehot(label)[j])^2
/// </code>
/// </summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override float Compute(
        ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, Activation outputActivation, Span<float> outputGradient)
    {
        int batch = BatchArguments.Validate(outputs, labels, classes, outputActivation, outputGradient);

        // d loss / d p[j] = 2 (p[j] - onehot[j]) / (batch * classes)
        float scale = 2f / ((float)batch * classes);
        TensorPrimitives.Multiply(outputs, scale, outputGradient);
        for (int sample = 0; sample < batch; sample++)
            outputGradient[sample * classes + labels[sample]] -= scale;

        if (outputActivation == Activation.Softmax)
        {
            // Through the softmax's Jacobian: dz[i] = p[i] * (dp[i] - sum_j dp[j] p[j]).
            for (int sample = 0; sample < batch; sample++)
            {
                var row = outputs.Slice(sample * classes, classes);
                var gradientRow = outputGradient.Slice(sample * classes, classes);
                float weightedSum = TensorPrimitives.Dot(gradientRow, row);
                TensorPrimitives.Subtract(gradientRow, weightedSum, gradientRow);
                TensorPrimitives.Multiply(gradientRow, row, gradientRow);
            }
        }
        return MeanLoss(outputs, labels, classes);
    }

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        BatchArguments.Validate(outputs, labels, classes);
        return MeanLoss(outputs, labels, classes);
    }

    private static float MeanLoss(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        int batch = labels.Length;
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            var row = outputs.Slice(sample * classes, classes);
            int label = labels[sample];
            for (int j = 0; j < classes; j++)
            {
                double difference = row[j] - (j == label ? 1.0 : 0.0);
                total += difference * difference;
            }
        }
        return (float)(total / ((double)batch * classes));
    }
}
