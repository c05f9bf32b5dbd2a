using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ConvNetGen;

/// <summary>
/// Streams IDX files, plain or gzip-compressed, chunk by chunk into arrays (raw bytes, or floats scaled to
/// [0, 1]), with messages that say what is wrong. Every byte is read and checked: the data must be exactly as long
/// as the header says (nothing missing, nothing after it), and gzip data must decompress to its end with a matching
/// CRC-32 and length (see <see cref="GzipReadStream"/>).
/// </summary>
/// <remarks>
/// Memory follows the data, not the header: a result array is allocated whole only for a plain file whose length
/// is known to match its header; otherwise it starts small and grows as data actually arrives, so a damaged or
/// hostile header cannot make us allocate gigabytes before the data runs out.
/// </remarks>
internal static class IdxReader
{
    private static readonly int[] ImageRanks = [3, 4];
    private static readonly int[] LabelRanks = [1];
    private static readonly string[] ImageDimensionNames = ["image count", "image height", "image width", "channel count"];
    private static readonly string[] LabelDimensionNames = ["label count"];

    private const int ChunkBytes = 1 << 16;

    /// <summary>Where a result starts when nothing confirms the header's size: 64 Ki elements (256 KiB of floats).</summary>
    private const int UnconfirmedInitialElements = 1 << 16;

    /// <summary>Turns one chunk of file bytes into the same number of result elements.</summary>
    private delegate void ChunkConverter<T>(ReadOnlySpan<byte> source, Span<T> destination);

    /// <summary>What the caller knows of the bytes after the IDX header.</summary>
    /// <param name="Name">The file's name in messages.</param>
    /// <param name="IsGzip">Whether the IDX data is decompressed from gzip.</param>
    /// <param name="PlainLength">For a plain seekable stream: the bytes from the start of the IDX data to the end.</param>
    /// <param name="CompressedLength">For a seekable gzip stream: the whole compressed length.</param>
    /// <param name="AvailableMemory">The bytes this process may allocate (tests pass less to exercise the check).</param>
    private readonly record struct SourceInfo(string Name, bool IsGzip, long? PlainLength, long? CompressedLength, long AvailableMemory)
    {
        /// <summary>"byte offset 123" or, for gzip, "byte offset 123 of the decompressed data".</summary>
        public string Offset(long offset) => string.Create(CultureInfo.InvariantCulture,
            $"byte offset {offset:N0}{(IsGzip ? " of the decompressed data" : "")}");
    }

    /// <summary>Images with their raw byte values.</summary>
    public static IdxImages ReadImages(Stream source, string sourceName) => WithDecompression(source, sourceName, null, (stream, info) =>
    {
        var header = IdxHeader.Read(stream, sourceName, ImageRanks, ImageDimensionNames);
        byte[] pixels = ReadPayload<byte>(stream, header, info, "pixel", static (chunk, pixels) => chunk.CopyTo(pixels));
        var shape = ImageShape.Of(header);
        return new IdxImages(pixels, shape.Count, shape.Height, shape.Width, shape.Channels);
    });

    /// <summary>The dimensions of an image file.</summary>
    public readonly record struct ImageShape(int Count, int Height, int Width, int Channels)
    {
        /// <summary>One image's shape, e.g. <c>28×28×1</c>.</summary>
        public override string ToString() => FormattableString.Invariant($"{Height}×{Width}×{Channels}");

        public static ImageShape Of(IdxHeader header)
        {
            int[] d = header.Dimensions;
            return new(d[0], d[1], d[2], d.Length == 4 ? d[3] : 1);
        }
    }

    /// <summary>
    /// Images as floats in [0, 1], converted chunk by chunk so that the bytes are never all in memory at once.
    /// <paramref name="availableMemoryBytes"/> replaces, for tests, the memory the GC says this process may use.
    /// </summary>
    public static (float[] Pixels, ImageShape Shape) ReadScaledImages(Stream source, string sourceName, long? availableMemoryBytes = null) =>
        WithDecompression(source, sourceName, availableMemoryBytes, (stream, info) =>
    {
        var header = IdxHeader.Read(stream, sourceName, ImageRanks, ImageDimensionNames);
        float[] pixels = ReadPayload<float>(stream, header, info, "pixel", IdxImages.Scale);
        return (pixels, ImageShape.Of(header));
    });

    public static byte[] ReadLabels(Stream source, string sourceName) => WithDecompression(source, sourceName, null, (stream, info) =>
    {
        var header = IdxHeader.Read(stream, sourceName, LabelRanks, LabelDimensionNames);
        return ReadPayload<byte>(stream, header, info, "label", static (chunk, labels) => chunk.CopyTo(labels));
    });

