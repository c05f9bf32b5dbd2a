namespace ConvNetGen;

/// <summary>
/// Labelled images that <see cref="Model.Fit(IDataset, int, int, IDataset?, bool, Verbosity, TextWriter?, IEnumerable{Callback}?, int, CancellationToken, IProgress{TrainingProgress}?, IReadOnlyDictionary{int, float}?)"/>,
/// <see cref="Model.Evaluate(IDataset, int, CancellationToken)"/> and <see cref="Model.Predict(IDataset, CancellationToken)"/> read one sample at a time,
/// e.g. an <see cref="ImageFolderDataset"/> that decodes files on the fly. The model asks for samples in the order
/// it wants (a fresh seeded permutation each epoch), on background threads, into a bounded queue of batches.
/// </summary>
/// <remarks>
/// <see cref="Read"/> is called from several threads at once, for different samples; an implementation must allow that.
/// </remarks>
public interface IDataset
{
    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>Rows of one image.</summary>
    int Height { get; }

    /// <summary>Columns of one image.</summary>
    int Width { get; }

    /// <summary>Values per pixel: 1 grey, 3 RGB.</summary>
    int Channels { get; }

    /// <summary>The names of the classes, label 0 first.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Writes sample <paramref name="index"/> into <paramref name="image"/> (<see cref="Height"/> × <see cref="Width"/> ×
    /// <see cref="Channels"/> floats, channels last) and returns its label, or −1 when the sample is skipped (a bad file
    /// the dataset is set to skip with a warning): it then counts in <see cref="Skipped"/> and training leaves it out.
    /// </summary>
    /// <exception cref="InvalidDataException">A bad sample the dataset is set to refuse; the message names it.</exception>
    int Read(int index, Span<float> image);

    /// <summary>Samples skipped so far (bad files), over the dataset's life.</summary>
    int Skipped { get; }
}

/// <summary>An <see cref="IDataset"/> over arrays in memory (kept, not copied): the streaming path on data that is already loaded.</summary>
public sealed class ArrayDataset : IDataset
{
    private readonly float[] _images;
    private readonly int[] _labels;
    private readonly int _sampleSize;

    /// <summary>A dataset over <paramref name="images"/> (samples one after another, channels last) and <paramref name="labels"/>.</summary>
    public ArrayDataset(float[] images, int[] labels, int height, int width, int channels, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        _sampleSize = checked(height * width * channels);
        if (images.LongLength != (long)labels.Length * _sampleSize)
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * _sampleSize} image values, but there are {images.Length}.", nameof(images));
        _images = images;
        _labels = labels;
        Height = height;
        Width = width;
        Channels = channels;
        ClassNames = classNames ?? Enumerable.Range(0, labels.Length == 0 ? 0 : labels.Max() + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A streaming view of an in-memory <see cref="Dataset"/>.</summary>
    public ArrayDataset(Dataset dataset)
        : this(dataset.Images, dataset.Labels, dataset.Height, dataset.Width, dataset.Channels,
               Enumerable.Range(0, dataset.Classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())
    {
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;
    /// <inheritdoc/>
    public int Height { get; }
    /// <inheritdoc/>
    public int Width { get; }
    /// <inheritdoc/>
    public int Channels { get; }
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }
    /// <inheritdoc/>
    public int Skipped => 0;

    /// <inheritdoc/>
    public int Read(int index, Span<float> image)
    {
        _images.AsSpan(index * _sampleSize, _sampleSize).CopyTo(image);
        return _labels[index];
    }
}
