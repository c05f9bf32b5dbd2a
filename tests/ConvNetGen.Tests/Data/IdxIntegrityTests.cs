using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvNetGen.Tests.Data;

/// <summary>
/// Damaged and hostile IDX files: every byte must be verified (gzip CRC-32 and length, nothing after the data),
/// memory must follow the data rather than the header, and each refusal must name the file and what is wrong.
/// </summary>
public sealed class IdxIntegrityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _folder.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- 1. Compressed data is verified to its last byte ----

    [Fact]
    public void GzipWithAnyBitFlippedInItsDeflateData_IsRejected()
    {
        // GZipStream alone lets some of these through: flips that end the deflate data early are never checked.
        // A flip may only pass if the data still decompresses to the very same bytes (the padding bits after
        // deflate's last block carry nothing).
        byte[] original = IdxTestFiles.Labels(200);
        byte[] gzip = IdxTestFiles.Gzip(original);
        string path = _folder.Combine("flipped.gz");
        int rejected = 0;
        for (int at = 10; at < gzip.Length - 8; at++)
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] damaged = (byte[])gzip.Clone();
                damaged[at] ^= (byte)(1 << bit);
                File.WriteAllBytes(path, damaged);
                try
                {
                    Assert.Equal(original[8..], Idx.ReadLabels(path));
                }
                catch (InvalidDataException e)
                {
                    Assert.Contains(path, e.Message);
                    rejected++;
                }
            }
        Assert.True(rejected >= 8 * (gzip.Length - 18) - 7, $"only {rejected} flips rejected"); // at most the last byte's padding passes
    }

    [Theory]
    [InlineData(8, "CRC-32")]  // the first byte of the CRC-32
    [InlineData(4, "length")]  // the first byte of ISIZE
    public void GzipWithADamagedTrailer_IsRejected(int fromEnd, string field)
    {
        byte[] gzip = IdxTestFiles.Gzip(IdxTestFiles.Labels(200));
        gzip[^fromEnd] ^= 0x01;
        string path = Write("trailer.gz", gzip);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("is damaged", e.Message);
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)] // the whole trailer gone: the deflate data is complete, so only the trailer check can tell
    public void GzipCutInsideItsTrailer_IsRejected(int cut)
    {
        byte[] gzip = IdxTestFiles.Gzip(IdxTestFiles.Labels(200));
        string path = Write("cut.gz", gzip[..^cut]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("is truncated or has data appended: its last 8 bytes should be the gzip trailer", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // padding, as some tools add
    [InlineData(new byte[] { 0x1f, 0x8b })] // the start of a member that never comes
    public void GzipWithBytesAfterItsTrailer_IsRejected(byte[] appended)
    {
        string path = Write("appended.gz", [.. IdxTestFiles.Gzip(IdxTestFiles.Labels(200)), .. appended]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void LargeGzipWithGarbageAfterIt_IsRejectedEvenFromAForwardOnlyStream()
    {
        // 100 KB of garbage: more than GZipStream buffers, so it is still unread when the gzip data ends.
        byte[] file = [.. IdxTestFiles.Gzip(IdxTestFiles.Labels(200)), .. new byte[100_000]];
        using var stream = new ForwardOnlyStream(file);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(stream, "stream.gz"));

        Assert.Contains("stream.gz has data after the end of its gzip stream", e.Message);
    }

    [Fact]
    public void MultiMemberGzip_IsRefusedWithAHint()
    {
        // Header in one member, labels in the next: gunzip would join them, but the last trailer covers only the labels.
        byte[] labels = IdxTestFiles.Labels(200);
        string path = Write("two-members.gz", [.. IdxTestFiles.Gzip(labels[..8]), .. IdxTestFiles.Gzip(labels[8..])]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("Multi-member gzip files are not supported", e.Message);
    }

    [Fact]
    public void GzipOfJustTheMagicBytes_IsTruncated()
    {
        string path = Write("stub.gz", [0x1f, 0x8b]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path + " is truncated: it is 2 bytes long, too short for gzip data", e.Message);
    }

    [Fact]
    public void ValidGzip_ReadsTheSameFromSeekableAndForwardOnlyStreams()
    {
        byte[] file = IdxTestFiles.Build([30, 5, 5], IdxTestFiles.RandomPixels(750));
        byte[] gzip = IdxTestFiles.Gzip(file);
        using var forwardOnly = new ForwardOnlyStream(gzip);
        using var seekable = new MemoryStream(gzip);

        Assert.Equal(file[16..], Idx.ReadImages(forwardOnly).Pixels);
        Assert.Equal(file[16..], Idx.ReadImages(seekable).Pixels);
    }

    // ---- 1b. Data after the IDX payload ----

    [Fact]
    public void PlainFileWithBytesAfterItsData_SaysWhereItShouldEnd()
    {
        string path = Write("long", [.. IdxTestFiles.Images(1, 2, 2), 9, 9, 9]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Equal($"{path} has data after its end: its header (1 × 2 × 2) promises 4 bytes of pixel data after the 16-byte header, so it should end at byte offset 20, but 3 more bytes follow.", e.Message);
    }

    [Fact]
    public void DecompressedDataLongerThanItsHeaderSays_IsRejected()
    {
        string path = Write("long.gz", IdxTestFiles.Gzip([.. IdxTestFiles.Labels(10), 1]));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Contains(path + " has data after its end", e.Message);
        Assert.Contains("should end at byte offset 18 of the decompressed data, but more data follows", e.Message);
    }

    [Fact]
    public void ForwardOnlyPlainStreamWithBytesAfterItsData_IsRejected()
    {
        using var stream = new ForwardOnlyStream([.. IdxTestFiles.Labels(10), 0]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(stream, "labels-stream"));

        Assert.StartsWith("labels-stream has data after its end", e.Message);
    }

    // ---- 2. Memory follows the data, not the header ----

    /// <summary>One image of 46340 × 46340 pixels: 2.1 GB, just under .NET's array limit, in a 35-byte gzip file.</summary>
    private static byte[] TinyGzipClaimingHugeImages() => IdxTestFiles.Gzip(IdxTestFiles.Build([1, 46340, 46340], [1, 2, 3]));

    [Fact]
    public void TinyGzipClaimingHugeImages_IsRefusedWithoutAllocating()
    {
        string path = Write("claims.gz", TinyGzipClaimingHugeImages());
        string labels = Write("labels", IdxTestFiles.Labels(1));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadDataset(path, labels));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path + ": its header (1 × 46340 × 46340) claims 2,147,395,600 bytes of pixel data", e.Message);
        Assert.Contains("decompression bomb", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void TinyGzipStreamClaimingHugeImages_GrowsOnlyWithTheDataThatArrives()
    {
        // A forward-only stream does not tell its length, so the refusal can only come when the data runs out.
        using var stream = new ForwardOnlyStream(TinyGzipClaimingHugeImages());

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(stream, "claims.gz"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith("claims.gz is truncated: its header (1 × 46340 × 46340) promises 2,147,395,600 bytes of pixel data", e.Message);
        Assert.Contains("only 3 follow (the data ends at byte offset 19 of the decompressed data)", e.Message);
        Assert.True(allocated < 2 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void PlainFileClaimingHugeImages_IsRefusedWithoutAllocating()
    {
        string path = Write("claims", IdxTestFiles.Build([1, 46340, 46340], [1, 2, 3]));
        string labels = Write("labels", IdxTestFiles.Labels(1));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadDataset(path, labels));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path + " is truncated: its header (1 × 46340 × 46340) promises 2,147,395,600 bytes", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated");
    }

    /// <summary>20 MB of zero labels in about 20 KB of gzip: a small decompression bomb.</summary>
    private static byte[] GzipBomb()
    {
        const int count = 20_000_000;
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(IdxTestFiles.Build([count], []));
            var zeros = new byte[1 << 20];
            for (int written = 0; written < count; written += zeros.Length)
                gzip.Write(zeros, 0, Math.Min(zeros.Length, count - written));
        }
        return memory.ToArray();
    }

    [Fact]
    public void GzipBomb_IsStoppedBeforeItExpands()
    {
        byte[] bomb = GzipBomb();
        string path = Write("bomb.gz", bomb);
        using var forwardOnly = new ForwardOnlyStream(bomb);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var fromFile = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        var fromStream = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(forwardOnly, "bomb-stream"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Its length known, the file is refused at once; the stream once its output passes 50:1 of its input.
        Assert.Contains(path + ": its header (20000000) claims 20,000,000 bytes of label data, more than a gzip file of", fromFile.Message);
        Assert.StartsWith("bomb-stream expands to more than", fromStream.Message);
        Assert.Contains("over the 50:1 a dataset file reaches", fromStream.Message);
        Assert.True(allocated < 8 << 20, $"{allocated:N0} bytes allocated"); // the 20 MB were never all there
    }

    [Fact]
    public void DatasetLargerThanAvailableMemory_SaysSoBeforeAllocating()
    {
        // The plain file's length matches its header, so only the memory check stands between it and the allocation.
        string path = Write("big", IdxTestFiles.Images(64, 32, 32)); // 65,536 pixels → 262,144 bytes of floats
        using var file = File.OpenRead(path);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InsufficientMemoryException>(() => IdxReader.ReadScaledImages(file, path, availableMemoryBytes: 100_000));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"{path} (64 × 32 × 32) needs 262,144 bytes of memory to load, more than the 100,000 bytes available to this process.", e.Message);
        Assert.True(allocated < 100_000, $"{allocated:N0} bytes allocated");
    }

    // ---- 3. Clear errors ----

    [Fact]
    public void FolderWhereAFileShouldBe_IsReportedAsADirectory()
    {
        string path = _folder.Combine("train-images-idx3-ubyte");
        Directory.CreateDirectory(path);

        var e = Assert.Throws<IOException>(() => Idx.ReadImages(path));

        Assert.Equal($"{path} is a directory, not an IDX file: expected a file of IDX data (plain or gzip) there.", e.Message);
    }

    [Fact]
    public void DatasetFolderWithADirectoryForAFile_SaysWhichIsADirectory()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: true);
        string labels = _folder.Combine("t10k-labels-idx1-ubyte.gz");
        File.Delete(labels);
        Directory.CreateDirectory(labels);

        var e = Assert.Throws<IOException>(() => Idx.Load(_folder.Path));

        Assert.StartsWith(labels + " is a directory", e.Message);
    }

    [Fact]
    public void ZeroByteGzipFile_IsTruncated_AndGzipOfNothing_IsEmpty()
    {
        string nothing = Write("nothing.gz", IdxTestFiles.Gzip([]));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(nothing));

        Assert.Equal($"{nothing} is empty: an IDX file starts with a 4-byte magic number.", e.Message);
    }

    [Fact]
    public void DimensionsWhoseProductOverflows_AreRejected()
    {
        // 65536³ = 2^48 values: each dimension is plausible, their product is not (and overflows int).
        string path = Write("overflow", IdxTestFiles.Build([65536, 65536, 65536], []));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));

        Assert.Contains(path + ": the header's dimensions (65536 × 65536 × 65536) promise more than", e.Message);
    }

    [Fact]
    public void DimensionAboveInt32_IsRejected()
    {
        byte[] file = IdxTestFiles.Build([1], [0]);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), 0xFFFFFFFF);
        string path = Write("negative", file);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));

        Assert.Equal($"{path}: the header says the label count is 4294967295, which cannot be right (the file is damaged or not IDX).", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeForAKnownDataset_NamesFileSampleAndOffset()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: false);
        string labels = _folder.Combine("train-labels-idx1-ubyte");
        byte[] file = IdxTestFiles.Labels(12);
        file[8 + 7] = 10;
        File.WriteAllBytes(labels, file);

        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(_folder.Path, (10, "MNIST")));

        Assert.Equal($"{labels}: label 10 of sample 7 (byte offset 15) is out of range: MNIST has 10 classes, labels 0–9.", e.Message);
    }

    [Fact]
    public void KnownDataset_GetsItsClassCountEvenIfNoSetHasTheLastLabel()
    {
        IdxTestFiles.WriteDataset(_folder.Path, trainCount: 5, testCount: 3, gzip: false);

        var (train, test) = Idx.Load(_folder.Path, (10, "MNIST"));

        Assert.Equal((10, 10), (train.Classes, test.Classes));
    }

    [Fact]
    public void ImagesAndLabelsOfDifferentCounts_NameBothFiles_ForReadDataset()
    {
        string images = Write("images", IdxTestFiles.Images(3, 2, 2));
        string labels = Write("labels.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(4)));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadDataset(images, labels));

        Assert.Equal($"{images} holds 3 images but {labels} holds 4 labels; they must match one to one.", e.Message);
    }
}

/// <summary>A stream that cannot seek, like a network or pipe stream.</summary>
internal sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;
    public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
}
