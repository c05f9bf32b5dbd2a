using System.Security.Cryptography;

namespace ConvNetGen.Keras.Applications;

/// <summary>
/// One keras.applications weights file as Keras publishes it: the name it is cached under, the address it is
/// downloaded from and its checksum (for VGG, Keras' <c>file_hash</c> is an MD5, so that is what is checked).
/// </summary>
/// <remarks>Immutable, so thread-safe.</remarks>
/// <param name="FileName">The name Keras caches it under (in <c>~/.keras/models</c>).</param>
/// <param name="Url">Where Keras downloads it from.</param>
/// <param name="Md5">Keras' <c>file_hash</c>, lower-case hex.</param>
public sealed record PretrainedWeights(string FileName, Uri Url, string Md5)
{
    private const string Vgg16Folder = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/";
    private const string Vgg19Folder = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/";

    /// <summary>VGG16 with its classifier (<c>include_top=True</c>), for <see cref="Applications.VGG16"/>.</summary>
    public static PretrainedWeights VGG16 { get; } = new("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        new Uri(Vgg16Folder + "vgg16_weights_tf_dim_ordering_tf_kernels.h5"), "64373286793e3c8b2b4e3219cbf3544b");

    /// <summary>VGG16's base (<c>include_top=False</c>), for <see cref="VGG16NoTop"/> or any model including <see cref="VGG16Base"/>.</summary>
    public static PretrainedWeights VGG16NoTop { get; } = new("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        new Uri(Vgg16Folder + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), "6d6bbae143d832006294945121d1f1fc");

    /// <summary>VGG19 with its classifier (<c>include_top=True</c>), for <see cref="Applications.VGG19"/>.</summary>
    public static PretrainedWeights VGG19 { get; } = new("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
        new Uri(Vgg19Folder + "vgg19_weights_tf_dim_ordering_tf_kernels.h5"), "cbe5617147190e668d6c5d5026f83318");

    /// <summary>VGG19's base (<c>include_top=False</c>), for <see cref="VGG19NoTop"/> or any model including <see cref="VGG19Base"/>.</summary>
    public static PretrainedWeights VGG19NoTop { get; } = new("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        new Uri(Vgg19Folder + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"), "253f8cb515780f3b799900260a226db6");

    /// <summary>
    /// Where the file is: <paramref name="explicitPath"/> when given (taken as it is, as Keras' <c>load_weights(path)</c>
    /// takes it), else the first cached copy whose MD5 is right: ConvNetGen's cache <c>~/.convnetgen/models</c>, then
    /// Keras' own (<c>$KERAS_HOME/models</c>, by default <c>~/.keras/models</c>), so a file Keras downloaded is reused.
    /// Nothing is downloaded here; <see cref="Download"/> does that.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is not there; the message says where it was looked for, the address to download it from and where to put it.</exception>
    /// <exception cref="InvalidDataException">A cached copy has the wrong MD5 (a broken download): delete it and download again.</exception>
    public string Locate(string? explicitPath = null)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? explicitPath
                : throw new FileNotFoundException($"The weights file '{explicitPath}' does not exist. {FileName} is at {Url}.", explicitPath);
        var searched = CacheFolders().ToList();
        foreach (string folder in searched)
        {
            string candidate = Path.Combine(folder, FileName);
            if (!File.Exists(candidate)) continue;
            string actual = Md5Of(candidate);
            if (!string.Equals(actual, Md5, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"'{candidate}' has MD5 {actual}, but {FileName} must have {Md5} (as Keras publishes it): a broken or different file. Delete it and download {Url} again.");
            return candidate;
        }
        throw new FileNotFoundException(
            $"{FileName} was not found in {string.Join(" or ", searched.Select(f => "'" + f + "'"))}. Download it from {Url} " +
            $"(MD5 {Md5}) into {(searched.Count > 0 ? "'" + searched[0] + "'" : "a folder of your choice")}, or pass its path.", FileName);
    }

    /// <summary>
    /// Downloads the file into ConvNetGen's cache <c>~/.convnetgen/models</c> unless a checked copy is already cached,
    /// as datasets are: written under a temporary name, its MD5 checked, and renamed into place only then, so the cache
    /// never holds a partial or wrong file.
    /// </summary>
    /// <returns>The cached file's path.</returns>
    /// <exception cref="InvalidOperationException">There is no home folder to cache into.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached or did not answer 200.</exception>
    /// <exception cref="InvalidDataException">The download has the wrong MD5; nothing was cached.</exception>
    public string Download(HttpClient http, string? cacheFolder = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        string folder = cacheFolder ?? ConvNetGenCache() ?? throw new InvalidOperationException($"There is no home folder to cache {FileName} in; pass a folder.");
        string target = Path.Combine(folder, FileName);
        if (File.Exists(target) && string.Equals(Md5Of(target), Md5, StringComparison.OrdinalIgnoreCase)) return target;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.download");
        try
        {
            using (var response = http.Send(new HttpRequestMessage(HttpMethod.Get, Url), HttpCompletionOption.ResponseHeadersRead))
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"GET {Url} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
                using var body = response.Content.ReadAsStream();
                using var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                body.CopyTo(output);
                output.Flush(flushToDisk: true);
            }
            string actual = Md5Of(temporary);
            if (!string.Equals(actual, Md5, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"The file downloaded from {Url} has MD5 {actual}, but {FileName} must have {Md5}. It was discarded and nothing was cached.");
            File.Move(temporary, target, overwrite: true);
            return target;
        }
        finally
        {
            File.Delete(temporary); // no-op once moved
        }
    }

    /// <summary>The cache folders searched, in order.</summary>
    public static IEnumerable<string> CacheFolders()
    {
        if (ConvNetGenCache() is { } ours) yield return ours;
        string? kerasHome = Environment.GetEnvironmentVariable("KERAS_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(kerasHome)) yield return Path.Combine(kerasHome, "models");
        else if (!string.IsNullOrEmpty(home)) yield return Path.Combine(home, ".keras", "models");
    }

    private static string? ConvNetGenCache()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".convnetgen", "models");
    }

    private static string Md5Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }
}
