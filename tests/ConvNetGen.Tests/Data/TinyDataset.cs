namespace ConvNetGen.Tests.Data;

/// <summary>A small generated dataset published as four IDX .gz files, with a catalog entry that matches them.</summary>
internal sealed class TinyDataset
{
    public TinyDataset(string name = "tiny", string? debianPackage = null)
    {
        Files = new()
        {
            ["train-images-idx3-ubyte.gz"] = IdxTestFiles.Gzip(IdxTestFiles.Images(20, 4, 4)),
            ["train-labels-idx1-ubyte.gz"] = IdxTestFiles.Gzip(IdxTestFiles.Labels(20)),
            ["t10k-images-idx3-ubyte.gz"] = IdxTestFiles.Gzip(IdxTestFiles.Images(6, 4, 4)),
            ["t10k-labels-idx1-ubyte.gz"] = IdxTestFiles.Gzip(IdxTestFiles.Labels(6)),
        };
        Spec = new DatasetSpec(name, "Tiny-MNIST", "https://example.invalid/never-used/", debianPackage,
            [.. Files.Select(f => new DatasetFile(f.Key, f.Value.Length, IdxTestFiles.Sha256(f.Value)))]);
    }

    /// <summary>File name → contents, ready for <see cref="LoopbackFileServer"/>.</summary>
    public Dictionary<string, byte[]> Files { get; }

    public DatasetSpec Spec { get; }

    /// <summary>The same entry with one file's SHA-256 replaced by a wrong one.</summary>
    public DatasetSpec WithWrongHash(string fileName) => Spec with
    {
        Files = [.. Spec.Files.Select(f => f.FileName == fileName ? f with { Sha256 = new string('0', 64) } : f)],
    };

    /// <summary>A client that never goes through a proxy, since the tests' servers are on loopback.</summary>
    public static HttpClient LoopbackClient() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
}
