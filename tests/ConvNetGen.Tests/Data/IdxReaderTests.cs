namespace ConvNetGen.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _folder.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadImages_PlainFile_RoundTrips()
    {
        string path = Write("images-idx3-ubyte", IdxTestFiles.Images(3, 4, 5));

        var images = Idx.ReadImages(path);

        Assert.Equal((3, 4, 5, 1, 20), (images.Count, images.Height, images.Width, images.Channels, images.SampleSize));
        Assert.Equal(IdxTestFiles.Pixels(60), images.Pixels);
    }

    [Fact]
    public void ReadImages_GzipIsDetectedByContentNotName()
    {
        // Gzip data under a plain name, and plain data under a .gz name: both read.
        string gzip = Write("images-idx3-ubyte", IdxTestFiles.Gzip(IdxTestFiles.Images(3, 4, 5)));
        string plain = Write("labels-idx1-ubyte.gz", IdxTestFiles.Labels(7));

        Assert.Equal(IdxTestFiles.Pixels(60), Idx.ReadImages(gzip).Pixels);
        Assert.Equal(IdxTestFiles.LabelValues(7), Idx.ReadLabels(plain));
    }

    [Fact]
    public void ReadLabels_NonSeekableStreams_PlainAndGzip()
    {
        byte[] file = IdxTestFiles.Labels(300);
        using var plain = new ForwardOnlyStream(file);
        using var gzip = new ForwardOnlyStream(IdxTestFiles.Gzip(file));

        Assert.Equal(IdxTestFiles.LabelValues(300), Idx.ReadLabels(plain));
        Assert.Equal(IdxTestFiles.LabelValues(300), Idx.ReadLabels(gzip));
    }

    [Fact]
    public void ReadImages_Stream_IsLeftOpen()
    {
        using var stream = new MemoryStream(IdxTestFiles.Gzip(IdxTestFiles.Images(2, 2, 2)));
        Idx.ReadImages(stream);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public void ReadImages_Rank4_HasChannels()
    {
        string path = Write("rgb-idx4-ubyte", IdxTestFiles.Build([2, 3, 4, 3], IdxTestFiles.Pixels(72)));

        var images = Idx.ReadImages(path);

        Assert.Equal((2, 3, 4, 3), (images.Count, images.Height, images.Width, images.Channels));
    }

    [Fact]
    public void ToScaledFloats_DividesBy255LikeKeras()
    {
        string path = Write("images", IdxTestFiles.Images(1, 16, 16)); // 256 pixels: every value 0–255

        var images = Idx.ReadImages(path);
        float[] scaled = images.ToScaledFloats();

        for (int i = 0; i < scaled.Length; i++)
            Assert.Equal(images.Pixels[i] / 255f, scaled[i]);
        Assert.Equal(0f, scaled.Min());
        Assert.Equal(1f, scaled.Max());
    }

    [Fact]
    public void BadMagicNumber_SaysSoWithThePath()
    {
        var bytes = IdxTestFiles.Images(1, 2, 2);
        bytes[0] = 0x12;
        string path = Write("bad-magic", bytes);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic number is 0x12000803", e.Message);
    }

    [Fact]
    public void UnsupportedElementType_IsNamed()
    {
        string path = Write("floats", IdxTestFiles.Build([2], new byte[8], type: 0x0D));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains("0x0D (32-bit float) is not supported", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void LabelFileReadAsImages_ReportsTheRank()
    {
        string path = Write("labels", IdxTestFiles.Labels(4));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains("rank 1 is not supported", e.Message);
    }

    [Fact]
    public void ZeroDimension_IsRejected()
    {
        string path = Write("zero", IdxTestFiles.Build([5, 0, 28], []));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains("image height is 0", e.Message);
    }

    [Fact]
    public void AbsurdDimensions_AreRejectedBeforeAllocating()
    {
        string path = Write("huge", IdxTestFiles.Build([int.MaxValue, 28, 28], []));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains("cannot be right", e.Message);
    }

    [Fact]
    public void TruncatedPlainFile_SaysExpectedAndGot()
    {
        byte[] whole = IdxTestFiles.Images(10, 4, 4);
        string path = Write("short", whole[..^15]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains("truncated", e.Message);
        Assert.Contains("promises 160 bytes", e.Message);
        Assert.Contains("only 145 follow", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedPayloadInsideValidGzip_SaysExpectedAndGot()
    {
        byte[] whole = IdxTestFiles.Labels(100);
        string path = Write("short.gz", IdxTestFiles.Gzip(whole[..^40]));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains("promises 100 bytes", e.Message);
        Assert.Contains("only 60 follow", e.Message);
    }

    [Fact]
    public void CutGzipFile_IsReportedWithThePath()
    {
        byte[] compressed = IdxTestFiles.Gzip(IdxTestFiles.Images(50, 28, 28));
        string path = Write("cut.gz", compressed[..(compressed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedHeader_And_EmptyFile()
    {
        string header = Write("header", IdxTestFiles.Images(1, 2, 2)[..9]);
        string empty = Write("empty", []);

        Assert.Contains("its header needs 16 bytes", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(header)).Message);
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(empty)).Message);
    }

    [Fact]
    public void LargeGzipStreamOfUnknownLength_GrowsItsBufferCorrectly()
    {
        // Nothing confirms the header's size in a gzip stream, so the reader starts with a small buffer and must
        // grow it for these 19.6 MB. Random pixels: a repeating pattern would exceed the 50:1 expansion cap.
        const int count = 25_000;
        byte[] file = IdxTestFiles.Build([count, 28, 28], IdxTestFiles.RandomPixels(count * 28 * 28));
        using var stream = new ForwardOnlyStream(IdxTestFiles.Gzip(file));

        var images = Idx.ReadImages(stream);

        Assert.Equal(count, images.Count);
        Assert.True(file.AsSpan(16).SequenceEqual(images.Pixels));
    }
}
