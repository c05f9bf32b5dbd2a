using System.Formats.Tar;
using System.IO.Compression;

namespace ConvNetGen;

/// <summary>
/// CIFAR-10: 50,000 training and 10,000 test colour images, 32×32×3, 10 classes, from the binary version's files
/// (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>, <c>test_batch.bin</c>: per image 1 label byte and 3,072 pixel
/// bytes, the red plane, then green, then blue). Pixels come channels last and scaled to [0, 1], like <see cref="Mnist"/>.
/// </summary>
public static class Cifar10
{
    /// <summary>The names of classes 0–9 (the order of the files' <c>batches.meta.txt</c>).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>
    /// Loads CIFAR-10 from the first place that has <c>cifar-10-batches-bin</c>: <paramref name="dataDirectory"/>,
    /// <c>$CONVNETGEN_DATA</c>, <c>~/.convnetgen/datasets/cifar-10</c>; else downloads the publisher's
    /// <c>cifar-10-binary.tar.gz</c> into that cache (size and MD5 checked) and unpacks it.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">CIFAR-10 is nowhere and could not be downloaded.</exception>
    /// <exception cref="InvalidDataException">A file is damaged (its size is not a whole number of records, or a label is out of range).</exception>
    public static (Dataset Train, Dataset Test) Load(string? dataDirectory = null) =>
        CifarLoader.CreateDefault().Load(CifarLoader.Cifar10Layout, dataDirectory);

    /// <summary>Reads one CIFAR-10 binary batch file.</summary>
    public static Dataset ReadBatch(string path) => CifarLoader.ReadFiles([path], labelBytes: 1, labelIndex: 0, classes: 10);
}

/// <summary>CIFAR-100: as <see cref="Cifar10"/> with 100 fine classes (or 20 coarse), from <c>train.bin</c> and <c>test.bin</c> (2 label bytes per image: coarse, fine).</summary>
public static class Cifar100
{
    /// <summary>Loads CIFAR-100 (fine labels by default) as <see cref="Cifar10.Load"/> does CIFAR-10.</summary>
    /// <param name="dataDirectory">A folder to look in first.</param>
    /// <param name="coarseLabels">True for the 20 superclasses instead of the 100 classes.</param>
    public static (Dataset Train, Dataset Test) Load(string? dataDirectory = null, bool coarseLabels = false) =>
        CifarLoader.CreateDefault().Load(coarseLabels ? CifarLoader.Cifar100CoarseLayout : CifarLoader.Cifar100Layout, dataDirectory);

    /// <summary>Reads one CIFAR-100 binary file.</summary>
    public static Dataset ReadFile(string path, bool coarseLabels = false) =>
        CifarLoader.ReadFiles([path], labelBytes: 2, labelIndex: coarseLabels ? 0 : 1, classes: coarseLabels ? 20 : 100);
}

/// <summary>Finds, downloads, unpacks and parses CIFAR's binary files.</summary>
internal sealed class CifarLoader
{
    public sealed record Layout(DatasetSpec Spec, string Folder, string[] TrainFiles, string[] TestFiles, int LabelBytes, int LabelIndex, int Classes);

