namespace ConvNetGen;

/// <summary>
/// What a training step or an evaluation compares the outputs with: integer class labels (one per sample) or float
/// targets (<see cref="Width"/> values per sample, row-major), and optionally one weight per sample. A struct over the
/// caller's arrays, so passing it costs nothing.
/// </summary>
internal readonly struct Targets
{
    private Targets(int[]? labels, float[]? values, int width, float[]? weights)
    {
        Labels = labels;
        Values = values;
        Width = width;
        Weights = weights;
    }

    public static Targets FromLabels(int[] labels, float[]? weights = null) => new(labels, null, 1, weights);

    public static Targets FromValues(float[] values, int width, float[]? weights = null) => new(null, values, width, weights);

    /// <summary>The class labels, or null for float targets.</summary>
    public int[]? Labels { get; }

    /// <summary>The float targets (samples × <see cref="Width"/>), or null for labels.</summary>
    public float[]? Values { get; }

    /// <summary>Values per sample of <see cref="Values"/>.</summary>
    public int Width { get; }

    /// <summary>One weight per sample, or null when every weight is 1.</summary>
    public float[]? Weights { get; }

    public bool AreLabels => Labels is not null;

    public int Count => Labels?.Length ?? Values!.Length / Width;

    /// <summary>The targets of samples [<paramref name="from"/>, <paramref name="to"/>) as new arrays (the validation split).</summary>
    public Targets Slice(int from, int to) =>
        new(Labels?[from..to], Values?[(from * Width)..(to * Width)], Width, Weights?[from..to]);

    /// <summary>Copies sample <paramref name="sample"/>'s target and weight into position <paramref name="position"/> of a training workspace.</summary>
    public void CopyTo(int sample, ModelWorkspace workspace, int position)
    {
        if (Labels is not null) workspace.Labels[position] = Labels[sample];
        else Values.AsSpan(sample * Width, Width).CopyTo(workspace.Targets.AsSpan(position * Width));
        if (Weights is not null) workspace.SampleWeights[position] = Weights[sample];
    }

    /// <summary>Sample weights of <paramref name="count"/> samples from <paramref name="first"/>; empty when unweighted.</summary>
    public ReadOnlySpan<float> WeightsOf(int first, int count) => Weights is null ? default : Weights.AsSpan(first, count);

    /// <summary>The weighted mean loss of outputs against the targets of <paramref name="count"/> samples from <paramref name="first"/>, without a gradient.</summary>
    public float Loss(Loss loss, ReadOnlySpan<float> outputs, int first, int count, int outputSize)
    {
        var weights = WeightsOf(first, count);
        if (Labels is null) return loss.Compute(outputs, Values.AsSpan(first * Width, count * Width), weights, outputSize);
        var labels = Labels.AsSpan(first, count);
        return weights.IsEmpty ? loss.Compute(outputs, labels, outputSize) : loss.Compute(outputs, labels, weights, outputSize);
    }

    /// <summary>Adds the outputs of <paramref name="count"/> samples from <paramref name="first"/> to each metric (unweighted, as Keras' <c>metrics=</c>).</summary>
    public void UpdateMetrics(Metric[] metrics, ReadOnlySpan<float> outputs, int first, int count, int outputSize)
    {
        foreach (var metric in metrics)
        {
            if (Labels is null) metric.Update(outputs, Values.AsSpan(first * Width, count * Width), outputSize);
            else metric.Update(outputs, Labels.AsSpan(first, count), outputSize);
        }
    }
}
