namespace ConvNetGen;

/// <summary>
/// Reads MNIST-format IDX files (Yann LeCun's format: a big-endian magic number <c>0x0000TTRR</c>, RR big-endian
/// dimensions, then the data), plain or gzip-compressed, told apart by content rather than by name.
/// </summary>
/// <remarks>
/// Every byte is checked before a file is accepted: the data must be exactly as long as its header says, with
/// nothing after it, and gzip data must decompress to its end with the CRC-32 and length of its trailer (single-member
/// gzip only: gunzip concatenated files first). Memory grows with the data that actually arrives, never on the
/// header's word; a gzip file may expand at most 50:1 (plus 1 MiB), which genuine datasets stay far below and
/// decompression bombs exceed. Damage is reported as an <see cref="InvalidDataException"/> naming the file, what was
/// expected and what was found. Stateless: safe to call from any number of threads at once.
/// </remarks>
public static class Idx
{
    /// <summary>
    /// Loads the training and test sets from a folder holding <c>train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, and <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>
    /// (or <c>test-*</c>), each plain or with <c>.gz</c>. Pixels are scaled to [0, 1].
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing; the message says which.</exception>
    /// <exception cref="InvalidDataException">A file is damaged, or its counts or sizes disagree with the others.</exception>
    /// <exception cref="IOException">A file cannot be read, or a folder stands where a file should be.</exception>
    /// <exception cref="InsufficientMemoryException">The data is larger than the memory available to this process.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory) => Load(directory, knownClasses: null);

    /// <summary>
    /// <see cref="Load(string)"/> for a dataset whose number of classes is known (MNIST's 10): a label outside them
    /// is reported as damage, naming the file, the sample and the byte offset.
    /// </summary>
    internal static (Dataset Train, Dataset Test) Load(string directory, (int Count, string DatasetName)? knownClasses)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var files = IdxFileSet.Find(directory);

        // The two sets are independent; reading them at once overlaps the decompression of the big training file.
        var testTask = Task.Run(() => ReadPair(files.TestImages, files.TestLabels));
        var train = ReadPair(files.TrainImages, files.TrainLabels);
        var test = testTask.GetAwaiter().GetResult();

        if (train.Shape with { Count = 0 } != test.Shape with { Count = 0 })
            throw new InvalidDataException(
                $"The training images ({files.TrainImages}) are {train.Shape} but the test images ({files.TestImages}) are {test.Shape}.");

        if (knownClasses is var (count, datasetName))
        {
            RequireLabelsBelow(count, datasetName, train.Labels, files.TrainLabels);
            RequireLabelsBelow(count, datasetName, test.Labels, files.TestLabels);
        }
        // Both sets get the same number of classes even if one of them lacks the last class.
        int classes = knownClasses?.Count ?? Math.Max(MaxLabel(train.Labels), MaxLabel(test.Labels)) + 1;
        return (ToDataset(train, classes), ToDataset(test, classes));
    }

    /// <summary>Loads one set from an image file and its label file, plain or gzip. Pixels are scaled to [0, 1].</summary>
    /// <exception cref="InvalidDataException">A file is damaged, or the two files hold different numbers of samples.</exception>
    /// <exception cref="IOException">A file cannot be read, or is a directory.</exception>
    /// <exception cref="InsufficientMemoryException">The data is larger than the memory available to this process.</exception>
    public static Dataset ReadDataset(string imagesPath, string labelsPath)
    {
        var pair = ReadPair(imagesPath, labelsPath);
        return ToDataset(pair, MaxLabel(pair.Labels) + 1);
    }

    /// <summary>Reads an IDX image file (magic 0x00000803, or 0x00000804 with channels last), plain or gzip.</summary>
    /// <exception cref="InvalidDataException">The file is not IDX unsigned-byte images, or is damaged or truncated.</exception>
    public static IdxImages ReadImages(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = IdxReader.OpenFile(path);
        return IdxReader.ReadImages(file, path);
    }

    /// <summary>Reads IDX images from a stream (plain or gzip), which is left open; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The data is not IDX unsigned-byte images, or is damaged or truncated.</exception>
    public static IdxImages ReadImages(Stream stream, string sourceName = "the IDX stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return IdxReader.ReadImages(stream, sourceName);
    }

    /// <summary>Reads an IDX label file (magic 0x00000801), plain or gzip: one byte per sample.</summary>
    /// <exception cref="InvalidDataException">The file is not IDX unsigned-byte labels, or is damaged or truncated.</exception>
    public static byte[] ReadLabels(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = IdxReader.OpenFile(path);
        return IdxReader.ReadLabels(file, path);
    }

    /// <summary>Reads IDX labels from a stream (plain or gzip), which is left open; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The data is not IDX unsigned-byte labels, or is damaged or truncated.</exception>
    public static byte[] ReadLabels(Stream stream, string sourceName = "the IDX stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return IdxReader.ReadLabels(stream, sourceName);
    }

    /// <summary>An image file's pixels scaled to [0, 1], its shape, and the labels of its label file.</summary>
    private sealed record Pair(float[] Pixels, IdxReader.ImageShape Shape, byte[] Labels);

    private static Pair ReadPair(string imagesPath, string labelsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        var labels = ReadLabels(labelsPath);
        float[] pixels;
        IdxReader.ImageShape shape;
        using (var file = IdxReader.OpenFile(imagesPath))
            (pixels, shape) = IdxReader.ReadScaledImages(file, imagesPath);
        if (shape.Count != labels.Length)
            throw new InvalidDataException(FormattableString.Invariant(
                $"{imagesPath} holds {shape.Count} images but {labelsPath} holds {labels.Length} labels; they must match one to one."));
        return new Pair(pixels, shape, labels);
    }

    private static Dataset ToDataset(Pair pair, int classes)
    {
        var labels = new int[pair.Labels.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = pair.Labels[i];
        return new Dataset(pair.Pixels, labels, pair.Shape.Height, pair.Shape.Width, pair.Shape.Channels, classes);
    }

    private static int MaxLabel(byte[] labels) => labels.Length == 0 ? -1 : labels.Max();

    private static void RequireLabelsBelow(int classes, string datasetName, byte[] labels, string labelsPath)
    {
        const int labelHeaderBytes = 8; // the magic number and the label count
        if (classes > byte.MaxValue) return; // every byte label fits
        int sample = labels.AsSpan().IndexOfAnyInRange((byte)classes, byte.MaxValue);
        if (sample >= 0)
            throw new InvalidDataException(FormattableString.Invariant(
                $"{labelsPath}: label {labels[sample]} of sample {sample} (byte offset {labelHeaderBytes + sample}) is out of range: {datasetName} has {classes} classes, labels 0–{classes - 1}."));
    }
}
