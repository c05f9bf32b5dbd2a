using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ConvNetGen;

/// <summary>
/// Downloads a dataset's files into a cache folder, checking each one's size and SHA-256 before it appears there:
/// a file is written under a temporary name and renamed into place only once verified, so the cache never holds
/// a partial or wrong file.
/// </summary>
internal sealed class DatasetDownloader
{
    private readonly HttpClient _http;
    private readonly TextWriter? _progressOutput;
    private readonly bool _interactiveProgress;
    private readonly string? _baseUrlOverride;

    /// <param name="http">The client to download with.</param>
    /// <param name="progressOutput">Where progress goes (standard error by default); null for none.</param>
    /// <param name="interactiveProgress">True to redraw a bar (a terminal), false for one line per file.</param>
    /// <param name="baseUrlOverride">A mirror to use instead of each dataset's own (tests point this at a loopback server).</param>
    public DatasetDownloader(HttpClient http, TextWriter? progressOutput, bool interactiveProgress, string? baseUrlOverride = null)
    {
        _http = http;
        _progressOutput = progressOutput;
        _interactiveProgress = interactiveProgress;
        _baseUrlOverride = baseUrlOverride;
    }

    /// <summary>The URL that <paramref name="file"/> of <paramref name="spec"/> is fetched from.</summary>
    public Uri UrlOf(DatasetSpec spec, DatasetFile file) => spec.UrlOf(file, _baseUrlOverride);

    /// <summary>Downloads the files of <paramref name="spec"/> that <paramref name="folder"/> lacks.</summary>
    /// <exception cref="HttpRequestException">The mirror could not be reached or did not serve a file.</exception>
    /// <exception cref="InvalidDataException">A file arrived with the wrong size or SHA-256; nothing was cached.</exception>
    /// <exception cref="IOException">A folder stands where a dataset file should go; nothing was downloaded.</exception>
    public void Download(DatasetSpec spec, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in spec.Files)
        {
            string target = Path.Combine(folder, file.FileName);
            if (Directory.Exists(target)) // checked before any download: the final rename would fail only after it
                throw new IOException($"{target} is a folder, where the downloaded {spec.DisplayName} file {file.FileName} should go; move it away and run again.");
        }
        foreach (var file in spec.Files)
        {
            string target = Path.Combine(folder, file.FileName);
            if (!File.Exists(target))
                DownloadFile(UrlOf(spec, file), file, target);
        }
    }

    private void DownloadFile(Uri url, DatasetFile file, string target)
    {
        // Same folder as the target, so the final rename stays on one file system and is atomic.
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{file.FileName}.{Guid.NewGuid():N}.part");
        var progress = new DownloadProgress(_progressOutput, _interactiveProgress, url.ToString(), file.Size);
        long received = 0;
        bool verified = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException(
                    Invariant($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}."), null, response.StatusCode);
            long? announced = response.Content.Headers.ContentLength;
            if (announced is long length && length != file.Size)
                throw WrongSize(url, file, Invariant($"the server announces {length:N0} bytes"));

            progress.Start();
            bool md5Only = file.Sha256 is null;
            using var hash = IncrementalHash.CreateHash(md5Only ? HashAlgorithmName.MD5 : HashAlgorithmName.SHA256);
            using (var body = response.Content.ReadAsStream())
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = body.Read(buffer)) > 0)
                {
                    received += n;
                    if (received > file.Size)
                        throw WrongSize(url, file, "the server sent more than that");
                    hash.AppendData(buffer, 0, n);
                    output.Write(buffer, 0, n);
                    progress.Report(received);
                }
                output.Flush(flushToDisk: true);
            }
            if (received != file.Size)
                throw WrongSize(url, file, Invariant($"the download ended after {received:N0} bytes"));

            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            string expected = (md5Only ? file.Md5 : file.Sha256) ?? throw new InvalidOperationException($"{file.FileName} has no checksum to verify.");
            string algorithm = md5Only ? "MD5" : "SHA-256";
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"The file downloaded from {url} has {algorithm} {actual}, but {file.FileName} must have {expected}. " +
                    "It was discarded and nothing was cached: the mirror serves a different file, or the download was altered on the way.");

            File.Move(temporary, target, overwrite: true);
            verified = true;
            progress.Finish(received, algorithm + " verified");
        }
        finally
        {
            if (!verified)
            {
                progress.Finish(received, "failed");
                File.Delete(temporary); // no-op when it was never created
            }
        }
    }

    private static InvalidDataException WrongSize(Uri url, DatasetFile file, string what) =>
        new(Invariant($"{file.FileName} must be {file.Size:N0} bytes, but {what} (from {url}). Nothing was cached."));

    /// <summary>The client used unless one is injected: one per process, as HttpClient is meant to be used.</summary>
    public static HttpClient SharedClient => SharedClientHolder.Client;

    private static class SharedClientHolder
    {
        public static readonly HttpClient Client = CreateClient();

        private static HttpClient CreateClient()
        {
            var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ConvNetGen",
                typeof(DatasetDownloader).Assembly.GetName().Version?.ToString(3) ?? "0"));
            return client;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
