using System.Collections.Concurrent;
using System.Globalization;

namespace ConvNetGen;

/// <summary>Channels an <see cref="ImageFolderDataset"/> yields (Keras' <c>color_mode</c>).</summary>
public enum ColorMode
{
    /// <summary>3 channels, red, green, blue.</summary>
    Rgb,
    /// <summary>1 channel.</summary>
    Grayscale,
}

/// <summary>Which part of a folder to load (Keras' <c>subset</c>).</summary>
public enum Subset
{
    /// <summary>Every file (no validation split).</summary>
    All,
    /// <summary>The first (1 − split) of the shuffled files.</summary>
    Training,
    /// <summary>The last split of the shuffled files.</summary>
    Validation,
}

/// <summary>What to do with a file that cannot be used (corrupt, truncated, empty, not an image, too large).</summary>
public enum BadFileHandling
{
    /// <summary>Leave it out with a warning (<see cref="ImageFolderDataset.Warning"/>), counted in <see cref="ImageFolderDataset.Skipped"/>.</summary>
    Skip,
    /// <summary>Throw an <see cref="InvalidDataException"/> naming the file.</summary>
    Throw,
}

/// <summary>Options of <see cref="ImageFolderDataset.Load"/>, with Keras' defaults.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Keras' <c>color_mode</c>: RGB (default) or grey.</summary>
    public ColorMode ColorMode { get; init; } = ColorMode.Rgb;
    /// <summary>Keras' <c>validation_split</c>: the fraction of files held out (0 for none).</summary>
    public double ValidationSplit { get; init; }
    /// <summary>Keras' <c>subset</c>: which side of the split to load; must be set with a split.</summary>
    public Subset Subset { get; init; } = Subset.All;
    /// <summary>Keras' <c>seed</c> for the shuffle before the split; required with a split, as in Keras.</summary>
    public int? Seed { get; init; }
    /// <summary>Keras' <c>shuffle</c>: shuffle the file list (numpy's RandomState(seed), as Keras) before splitting.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Keras' <c>crop_to_aspect_ratio</c>: centre-crop to the target's aspect ratio before resizing.</summary>
    public bool CropToAspectRatio { get; init; }
    /// <summary>Keras' <c>follow_links</c>: descend into symlinked folders (loops are detected and skipped with a warning).</summary>
    public bool FollowLinks { get; init; }
    /// <summary>Skip bad files with a warning (default) or throw.</summary>
    public BadFileHandling BadFiles { get; init; } = BadFileHandling.Skip;
    /// <summary>The largest width × height decoded; larger headers are refused before decoding (a decompression bomb). Pillow's limit by default.</summary>
    public long MaxPixels { get; init; } = 89_478_485;
    /// <summary>The largest file read, in bytes.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;
    /// <summary>Where warnings go besides the <see cref="ImageFolderDataset.Warning"/> event (default standard error; <see cref="TextWriter.Null"/> for none).</summary>
    public TextWriter? WarningOutput { get; init; }
}

/// <summary>
/// A folder of images with one subfolder per class, decoded and resized as they are read: Keras'
/// <c>image_dataset_from_directory</c> for <see cref="Model.Fit(IDataset, int, int, IDataset?, bool, Verbosity, TextWriter?, IEnumerable{Callback}?, int, CancellationToken, IProgress{TrainingProgress}?, IReadOnlyDictionary{int, float}?)"/>.
/// Class names are the sorted subfolder names (hidden ones left out); files ending .bmp .gif .jpeg .jpg .png (any case)
/// are found at any depth; the list is shuffled with numpy's RandomState(seed) and split as Keras does, so the same
/// seed puts the same files on each side. Pixels are floats in [0, 255], as Keras yields them (add <c>[Rescaling(1.0 / 255)]</c>).
/// </summary>
public sealed class ImageFolderDataset : IDataset
{
    /// <summary>The extensions Keras accepts.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    private readonly IImageDecoder _decoder;
    private readonly ImageFolderOptions _options;
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly ConcurrentDictionary<string, string> _bad = new();
    private int _skipped;

    private ImageFolderDataset(IImageDecoder decoder, ImageFolderOptions options, string[] paths, int[] labels,
        IReadOnlyList<string> classNames, int height, int width, IReadOnlyList<string> indexWarnings)
    {
        _decoder = decoder;
        _options = options;
        _paths = paths;
        _labels = labels;
        ClassNames = classNames;
        Height = height;
        Width = width;
        Channels = options.ColorMode == ColorMode.Grayscale ? 1 : 3;
        IndexWarnings = indexWarnings;
    }

