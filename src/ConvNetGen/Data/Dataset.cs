using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Labelled images in memory: <see cref="Count"/> samples of <see cref="Height"/> × <see cref="Width"/> ×
/// <see cref="Channels"/> floats each, channels last, with one integer class label per sample.
/// </summary>
/// <remarks>
/// Pixels loaded from IDX files are scaled to [0, 1] by <c>/ 255f</c>, as the Keras MNIST example does.
/// The dataset keeps the arrays it is given, without copying them. It never changes them itself, so any number of
/// threads may read one (and train or evaluate on it) at once; writing into its arrays meanwhile is the caller's to
/// synchronise.
/// </remarks>
public sealed class Dataset
{
    /// <summary>A dataset over the given arrays (kept, not copied).</summary>
    /// <param name="images">All samples one after the other, each <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/> floats, channels last.</param>
    /// <param name="labels">One class index per sample, each in 0 .. <paramref name="classes"/> − 1.</param>
    /// <param name="height">Rows of one image.</param>
    /// <param name="width">Columns of one image.</param>
    /// <param name="channels">Values per pixel: 1 for grey images.</param>
    /// <param name="classes">The number of classes; by default the largest label + 1.</param>
    public Dataset(float[] images, int[] labels, int height, int width, int channels = 1, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);

        long sampleSize = (long)height * width * channels;
        if (sampleSize > int.MaxValue)
            throw new ArgumentException($"One sample of {height}×{width}×{channels} values is too large.", nameof(height));
        if (images.LongLength != labels.LongLength * sampleSize)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{labels.Length} labels need {labels.LongLength * sampleSize} image values ({height}×{width}×{channels} each), but there are {images.Length}."),
                nameof(images));

        int largestLabel = -1;
        foreach (int label in labels)
        {
            if (label < 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Label {label} is negative."), nameof(labels));
            largestLabel = Math.Max(largestLabel, label);
        }
        int classCount = classes ?? largestLabel + 1;
        if (classCount <= largestLabel)
            throw new ArgumentOutOfRangeException(nameof(classes), classCount,
                string.Create(CultureInfo.InvariantCulture, $"Label {largestLabel} does not fit in {classCount} classes."));

        Images = images;
        Labels = labels;
        Height = height;
        Width = width;
        Channels = channels;
        SampleSize = (int)sampleSize;
        Classes = classCount;
    }

    /// <summary>All samples one after the other, <see cref="SampleSize"/> floats each, channels last.</summary>
    public float[] Images { get; }

    /// <summary>The class index of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Rows of one image.</summary>
    public int Height { get; }

    /// <summary>Columns of one image.</summary>
    public int Width { get; }

    /// <summary>Values per pixel: 1 for MNIST.</summary>
    public int Channels { get; }

    /// <summary>Floats per sample: <see cref="Height"/> × <see cref="Width"/> × <see cref="Channels"/>.</summary>
    public int SampleSize { get; }

    /// <summary>The number of classes, which subsets keep: 10 for MNIST even in a sample holding only some digits.</summary>
    public int Classes { get; }

    /// <summary>The pixels of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Images.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>The first <paramref name="count"/> samples (all of them if there are fewer), copied.</summary>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Slice(0, Math.Min(count, Count));
    }

    /// <summary>All but the first <paramref name="count"/> samples, copied: e.g. a validation split's tail.</summary>
    public Dataset Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int start = Math.Min(count, Count);
        return Slice(start, Count - start);
    }

    /// <summary>The samples whose label passes <paramref name="labelFilter"/>, in order, copied; <see cref="Classes"/> is kept.</summary>
    /// <example><c>train.Where(label => label &lt; 5)</c> keeps the digits 0–4.</example>
    public Dataset Where(Func<int, bool> labelFilter)
    {
        ArgumentNullException.ThrowIfNull(labelFilter);
        var kept = new List<int>();
        for (int i = 0; i < Count; i++)
            if (labelFilter(Labels[i]))
                kept.Add(i);

        var images = GC.AllocateUninitializedArray<float>(kept.Count * SampleSize);
        var labels = new int[kept.Count];
        for (int k = 0; k < kept.Count; k++)
        {
            Image(kept[k]).CopyTo(images.AsSpan(k * SampleSize, SampleSize));
            labels[k] = Labels[kept[k]];
        }
        return new Dataset(images, labels, Height, Width, Channels, Classes);
    }

    /// <summary>
    /// The same samples with each label replaced by <paramref name="map"/>(label). The new dataset shares
    /// <see cref="Images"/> with this one; only the labels are new.
    /// </summary>
    /// <param name="map">The new label of each old one; must not be negative.</param>
    /// <param name="classes">The new number of classes; by default the largest new label + 1.</param>
    /// <example><c>train.Where(label => label >= 5).SelectLabels(label => label - 5)</c> gives digits 5–9 as classes 0–4.</example>
    public Dataset SelectLabels(Func<int, int> map, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        var labels = new int[Count];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = map(Labels[i]);
        return new Dataset(Images, labels, Height, Width, Channels, classes);
    }

    /// <summary>Lets <c>var (images, labels) = dataset;</c> take the two arrays apart.</summary>
    public void Deconstruct(out float[] images, out int[] labels)
    {
        images = Images;
        labels = Labels;
    }

    /// <summary>For example <c>60000 samples of 28×28×1, 10 classes</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count} samples of {Height}×{Width}×{Channels}, {Classes} classes");

    private Dataset Slice(int start, int count)
    {
        var images = Images.AsSpan(start * SampleSize, count * SampleSize).ToArray();
        var labels = Labels.AsSpan(start, count).ToArray();
        return new Dataset(images, labels, Height, Width, Channels, Classes);
    }
}
