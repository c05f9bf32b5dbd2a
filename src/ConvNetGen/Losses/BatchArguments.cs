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
}