    public static readonly Layout Cifar10Layout = new(DatasetCatalog.Cifar10, "cifar-10-batches-bin",
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], ["test_batch.bin"], 1, 0, 10);
    public static readonly Layout Cifar100Layout = new(DatasetCatalog.Cifar100, "cifar-100-binary", ["train.bin"], ["test.bin"], 2, 1, 100);
    public static readonly Layout Cifar100CoarseLayout = Cifar100Layout with { LabelIndex = 0, Classes = 20 };

    public const int Side = 32, PixelBytes = 3 * Side * Side;

    private readonly string? _environmentFolder, _homeFolder;
    private readonly DatasetDownloader? _downloader;

    public CifarLoader(string? environmentFolder, string? homeFolder, DatasetDownloader? downloader)
    {
        _environmentFolder = string.IsNullOrWhiteSpace(environmentFolder) ? null : environmentFolder;
        _homeFolder = string.IsNullOrWhiteSpace(homeFolder) ? null : homeFolder;
        _downloader = downloader;
    }

    public static CifarLoader CreateDefault() => new(
        Environment.GetEnvironmentVariable(DatasetLocator.EnvironmentVariable),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify),
        new DatasetDownloader(DatasetDownloader.SharedClient, Console.Error, interactiveProgress: !Console.IsErrorRedirected));

    public string? CacheFolder(DatasetSpec spec) => _homeFolder is null ? null : Path.Combine(_homeFolder, ".convnetgen", "datasets", spec.Name);

    public (Dataset Train, Dataset Test) Load(Layout layout, string? explicitFolder)
    {
        string folder = Locate(layout, explicitFolder);
        return (ReadFiles(layout.TrainFiles.Select(f => Path.Combine(folder, f)).ToArray(), layout.LabelBytes, layout.LabelIndex, layout.Classes),
                ReadFiles(layout.TestFiles.Select(f => Path.Combine(folder, f)).ToArray(), layout.LabelBytes, layout.LabelIndex, layout.Classes));
    }

    /// <summary>The folder holding every file of <paramref name="layout"/>, downloading and unpacking the archive if none does.</summary>
    public string Locate(Layout layout, string? explicitFolder)
    {
        var searched = new List<string>();
        foreach (var root in new[] { explicitFolder, _environmentFolder is null ? null : Path.Combine(_environmentFolder, layout.Spec.Name), _environmentFolder, CacheFolder(layout.Spec) })
        {
            if (string.IsNullOrWhiteSpace(root)) continue;
            foreach (var folder in new[] { Path.Combine(root, layout.Folder), root })
            {
                searched.Add(folder);
                if (layout.TrainFiles.Concat(layout.TestFiles).All(f => File.Exists(Path.Combine(folder, f)))) return folder;
            }
        }
        string? cache = CacheFolder(layout.Spec);
        var file = layout.Spec.Files[0];
        string Message(string why) =>
            $"{layout.Spec.DisplayName} was not found ({why}). Searched: {string.Join(", ", searched)}.{Environment.NewLine}" +
            $"Download {layout.Spec.UrlOf(file)} and unpack it (tar xzf {file.FileName}) into a folder, then pass it (dataDirectory: DIR) or set {DatasetLocator.EnvironmentVariable}=DIR.";
        if (_downloader is null || cache is null)
            throw new DatasetNotFoundException(Message(_downloader is null ? "downloading is turned off" : "no home folder to cache a download in"));
        try
        {
            _downloader.Download(layout.Spec, cache);
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException or TaskCanceledException)
        {
            throw new DatasetNotFoundException(Message("the download failed: " + e.Message), e);
        }
        Unpack(Path.Combine(cache, file.FileName), cache);
        string unpacked = Path.Combine(cache, layout.Folder);
        var missing = layout.TrainFiles.Concat(layout.TestFiles).Where(f => !File.Exists(Path.Combine(unpacked, f))).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{file.FileName} unpacked into {cache} but has no {layout.Folder}/{string.Join(", ", missing)}.");
        return unpacked;
    }

    /// <summary>Unpacks a .tar.gz into <paramref name="destination"/>; TarFile refuses entries that would land outside it.</summary>
    private static void Unpack(string archive, string destination)
    {
        using var stream = File.OpenRead(archive);
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gzip, destination, overwriteFiles: true);
    }

    /// <summary>Parses binary CIFAR files: records of <paramref name="labelBytes"/> label bytes and 3,072 pixel bytes (CHW), into NHWC floats in [0, 1].</summary>
    public static Dataset ReadFiles(string[] paths, int labelBytes, int labelIndex, int classes)
    {
        int record = labelBytes + PixelBytes;
        long total = 0;
        foreach (var path in paths)
        {
            long length = new FileInfo(path).Length;
            if (length == 0 || length % record != 0)
                throw new InvalidDataException($"{path} is {length:N0} bytes, not a whole number of {record}-byte CIFAR records ({labelBytes} label byte(s) + 3,072 pixels); is it the binary version of the right dataset?");
            total += length / record;
        }
        if (total * PixelBytes > Array.MaxLength) throw new InvalidDataException("Too many CIFAR records for one array.");
        var images = GC.AllocateUninitializedArray<float>((int)(total * PixelBytes));
        var labels = new int[total];
        var buffer = new byte[record];
        int n = 0;
        foreach (var path in paths)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            while (file.Position < file.Length)
            {
                file.ReadExactly(buffer);
                int label = buffer[labelIndex];
                if (label >= classes)
                    throw new InvalidDataException($"{path}: record {n} has label {label}, but there are {classes} classes.");
                labels[n] = label;
                var pixels = buffer.AsSpan(labelBytes);
                var image = images.AsSpan(n * PixelBytes, PixelBytes);
                for (int c = 0; c < 3; c++)
                    for (int p = 0; p < Side * Side; p++)
                        image[p * 3 + c] = pixels[c * Side * Side + p] / 255f;
                n++;
            }
        }
        return new Dataset(images, labels, Side, Side, 3, classes);
    }
}
