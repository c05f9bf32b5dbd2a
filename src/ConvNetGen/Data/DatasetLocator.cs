using System.Text;

namespace ConvNetGen;

/// <summary>
/// Finds a dataset's folder, in this order: the folder the caller names (the samples' <c>--data DIR</c>); the
/// <c>CONVNETGEN_DATA</c> folder; the cache <c>~/.convnetgen/datasets/NAME</c>; Debian's
/// <c>/usr/share/datasets/NAME</c>; and at last a download into the cache. The first two may hold the files
/// directly or in a subfolder named after the dataset (<c>mnist</c>, <c>fashion-mnist</c>).
/// </summary>
internal sealed class DatasetLocator
{
    /// <summary>The environment variable naming a folder of datasets.</summary>
    public const string EnvironmentVariable = "CONVNETGEN_DATA";

    /// <summary>Where Debian's dataset packages install their files.</summary>
    public const string DebianDatasetsFolder = "/usr/share/datasets";

    private readonly string? _environmentFolder;
    private readonly string? _homeFolder;
    private readonly string? _systemFolder;
    private readonly DatasetDownloader? _downloader;

    /// <param name="environmentFolder">The value of <c>CONVNETGEN_DATA</c>, or null when unset.</param>
    /// <param name="homeFolder">The user's home, under which the cache lives; null when there is none (no cache, no download).</param>
    /// <param name="systemFolder">The folder of system-wide datasets (Debian's /usr/share/datasets), or null to skip it.</param>
    /// <param name="downloader">What downloads missing datasets, or null to never download.</param>
    public DatasetLocator(string? environmentFolder, string? homeFolder, string? systemFolder, DatasetDownloader? downloader)
    {
        _environmentFolder = string.IsNullOrWhiteSpace(environmentFolder) ? null : environmentFolder;
        _homeFolder = string.IsNullOrWhiteSpace(homeFolder) ? null : homeFolder;
        _systemFolder = systemFolder;
        _downloader = downloader;
    }

    /// <summary>The locator of this process: its environment, its home, Debian's folder, and downloads with progress on standard error.</summary>
    public static DatasetLocator CreateDefault() => new(
        Environment.GetEnvironmentVariable(EnvironmentVariable),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify),
        DebianDatasetsFolder,
        new DatasetDownloader(DatasetDownloader.SharedClient, Console.Error, interactiveProgress: !Console.IsErrorRedirected));

    /// <summary>Where downloads of <paramref name="spec"/> are cached: <c>~/.convnetgen/datasets/NAME</c>.</summary>
    public string? CacheFolder(DatasetSpec spec) =>
        _homeFolder is null ? null : Path.Combine(_homeFolder, ".convnetgen", "datasets", spec.Name);

    /// <summary>Finds (or downloads) <paramref name="spec"/> and loads its training and test sets.</summary>
    public (Dataset Train, Dataset Test) Load(DatasetSpec spec, string? explicitFolder) =>
        Idx.Load(Locate(spec, explicitFolder), spec.Classes is int classes ? (classes, spec.DisplayName) : null);

    /// <summary>The first folder holding all four files of <paramref name="spec"/>, downloading them if none does.</summary>
    /// <exception cref="DatasetNotFoundException">No folder has the files and they could not be downloaded.</exception>
    /// <exception cref="InvalidDataException">A download arrived damaged (wrong size or SHA-256); nothing was cached.</exception>
    public string Locate(DatasetSpec spec, string? explicitFolder)
    {
        var searched = new List<(string Place, string Finding)>();
        foreach (var (folder, origin) in Candidates(spec, explicitFolder))
        {
            if (folder is null)
            {
                searched.Add((origin, "not set"));
                continue;
            }
            if (!Directory.Exists(folder))
            {
                searched.Add((folder, $"{origin}: no such folder"));
                continue;
            }
            if (IdxFileSet.TryFind(folder, out _, out var missing))
                return folder;
            searched.Add((folder, $"{origin}: no {string.Join(", no ", missing.Select(m => m.Names[0] + "[.gz]"))}"));
        }

        string? cache = CacheFolder(spec);
        if (_downloader is null || cache is null)
            throw NotFound(spec, searched, cache, null);
        try
        {
            _downloader.Download(spec, cache);
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException or TaskCanceledException)
        {
            // Offline, a mirror that is down, or a timeout: the user needs the ways to get the files by hand.
            throw NotFound(spec, searched, cache, e);
        }
        return cache;
    }

    /// <summary>The folders to look in, in order, with where each comes from; a null folder is a source that is not set.</summary>
    private IEnumerable<(string? Folder, string Origin)> Candidates(DatasetSpec spec, string? explicitFolder)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder))
        {
            yield return (Path.Combine(explicitFolder, spec.Name), "the data folder given");
            yield return (explicitFolder, "the data folder given");
        }
        string variable = "$" + EnvironmentVariable;
        if (_environmentFolder is null)
        {
            yield return (null, variable);
        }
        else
        {
            yield return (Path.Combine(_environmentFolder, spec.Name), variable);
            yield return (_environmentFolder, variable);
        }
        if (CacheFolder(spec) is string cache)
            yield return (cache, "download cache");
        if (_systemFolder is not null)
            yield return (Path.Combine(_systemFolder, spec.Name), spec.DebianPackage is null ? "system datasets" : $"Debian package {spec.DebianPackage}");
    }

    private DatasetNotFoundException NotFound(DatasetSpec spec, List<(string Place, string Finding)> searched, string? cache, Exception? downloadFailure)
    {
        var text = new StringBuilder();
        text.Append(spec.DisplayName).Append(" was not found");
        if (downloadFailure is not null)
            text.Append(" and could not be downloaded: ").Append(downloadFailure.Message);
        else if (_downloader is null)
            text.Append(" (downloading is turned off).");
        else
            text.Append(" and cannot be downloaded: there is no home folder to cache it in.");

        text.AppendLine().AppendLine().AppendLine("Searched, in this order:");
        int width = searched.Max(entry => entry.Place.Length);
        foreach (var (place, finding) in searched)
            text.Append("  ").Append(place.PadRight(width)).Append("   (").Append(finding).AppendLine(")");

        text.AppendLine().AppendLine("To get the data, do one of these:");
        if (spec.DebianPackage is not null)
            text.Append("  - install it: sudo apt-get install ").Append(spec.DebianPackage)
                .Append("   (it fills ").Append(Path.Combine(_systemFolder ?? DebianDatasetsFolder, spec.Name)).AppendLine(")");
        text.Append("  - download these files into ").Append(cache ?? "a folder of your choice").AppendLine(":");
        foreach (var file in spec.Files)
            text.Append("        ").AppendLine((_downloader?.UrlOf(spec, file) ?? spec.UrlOf(file)).ToString());
        text.Append("    or into any folder, and pass it with --data DIR (dataDirectory: DIR in code) or set ")
            .Append(EnvironmentVariable).AppendLine("=DIR");
        text.Append("  - run again with internet access: the files are downloaded, checked and cached")
            .AppendLine(cache is null ? " (once HOME is set)" : " in " + cache);
        if (spec.DebianPackage is null)
            text.Append("  - or use Fashion-MNIST, a drop-in replacement that Debian packages: sudo apt-get install ")
                .Append(DatasetCatalog.FashionMnist.DebianPackage).Append(", then FashionMnist.Load()");
        return new DatasetNotFoundException(text.ToString().TrimEnd(), downloadFailure);
    }
}