    /// <summary>Opens a dataset file for reading; a folder in its place is reported as such, not as a missing file.</summary>
    /// <exception cref="IOException"><paramref name="path"/> is a directory, or cannot be read.</exception>
    public static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path))
            throw new IOException($"{path} is a directory, not an IDX file: expected a file of IDX data (plain or gzip) there.");
        return new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on <paramref name="source"/>, or on a decompressing view of it when it starts
    /// with the gzip magic bytes 1f 8b (the file name is not trusted). <paramref name="source"/> is left open.
    /// </summary>
    private static T WithDecompression<T>(Stream source, string sourceName, long? availableMemoryBytes, Func<Stream, SourceInfo, T> read)
    {
        long available = availableMemoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long? start = source.CanSeek ? source.Position : null;
        var head = new byte[2];
        int got = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        bool isGzip = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
        long? length = start is long at ? source.Length - at : null;

        if (!isGzip && start is long plainStart)
        {
            source.Position = plainStart;
            return read(source, new SourceInfo(sourceName, IsGzip: false, PlainLength: length, CompressedLength: null, available));
        }
        var rest = new PrefixedStream(head[..got], source);
        if (!isGzip) return read(rest, new SourceInfo(sourceName, IsGzip: false, PlainLength: null, CompressedLength: null, available));
        using var gzip = new GzipReadStream(rest, sourceName);
        return read(gzip, new SourceInfo(sourceName, IsGzip: true, PlainLength: null, CompressedLength: length, available));
    }

    private static T[] ReadPayload<T>(Stream stream, IdxHeader header, SourceInfo source, string what, ChunkConverter<T> convert)
        where T : unmanaged
    {
        long expected = header.ElementCount;
        int elementSize = Unsafe.SizeOf<T>();
        int capacity;
        if (source.PlainLength is long plainLength)
        {
            // The real length is known: a wrong size is reported before anything is allocated.
            long follows = plainLength - header.ByteLength;
            if (follows < expected) throw Truncated(source, header, what, expected, follows);
            if (follows > expected) throw TrailingData(source, header, what, expected, $"{follows - expected:N0} more bytes follow");
            RequireMemory(source, header, expected * elementSize);
            capacity = (int)expected;
        }
        else
        {
            if (source.CompressedLength is long compressed && header.ByteLength + expected > GzipReadStream.MaxDecompressedLength(compressed))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{source.Name}: its header ({header.Describe()}) claims {expected:N0} bytes of {what} data, more than a gzip file of {compressed:N0} bytes can hold at the {GzipReadStream.MaxCompressionRatio}:1 a dataset file reaches: it is damaged or a decompression bomb. If it is genuine, decompress it (gunzip) and load the plain file."));
            capacity = (int)Math.Min(expected, UnconfirmedInitialElements);
        }

        var result = GC.AllocateUninitializedArray<T>(capacity);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        long total = 0;
        try
        {
            while (total < expected)
            {
                int wanted = (int)Math.Min(ChunkBytes, expected - total);
                int got = stream.ReadAtLeast(chunk.AsSpan(0, wanted), wanted, throwOnEndOfStream: false);
                if (total + got > result.Length)
                {
                    // Grow only for data that has arrived, doubling (or straight to the full size when that is nearer).
                    long grown = Math.Min(expected, Math.Max(2L * result.Length, total + got));
                    RequireMemory(source, header, grown * elementSize);
                    Array.Resize(ref result, (int)grown);
                }
                convert(chunk.AsSpan(0, got), result.AsSpan((int)total, got));
                total += got;
                if (got < wanted) break; // the data ended early
            }
            if (total < expected)
                throw Truncated(source, header, what, expected, total);
            // Reading on to the end is what makes a gzip stream verify its CRC-32 and length.
            int extra = stream.Read(chunk.AsSpan(0, 1));
            if (extra > 0)
                throw TrailingData(source, header, what, expected, "more data follows");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return result;
    }

    /// <summary>Refuses, before allocating, a result larger than the memory this process may use.</summary>
    private static void RequireMemory(SourceInfo source, IdxHeader header, long bytes)
    {
        if (bytes > source.AvailableMemory)
            throw new InsufficientMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"{source.Name} ({header.Describe()}) needs {bytes:N0} bytes of memory to load, more than the {source.AvailableMemory:N0} bytes available to this process."));
    }

    private static InvalidDataException Truncated(SourceInfo source, IdxHeader header, string what, long expected, long got) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{source.Name} is truncated: its header ({header.Describe()}) promises {expected:N0} bytes of {what} data after the {header.ByteLength}-byte header, but only {got:N0} follow (the data ends at {source.Offset(header.ByteLength + got)})."));

    private static InvalidDataException TrailingData(SourceInfo source, IdxHeader header, string what, long expected, string found) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{source.Name} has data after its end: its header ({header.Describe()}) promises {expected:N0} bytes of {what} data after the {header.ByteLength}-byte header, so it should end at {source.Offset(header.ByteLength + expected)}, but {found}."));
}
