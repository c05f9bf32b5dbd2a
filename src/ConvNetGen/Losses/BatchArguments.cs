namespace ConvNetGen;

/// <summary>The shape and label checks shared by losses and metrics, so all of them reject a bad batch the same way.</summary>
internal static class BatchArguments
{
    /// <summary>Checks that the outputs hold one row of <paramref name="classes"/> values per label and that every label is a valid class.</summary>
    /// <returns>The batch size (at least 1).</returns>
    public static int Validate(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "The number of classes must be at least 1.");
        if (labels.Length == 0)
            throw new ArgumentException("The batch is empty: there must be at least one label.", nameof(labels));
        if ((long)labels.Length * classes != outputs.Length)
            throw new ArgumentException(
                $"The outputs hold {outputs.Length} values but {labels.Length} labels × {classes} classes need {(long)labels.Length * classes}.",
                nameof(outputs));

        for (int sample = 0; sample < labels.Length; sample++)
        {
            int label = labels[sample];
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(
                    nameof(labels), label, $"The label of sample {sample} is {label}, outside the classes [0, {classes}).");
        }
        return labels.Length;
    }

    /// <summary>Checks, in addition to <see cref="Validate(ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>, the gradient buffer's length and the activation.</summary>
    /// <returns>The batch size (at least 1).</returns>
    public static int Validate(
        ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes, Activation outputActivation, Span<float> outputGradient)
    {
        int batch = Validate(outputs, labels, classes);
        if (outputGradient.Length != outputs.Length)
            throw new ArgumentException(
                $"The output gradient holds {outputGradient.Length} values but the outputs hold {outputs.Length}.", nameof(outputGradient));
        if (!Enum.IsDefined(outputActivation))
            throw new ArgumentOutOfRangeException(nameof(outputActivation), outputActivation, "Unknown activation.");
        return batch;
    }

    /// <summary>Checks the weights: empty, or one finite, non-negative weight per sample.</summary>
    public static void ValidateWeights(ReadOnlySpan<float> sampleWeights, int batch)
    {
        if (sampleWeights.IsEmpty) return;
        if (sampleWeights.Length != batch)
            throw new ArgumentException($"There are {sampleWeights.Length} sample weights for a batch of {batch}.", nameof(sampleWeights));
        for (int sample = 0; sample < batch; sample++)
        {
            float weight = sampleWeights[sample];
            if (!(weight >= 0f) || float.IsPositiveInfinity(weight))
                throw new ArgumentException($"The weight of sample {sample} is {weight}; sample weights must be finite and non-negative.", nameof(sampleWeights));
        }
    }

    /// <summary>Checks that the float targets have the outputs' shape and are finite, and the weights.</summary>
    /// <returns>The batch size (at least 1).</returns>
    public static int Validate(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample)
    {
        if (outputsPerSample < 1)
            throw new ArgumentOutOfRangeException(nameof(outputsPerSample), outputsPerSample, "The width of an output row must be at least 1.");
        if (targets.Length == 0)
            throw new ArgumentException("The batch is empty: there must be at least one target row.", nameof(targets));
        if (targets.Length % outputsPerSample != 0)
            throw new ArgumentException($"The targets hold {targets.Length} values, not a whole number of rows of {outputsPerSample}.", nameof(targets));
        if (targets.Length != outputs.Length)
            throw new ArgumentException($"The outputs hold {outputs.Length} values but the targets {targets.Length}; they must have the same shape.", nameof(outputs));
        int bad = InputChecks.IndexOfNonFinite(targets);
        if (bad >= 0)
            throw new ArgumentException($"The target of sample {bad / outputsPerSample}, output {bad % outputsPerSample} is {targets[bad]}; targets must be finite.", nameof(targets));
        int batch = targets.Length / outputsPerSample;
        ValidateWeights(sampleWeights, batch);
        return batch;
    }

    /// <summary>Checks, in addition to the float-target checks, the gradient buffer's length and the activation.</summary>
    /// <returns>The batch size (at least 1).</returns>
    public static int Validate(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights, int outputsPerSample,
        Activation outputActivation, Span<float> outputGradient)
    {
        int batch = Validate(outputs, targets, sampleWeights, outputsPerSample);
        if (outputGradient.Length != outputs.Length)
            throw new ArgumentException(
                $"The output gradient holds {outputGradient.Length} values but the outputs hold {outputs.Length}.", nameof(outputGradient));
        if (!Enum.IsDefined(outputActivation))
            throw new ArgumentOutOfRangeException(nameof(outputActivation), outputActivation, "Unknown activation.");
        return batch;
    }
}
