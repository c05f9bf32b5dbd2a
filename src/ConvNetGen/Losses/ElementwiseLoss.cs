namespace ConvNetGen;

/// <summary>One element's term of a loss that is a mean over the last axis (Keras' <c>ops.mean(..., axis=-1)</c>).</summary>
internal interface IElementLoss
{
    /// <summary>The term for output <paramref name="p"/> against target <paramref name="y"/>.</summary>
    double Value(float p, float y);

    /// <summary>Its derivative with respect to <paramref name="p"/>.</summary>
    float Derivative(float p, float y);
}

/// <summary>
/// The reduction every element-wise loss shares (mean squared and absolute error, Huber, binary crossentropy):
/// per sample the mean of the terms over its row, then the weighted sum over the batch divided by the batch size.
/// </summary>
internal static class ElementwiseLoss
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public static float Compute<TTerm>(TTerm term, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights,
        int width, Activation outputActivation, Span<float> outputGradient)
        where TTerm : struct, IElementLoss
    {
        int batch = BatchArguments.Validate(outputs, targets, sampleWeights, width, outputActivation, outputGradient);
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            float weight = LossReduction.Weight(sampleWeights, sample);
            float scale = weight / ((float)batch * width);
            double rowSum = 0;
            for (int j = sample * width, end = j + width; j < end; j++)
            {
                rowSum += term.Value(outputs[j], targets[j]);
                outputGradient[j] = scale * term.Derivative(outputs[j], targets[j]);
            }
            total += weight * (rowSum / width);
        }
        if (outputActivation == Activation.Softmax) LossReduction.ThroughSoftmax(outputs, outputGradient, width);
        return (float)(total / batch);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public static float Compute<TTerm>(TTerm term, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int width)
        where TTerm : struct, IElementLoss
    {
        int batch = BatchArguments.Validate(outputs, targets, sampleWeights, width);
        double total = 0;
        for (int sample = 0; sample < batch; sample++)
        {
            double rowSum = 0;
            for (int j = sample * width, end = j + width; j < end; j++)
                rowSum += term.Value(outputs[j], targets[j]);
            total += LossReduction.Weight(sampleWeights, sample) * (rowSum / width);
        }
        return (float)(total / batch);
    }
}