    /// <inheritdoc/>
    public int Count => _paths.Length;
    /// <inheritdoc/>
    public int Height { get; }
    /// <inheritdoc/>
    public int Width { get; }
    /// <inheritdoc/>
    public int Channels { get; }
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The files, in the dataset's (shuffled) order.</summary>
    public IReadOnlyList<string> FilePaths => _paths;
    /// <summary>The label of each file.</summary>
    public IReadOnlyList<int> Labels => _labels;
    /// <summary>What indexing the folder found odd: empty class folders, symlink loops, unreadable folders.</summary>
    public IReadOnlyList<string> IndexWarnings { get; }
    /// <inheritdoc/>
    public int Skipped => Volatile.Read(ref _skipped);
    /// <summary>The distinct bad files met so far, with why each was skipped.</summary>
    public IReadOnlyDictionary<string, string> BadFiles => _bad;
    /// <summary>Raised (on a reader thread) the first time each bad file is skipped: its path and the reason.</summary>
    public event Action<string, string>? Warning;

    /// <summary>Loads a folder for <see cref="Subset.All"/>, <see cref="Subset.Training"/> or <see cref="Subset.Validation"/>.</summary>
    /// <param name="directory">The folder holding one subfolder per class.</param>
    /// <param name="imageSize">(height, width) each image is resized to.</param>
    /// <param name="decoder">Reads the files, e.g. ConvNetGen.Images' <c>StbImageDecoder.Shared</c>.</param>
    /// <param name="options">Keras' other arguments; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">Bad arguments (as Keras refuses them), or no class subfolders, or no images.</exception>
    public static ImageFolderDataset Load(string directory, (int Height, int Width) imageSize, IImageDecoder decoder, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        var (paths, labels, classes, warnings) = Index(directory, imageSize, decoder, options);
        if (options.ValidationSplit > 0)
        {
            int validation = (int)(options.ValidationSplit * paths.Length); // Keras: int(validation_split * len(samples))
            int training = paths.Length - validation;
            (int from, int to) = options.Subset == Subset.Training ? (0, training) : (training, paths.Length);
            if (to == from)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"A validation split of {options.ValidationSplit} of {paths.Length} files leaves no files for {options.Subset.ToString().ToLowerInvariant()}."), nameof(options));
            paths = paths[from..to];
            labels = labels[from..to];
        }
        return new ImageFolderDataset(decoder, options, paths, labels, classes, imageSize.Height, imageSize.Width, warnings);
    }

    /// <summary>Keras' <c>subset="both"</c>: the training and validation sides of one shuffle and split.</summary>
    public static (ImageFolderDataset Training, ImageFolderDataset Validation) LoadBoth(string directory, (int Height, int Width) imageSize,
        IImageDecoder decoder, ImageFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var training = Load(directory, imageSize, decoder, options with { Subset = Subset.Training });
        var validation = Load(directory, imageSize, decoder, options with { Subset = Subset.Validation, WarningOutput = TextWriter.Null });
        return (training, validation);
    }

    private static (string[] Paths, int[] Labels, string[] Classes, List<string> Warnings) Index(string directory, (int Height, int Width) imageSize,
        IImageDecoder decoder, ImageFolderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize.Height, nameof(imageSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize.Width, nameof(imageSize));
        double split = options.ValidationSplit;
        if (split != 0 && !(split > 0 && split < 1))
            throw new ArgumentOutOfRangeException(nameof(options), split, "ValidationSplit must be between 0 and 1.");
        if ((split > 0) != (options.Subset != Subset.All))
            throw new ArgumentException("If Subset is set, ValidationSplit must be set, and inversely (as in Keras).", nameof(options));
        if (split > 0 && options.Shuffle && options.Seed is null)
            throw new ArgumentException("With a validation split and shuffling, give a Seed, so the training and validation subsets do not overlap (as Keras requires).", nameof(options));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"No folder {directory}.");

        var warnings = new List<string>();
        var classes = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.')).OrderBy(name => name, StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new ArgumentException($"{directory} has no class subfolders: put each class's images in a subfolder named after it (e.g. {Path.Combine(directory, "cats")}).", nameof(directory));

        var paths = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classes.Length; c++)
        {
            var files = new List<string>();
            Walk(Path.Combine(directory, classes[c]), options.FollowLinks, files, warnings, new HashSet<string>(StringComparer.Ordinal));
            if (files.Count == 0)
                warnings.Add($"Class folder {Path.Combine(directory, classes[c])} holds no images ({string.Join(" ", Extensions)}); class {c} '{classes[c]}' stays, with no samples.");
            paths.AddRange(files);
            labels.AddRange(Enumerable.Repeat(c, files.Count));
        }
        if (paths.Count == 0)
            throw new ArgumentException($"No images found in {directory}. Allowed formats: {string.Join(", ", Extensions)}.", nameof(directory));

        if (options.Shuffle)
        {
            uint seed = (uint)(options.Seed ?? Random.Shared.Next(1_000_000));
            new NumpyRandomState(seed).Shuffle(paths);
            new NumpyRandomState(seed).Shuffle(labels);
        }
        var output = options.WarningOutput ?? Console.Error;
        foreach (var warning in warnings) output.WriteLine("Warning: " + warning);
        return (paths.ToArray(), labels.ToArray(), classes, warnings);
    }

    /// <summary>Keras' <c>iter_valid_files</c>: folders in sorted path order, each one's files sorted, symlinked folders only with <paramref name="followLinks"/>.</summary>
    private static void Walk(string root, bool followLinks, List<string> found, List<string> warnings, HashSet<string> visiting)
    {
        // Python's sorted(os.walk(...), key=root) then sorted(files): collect (folder, files) pairs, then order by folder path.
        var folders = new List<(string Folder, string[] Files)>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            string real;
            try
            {
                real = new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(folder);
                if (!visiting.Add(real))
                {
                    warnings.Add($"{folder} links back to {real}, which is already indexed (a symlink loop); skipped.");
                    continue;
                }
                var entries = new DirectoryInfo(folder).GetFileSystemInfos();
                var files = new List<string>();
                foreach (var entry in entries)
                {
                    bool isDir = entry is DirectoryInfo || (entry.LinkTarget is not null && Directory.Exists(entry.FullName));
                    if (isDir)
                    {
                        if (entry.LinkTarget is null || followLinks) pending.Push(entry.FullName);
                    }
                    else if (Extensions.Any(e => entry.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                        files.Add(entry.Name);
                }
                files.Sort(StringComparer.Ordinal);
                folders.Add((folder, files.ToArray()));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                warnings.Add($"{folder} could not be read ({e.Message}); skipped.");
            }
        }
        foreach (var (folder, files) in folders.OrderBy(f => f.Folder, StringComparer.Ordinal))
            foreach (var file in files)
                found.Add(Path.Combine(folder, file));
    }

    /// <inheritdoc/>
    public int Read(int index, Span<float> image)
    {
        string path = _paths[index];
        if (_bad.ContainsKey(path)) return Skip(path, _bad[path], first: false);
        string? problem;
        try
        {
            problem = TryRead(path, image);
        }
        catch (InvalidDataException e)
        {
            problem = e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException or IndexOutOfRangeException or ArgumentException or NotSupportedException or OverflowException)
        {
            problem = $"{e.GetType().Name}: {e.Message}"; // a decoder's failure on a damaged file, not a crash
        }
        if (problem is null) return _labels[index];
        if (_options.BadFiles == BadFileHandling.Throw)
            throw new InvalidDataException($"{path}: {problem}");
        return Skip(path, problem, first: _bad.TryAdd(path, problem));
    }

    private int Skip(string path, string problem, bool first)
    {
        Interlocked.Increment(ref _skipped);
        if (first)
        {
            (_options.WarningOutput ?? Console.Error).WriteLine($"Warning: skipped {path}: {problem}");
            Warning?.Invoke(path, problem);
        }
        return -1;
    }

    /// <summary>Decodes and resizes one file into <paramref name="image"/>; returns why it cannot be used, or null.</summary>
    private string? TryRead(string path, Span<float> image)
    {
        long length = new FileInfo(path).Length;
        if (length == 0) return "the file is empty (0 bytes).";
        if (length > _options.MaxFileBytes)
            return string.Create(CultureInfo.InvariantCulture, $"the file is {length:N0} bytes, more than MaxFileBytes ({_options.MaxFileBytes:N0}).");
        byte[] bytes = File.ReadAllBytes(path);
        var header = _decoder.ReadHeader(bytes);
        if (header.Width <= 0 || header.Height <= 0)
            return string.Create(CultureInfo.InvariantCulture, $"the header says {header.Width}×{header.Height} pixels.");
        if ((long)header.Width * header.Height > _options.MaxPixels)
            return string.Create(CultureInfo.InvariantCulture,
                $"the header says {header.Width}×{header.Height} = {(long)header.Width * header.Height:N0} pixels, more than MaxPixels ({_options.MaxPixels:N0}); refused before decoding (a possible decompression bomb).");
        var (pixels, width, height) = _decoder.Decode(bytes, Channels);
        if (pixels.Length != (long)width * height * Channels)
            return "the decoder returned the wrong number of pixels.";
        var box = _options.CropToAspectRatio ? ImageResize.CropBox(height, width, Height, Width) : (0, 0, height, width);
        ImageResize.Bilinear(pixels, width, Channels, box, Height, Width, image);
        return null;
    }

    /// <summary>For example <c>1,200 images in 3 classes (cats, dogs, birds), 64×64×3</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Count:N0} images in {ClassNames.Count} classes ({string.Join(", ", ClassNames.Take(6))}{(ClassNames.Count > 6 ? ", …" : "")}), {Height}×{Width}×{Channels}");
}
