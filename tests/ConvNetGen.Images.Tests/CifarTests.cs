using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using ConvNetGen.Tests.Data;

namespace ConvNetGen.Images.Tests;

public sealed class CifarTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Records whose pixel (channel c, row r, column x) is (seed + c·50 + r·3 + x) mod 256 and whose labels are given.</summary>
    private static byte[] Records(int labelBytes, params int[][] labels)
    {
        var data = new List<byte>();
        for (int n = 0; n < labels.Length; n++)
        {
            data.AddRange(labels[n].Select(l => (byte)l));
            for (int c = 0; c < 3; c++)
                for (int r = 0; r < 32; r++)
                    for (int x = 0; x < 32; x++)
                        data.Add((byte)(n + c * 50 + r * 3 + x));
        }
        Assert.Equal(labels.Length * (labelBytes + 3072), data.Count);
        return data.ToArray();
    }

    [Fact]
    public void Cifar10_records_become_NHWC_floats()
    {
        string path = Path.Combine(_dir.Path, "data_batch_1.bin");
        File.WriteAllBytes(path, Records(1, [3], [9]));
        var set = Cifar10.ReadBatch(path);
        Assert.Equal([3, 9], set.Labels);
        Assert.Equal((32, 32, 3), (set.Height, set.Width, set.Channels));
        // Sample 1, row 2, column 5, channel 1 (green): (1 + 50 + 6 + 5) / 255.
        Assert.Equal(62 / 255f, set.Image(1)[(2 * 32 + 5) * 3 + 1]);
    }

    [Fact]
    public void Cifar100_reads_fine_or_coarse_labels()
    {
        string path = Path.Combine(_dir.Path, "train.bin");
        File.WriteAllBytes(path, Records(2, [4, 87], [19, 2]));
        Assert.Equal([87, 2], Cifar100.ReadFile(path).Labels);
        Assert.Equal([4, 19], Cifar100.ReadFile(path, coarseLabels: true).Labels);
        Assert.Equal(0 / 255f + 0, Cifar100.ReadFile(path).Image(0)[0]);
    }

    [Fact]
    public void Damaged_files_are_clear_errors()
    {
        string path = Path.Combine(_dir.Path, "test_batch.bin");
        File.WriteAllBytes(path, Records(1, [1])[..3000]);
        Assert.Contains("whole number", Assert.Throws<InvalidDataException>(() => Cifar10.ReadBatch(path)).Message);
        File.WriteAllBytes(path, Records(1, [12]));
        Assert.Contains("label 12", Assert.Throws<InvalidDataException>(() => Cifar10.ReadBatch(path)).Message);
    }

    private static byte[] Archive(string folder, Dictionary<string, byte[]> files)
    {
        using var tar = new MemoryStream();
        using (var gzip = new GZipStream(tar, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip))
            foreach (var (name, bytes) in files)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, folder + "/" + name) { DataStream = new MemoryStream(bytes) });
        return tar.ToArray();
    }

    [Fact]
    public void Download_checks_the_MD5_unpacks_and_loads_from_a_loopback_server()
    {
        var files = new Dictionary<string, byte[]>();
        for (int i = 1; i <= 5; i++) files[$"data_batch_{i}.bin"] = Records(1, [i], [0]);
        files["test_batch.bin"] = Records(1, [7]);
        byte[] archive = Archive("cifar-10-batches-bin", files);
        using var server = new LoopbackFileServer(new() { ["cifar-10-binary.tar.gz"] = archive });
        var spec = DatasetCatalog.Cifar10 with { Files = [new("cifar-10-binary.tar.gz", archive.Length, null, Convert.ToHexStringLower(MD5.HashData(archive)))] };
        var layout = CifarLoader.Cifar10Layout with { Spec = spec };
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var loader = new CifarLoader(null, _dir.Path, new DatasetDownloader(http, null, false, server.BaseUrl));
        var (train, test) = loader.Load(layout, null);
        Assert.Equal([1, 0, 2, 0, 3, 0, 4, 0, 5, 0], train.Labels);
        Assert.Equal([7], test.Labels);
        Assert.True(File.Exists(Path.Combine(_dir.Path, ".convnetgen", "datasets", "cifar-10", "cifar-10-batches-bin", "test_batch.bin")));

        // A wrong MD5 caches nothing and says so.
        var other = new TempFolder();
        try
        {
            var wrong = layout with { Spec = spec with { Files = [spec.Files[0] with { Md5 = new string('0', 32) }] } };
            var e = Assert.Throws<InvalidDataException>(() => new CifarLoader(null, other.Path, new DatasetDownloader(http, null, false, server.BaseUrl)).Load(wrong, null));
            Assert.Contains("MD5", e.Message);
        }
        finally
        {
            other.Dispose();
        }
    }

    [Fact]
    public void Catalog_pins_the_publishers_archives()
    {
        Assert.Equal("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", DatasetCatalog.Cifar10.UrlOf(DatasetCatalog.Cifar10.Files[0]).ToString());
        Assert.Matches("^[0-9a-f]{32}$", DatasetCatalog.Cifar10.Files[0].Md5);
        Assert.Matches("^[0-9a-f]{32}$", DatasetCatalog.Cifar100.Files[0].Md5);
    }
}
