namespace ConvNetGen.Tests.Data;

public sealed class DatasetDownloaderTests : IDisposable
{
    private readonly TempFolder _cache = new();
    private readonly TinyDataset _tiny = new();
    private readonly HttpClient _http = TinyDataset.LoopbackClient();

    public void Dispose()
    {
        _http.Dispose();
        _cache.Dispose();
    }

    private DatasetDownloader Downloader(string baseUrl, TextWriter? progress = null, bool interactive = false) =>
        new(_http, progress, interactive, baseUrl);

    [Fact]
    public void Download_CachesVerifiedFiles_AndDoesNotDownloadThemAgain()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        var downloader = Downloader(server.BaseUrl);

        downloader.Download(_tiny.Spec, _cache.Path);
        downloader.Download(_tiny.Spec, _cache.Path);

        foreach (var (name, bytes) in _tiny.Files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(_cache.Combine(name)));
            Assert.Equal(1, server.Requests[name]);
        }
        Assert.Equal(4, Directory.GetFiles(_cache.Path).Length); // no temporary files left behind
        Assert.Equal(20, Idx.Load(_cache.Path).Train.Count);
    }

    [Fact]
    public void A_folder_where_a_file_should_go_is_named_before_anything_is_downloaded()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        Directory.CreateDirectory(_cache.Combine("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<IOException>(() => Downloader(server.BaseUrl).Download(_tiny.Spec, _cache.Path));

        Assert.Contains(_cache.Combine("t10k-labels-idx1-ubyte.gz") + " is a folder", e.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Download_OnlyFetchesMissingFiles()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        File.WriteAllBytes(_cache.Combine("train-images-idx3-ubyte.gz"), _tiny.Files["train-images-idx3-ubyte.gz"]);

        Downloader(server.BaseUrl).Download(_tiny.Spec, _cache.Path);

        Assert.False(server.Requests.ContainsKey("train-images-idx3-ubyte.gz"));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public void WrongHash_IsAClearError_AndLeavesNothingInTheCache()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        var spec = _tiny.WithWrongHash("train-images-idx3-ubyte.gz");

        var e = Assert.Throws<InvalidDataException>(() => Downloader(server.BaseUrl).Download(spec, _cache.Path));

        Assert.Contains("SHA-256 " + IdxTestFiles.Sha256(_tiny.Files["train-images-idx3-ubyte.gz"]), e.Message);
        Assert.Contains("must have " + new string('0', 64), e.Message);
        Assert.Contains(server.BaseUrl + "train-images-idx3-ubyte.gz", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_cache.Path));
    }

    [Fact]
    public void WrongSize_IsRejectedBeforeDownloading()
    {
        var files = new Dictionary<string, byte[]>(_tiny.Files) { ["train-labels-idx1-ubyte.gz"] = new byte[3] };
        using var server = new LoopbackFileServer(files);

        var e = Assert.Throws<InvalidDataException>(() => Downloader(server.BaseUrl).Download(_tiny.Spec, _cache.Path));

        Assert.Contains("the server announces 3 bytes", e.Message);
        Assert.DoesNotContain(Directory.GetFiles(_cache.Path), f => f.Contains("labels", StringComparison.Ordinal));
    }

    [Fact]
    public void NotFoundOnServer_IsAClearError()
    {
        using var server = new LoopbackFileServer(new Dictionary<string, byte[]>());

        var e = Assert.Throws<HttpRequestException>(() => Downloader(server.BaseUrl).Download(_tiny.Spec, _cache.Path));

        Assert.Contains("404", e.Message);
        Assert.Contains(server.BaseUrl + "train-images-idx3-ubyte.gz", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
        Assert.Empty(Directory.GetFileSystemEntries(_cache.Path));
    }

    [Fact]
    public void Progress_RedirectedOutput_IsOneLinePerFile()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        var progress = new StringWriter();

        Downloader(server.BaseUrl, progress, interactive: false).Download(_tiny.Spec, _cache.Path);

        string[] lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^Downloading http://127\.0\.0\.1:\d+/data/\S+ \(.+\) \.\.\. SHA-256 verified\r?$", line));
        Assert.DoesNotContain('\r', progress.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_Terminal_DrawsABar()
    {
        using var server = new LoopbackFileServer(_tiny.Files);
        var progress = new StringWriter();

        Downloader(server.BaseUrl, progress, interactive: true).Download(_tiny.Spec, _cache.Path);

        Assert.Contains("\r[==============================] 100%", progress.ToString());
    }
}
