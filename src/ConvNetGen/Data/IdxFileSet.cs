namespace ConvNetGen;

/// <summary>
/// The four files of an MNIST-style dataset in one folder. Accepted names: <c>train-images-idx3-ubyte</c>
/// (also Kaggle's <c>train-images.idx3-ubyte</c>), the test files with the prefix <c>t10k-</c> or <c>test-</c>,
/// each plain or with <c>.gz</c>.
/// </summary>
internal sealed record IdxFileSet(string TrainImages, string TrainLabels, string TestImages, string TestLabels)
{
    private static readonly string[] TrainPrefixes = ["train"];
    private static readonly string[] TestPrefixes = ["t10k", "test"];

    /// <summary>The files in <paramref name="directory"/>; throws naming the first one missing.</summary>
    public static IdxFileSet Find(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The dataset folder {directory} does not exist.");
        if (TryFind(directory, out var files, out var missing))
            return files;
        var (role, names) = missing[0];
        throw new FileNotFoundException(
            $"No {role} file in {directory}: expected {DescribeNames(names)}.",
            Path.Combine(directory, names[0]));
    }

    /// <summary>
    /// The files in <paramref name="directory"/>, or false with what is missing: each role (e.g. "training images")
    /// with the names it may have.
    /// </summary>
    public static bool TryFind(string directory, out IdxFileSet files, out List<(string Role, string[] Names)> missing)
    {
        var absent = new List<(string Role, string[] Names)>();
        string? Locate(string role, string[] prefixes, string kind, string idx)
        {
            // The plain name first: a plain file is faster to read than its .gz beside it.
            string[] names = [.. prefixes.SelectMany(prefix => new[] { $"{prefix}-{kind}-{idx}-ubyte", $"{prefix}-{kind}.{idx}-ubyte" })];
            string[] paths = [.. names.SelectMany(name => new[] { "", ".gz" }, (name, extension) => Path.Combine(directory, name + extension))];
            if (paths.FirstOrDefault(File.Exists) is string file) return file;
            // A folder under a dataset file's name is given back, so that reading it says "is a directory"
            // rather than the folder being passed over as if the file were missing.
            if (paths.FirstOrDefault(Directory.Exists) is string folder) return folder;
            absent.Add((role, names));
            return null;
        }

        string? trainImages = Locate("training images", TrainPrefixes, "images", "idx3");
        string? trainLabels = Locate("training labels", TrainPrefixes, "labels", "idx1");
        string? testImages = Locate("test images", TestPrefixes, "images", "idx3");
        string? testLabels = Locate("test labels", TestPrefixes, "labels", "idx1");
        files = new IdxFileSet(trainImages ?? "", trainLabels ?? "", testImages ?? "", testLabels ?? "");
        missing = absent;
        return absent.Count == 0;
    }

    /// <summary>For example <c>t10k-labels-idx1-ubyte or test-labels-idx1-ubyte (each also .gz)</c>.</summary>
    public static string DescribeNames(string[] names) =>
        string.Join(" or ", names.Where(name => !name.Contains(".idx", StringComparison.Ordinal))) + " (plain or .gz)";
}
