using System.Text.RegularExpressions;

namespace ConvNetGen.Tests.Data;

public sealed class DatasetLocatorTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly TinyDataset _tiny = new(name: "tiny", debianPackage: "dataset-tiny");
    private readonly HttpClient _http = TinyDataset.LoopbackClient();

    public void Dispose()
    {
        _http.Dispose();
        _root.Dispose();
    }

    private string Home => _root.Combine("home");
    private string System => _root.Combine("usr-share-datasets");
    private string Cache => Path.Combine(Home, ".convnetgen", "datasets", "tiny");

    private DatasetLocator Locator(string? environment = null, string? baseUrl = null) =>
        new(environment, Home, System,
            new DatasetDownloader(_http, progressOutput: null, interactiveProgress: false, baseUrl ?? LoopbackFileServer.ClosedPortUrl()));

    [Fact]
    public void SearchOrder_ExplicitThenEnvironmentThenCacheThenSystem()
    {
        string given = _root.Combine("given"), environment = _root.Combine("env");
        foreach (string folder in new[] { given, environment, Cache, Path.Combine(System, "tiny") })
            IdxTestFiles.WriteDataset(folder);

        Assert.Equal(given, Locator(environment).Locate(_tiny.Spec, given));
        Assert.Equal(environment, Locator(environment).Locate(_tiny.Spec, null));
        Assert.Equal(Cache, Locator().Locate(_tiny.Spec, null));
        Directory.Delete(Cache, recursive: true);
        Assert.Equal(Path.Combine(System, "tiny"), Locator().Locate(_tiny.Spec, null));
    }

    [Fact]
    public void SubfolderNamedAfterTheDataset_IsPreferred()
    {
        string data = _root.Combine("data");
        IdxTestFiles.WriteDataset(data);
        IdxTestFiles.WriteDataset(Path.Combine(data, "tiny"));

        Assert.Equal(Path.Combine(data, "tiny"), Locator().Locate(_tiny.Spec, data));
        Assert.Equal(Path.Combine(data, "tiny"), Locator(environment: data).Locate(_tiny.Spec, null));
    }

    [Fact]
    public void IncompleteFolder_IsSkipped()
    {
        string given = _root.Combine("given");
        IdxTestFiles.WriteDataset(given);
        File.Delete(Path.Combine(given, "t10k-images-idx3-ubyte.gz"));
        IdxTestFiles.WriteDataset(Path.Combine(System, "tiny"));

        Assert.Equal(Path.Combine(System, "tiny"), Locator().Locate(_tiny.Spec, given));
    }

    [Fact]
    public void NothingAnywhere_Downloads_IntoTheCache()
    {
        using var server = new LoopbackFileServer(_tiny.Files);

        var (train, test) = Locator(baseUrl: server.BaseUrl).Load(_tiny.Spec, null);

        Assert.Equal((20, 6), (train.Count, test.Count));
        Assert.True(File.Exists(Path.Combine(Cache, "train-images-idx3-ubyte.gz")));
        Assert.Equal(Cache, Locator(baseUrl: server.BaseUrl).Locate(_tiny.Spec, null));
        Assert.Equal(1, server.Requests["train-images-idx3-ubyte.gz"]);
    }

    [Fact]
    public void Offline_WithNoData_SaysExactlyHowToGetIt()
    {
        string given = _root.Combine("given"), environment = _root.Combine("env");
        string closed = LoopbackFileServer.ClosedPortUrl();

        var e = Assert.Throws<DatasetNotFoundException>(() => Locator(environment, closed).Locate(_tiny.Spec, given));

        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.StartsWith("Tiny-MNIST was not found and could not be downloaded:", e.Message);
        foreach (string searched in new[] { given, Path.Combine(given, "tiny"), environment, Cache, Path.Combine(System, "tiny") })
            Assert.Matches($@"\n  {Regex.Escape(searched)} +\(", e.Message);
        Assert.Contains("--data DIR", e.Message);
        Assert.Contains("CONVNETGEN_DATA=DIR", e.Message);
        Assert.Contains("sudo apt-get install dataset-tiny", e.Message);
        Assert.DoesNotContain("Fashion-MNIST", e.Message); // suggested only for datasets Debian does not package
        foreach (string file in _tiny.Files.Keys)
            Assert.Contains(closed + file, e.Message);
        Assert.Contains("cached in " + Cache, e.Message);
        Assert.False(Directory.Exists(Cache) && Directory.EnumerateFileSystemEntries(Cache).Any());
    }

    [Fact]
    public void Offline_MessageMentionsAnUnsetEnvironmentVariable_AndWhatAFolderLacks()
    {
        string given = _root.Combine("given");
        IdxTestFiles.WriteDataset(given);
        File.Delete(Path.Combine(given, "train-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<DatasetNotFoundException>(() => Locator().Locate(_tiny.Spec, given));

        Assert.Matches(@"\$CONVNETGEN_DATA +\(not set\)", e.Message);
        Assert.Matches($@"{Regex.Escape(given)} +\(the data folder given: no train-labels-idx1-ubyte\[\.gz\]\)", e.Message);
    }

    [Fact]
    public void DatasetWithoutDebianPackage_SuggestsFashionMnist()
    {
        var unpackaged = new TinyDataset(name: "unpackaged").Spec;

        var e = Assert.Throws<DatasetNotFoundException>(() => Locator().Locate(unpackaged, null));

        Assert.Contains("sudo apt-get install dataset-fashion-mnist, then FashionMnist.Load()", e.Message);
    }

    [Fact]
    public void MirrorAnswering404_IsReportedAsNotFound()
    {
        using var server = new LoopbackFileServer(new Dictionary<string, byte[]>());

        var e = Assert.Throws<DatasetNotFoundException>(() => Locator(baseUrl: server.BaseUrl).Locate(_tiny.Spec, null));

        Assert.Contains("404 Not Found", e.Message);
    }

    [Fact]
    public void WrongHashFromTheMirror_IsNotHiddenAsNotFound()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        var spec = _tiny.WithWrongHash("t10k-labels-idx1-ubyte.gz");

        Assert.Throws<InvalidDataException>(() => Locator(baseUrl: server.BaseUrl).Locate(spec, null));
        Assert.False(File.Exists(Path.Combine(Cache, "t10k-labels-idx1-ubyte.gz")));
    }

    [Fact]
    public void WithoutHome_NothingIsDownloaded()
    {
        var locator = new DatasetLocator(null, homeFolder: null, System, new DatasetDownloader(_http, null, false, LoopbackFileServer.ClosedPortUrl()));

        var e = Assert.Throws<DatasetNotFoundException>(() => locator.Locate(_tiny.Spec, null));

        Assert.Contains("no home folder", e.Message);
        Assert.Null(e.InnerException);
    }

    [Fact]
    public void Catalog_HasFourFilesWithHashesForEachDataset()
    {
        foreach (var spec in new[] { DatasetCatalog.Mnist, DatasetCatalog.FashionMnist })
        {
            Assert.Equal(["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
                spec.Files.Select(f => f.FileName));
            Assert.All(spec.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
            Assert.StartsWith("https://storage.googleapis.com/", spec.BaseUrl);
        }
        Assert.Equal("dataset-fashion-mnist", DatasetCatalog.FashionMnist.DebianPackage);
    }
}
