using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Streams IDX files, plain or gzip-compressed, chunk by chunk into arrays (raw bytes, or floats scaled to
/// [0, 1]), with messages that say what is wrong.
/// </summary>
internal static class IdxReader
{
    private static readonly int[] ImageRanks = [3, 4];
    private static readonly int[] LabelRanks = [1];
    private static readonly string[] ImageDimensionNames = ["image count", "image height", "image width", "channel count"];
    private static readonly string[] LabelDimensionNames = ["label count"];

    private const int ChunkBytes = 1 << 20;

    // When nothing confirms the size the header promises (a non-seekable stream), the result grows as data
    // arrives, so a damaged header cannot make us allocate gigabytes before finding out the data is not there.
    private const int UnconfirmedInitialElements = 16 << 20;

    /// <summary>Turns one chunk of file bytes into the same number of result elements.</summary>
    private delegate void ChunkConverter<T>(ReadOnlySpan<byte> source, Span<T> destination);

    /// <summary>Images with their raw byte values.</summary>
    public static IdxImages ReadImages(Stream source, string sourceName) => WithDecompression(source, sourceName, (stream, confirmedLength) =>
    {
        var header = IdxHeader.Read(stream, sourceName, ImageRanks, ImageDimensionNames);
        byte[] pixels = ReadPayload<byte>(stream, header, sourceName, "pixel", confirmedLength, static (chunk, pixels) => chunk.CopyTo(pixels));
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

    /// <summary>Images as floats in [0, 1], converted chunk by chunk so that the bytes are never all in memory at once.</summary>
    public static (float[] Pixels, ImageShape Shape) ReadScaledImages(Stream source, string sourceName) => WithDecompression(source, sourceName, (stream, confirmedLength) =>
    {
        var header = IdxHeader.Read(stream, sourceName, ImageRanks, ImageDimensionNames);
        float[] pixels = ReadPayload<float>(stream, header, sourceName, "pixel", confirmedLength, IdxImages.Scale);
        return (pixels, ImageShape.Of(header));
    });

    public static byte[] ReadLabels(Stream source, string sourceName) => WithDecompression(source, sourceName, (stream, confirmedLength) =>
    {
        var header = IdxHeader.Read(stream, sourceName, LabelRanks, LabelDimensionNames);
        return ReadPayload<byte>(stream, header, sourceName, "label", confirmedLength, static (chunk, labels) => chunk.CopyTo(labels));
    });

    public static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);

    /// <summary>
    /// Runs <paramref name="read"/> on <paramref name="source"/>, or on a decompressing view of it when it starts
    /// with the gzip magic bytes 1f 8b (the file name is not trusted). <paramref name="source"/> is left open.
    /// <paramref name="read"/> also gets the whole decompressed length modulo 2^32 when the source can tell it.
    /// </summary>
    private static T WithDecompression<T>(Stream source, string sourceName, Func<Stream, uint?, T> read)
    {
        var head = new byte[2];
        int got = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        bool isGzip = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
        if (!source.CanSeek)
        {
            var rest = new PrefixedStream(head[..got], source);
            if (!isGzip) return read(rest, null);
            using var gzip = new GzipReadStream(rest, sourceName);
            return read(gzip, null);
        }

        long start = source.Position - got;
        if (!isGzip)
        {
            source.Position = start;
            return read(source, null); // ReadPayload checks a seekable plain stream's length itself
        }
        uint? decompressedLength = GzipTrailerLength(source, start);
        source.Position = start;
        using (var gzip = new GzipReadStream(source, sourceName))
            return read(gzip, decompressedLength);
    }

    /// <summary>The ISIZE field that ends a gzip file: the decompressed length modulo 2^32 (of the last member only).</summary>
    private static uint? GzipTrailerLength(Stream source, long start)
    {
        if (source.Length - start < 18) return null; // shorter than an empty gzip member: let GZipStream report it
        Span<byte> trailer = stackalloc byte[4];
        source.Position = source.Length - 4;
        source.ReadExactly(trailer);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static T[] ReadPayload<T>(Stream stream, IdxHeader header, string sourceName, string what, uint? dataLength, ChunkConverter<T> convert)
    {
        long expected = header.ElementCount;
        long whole = header.ByteLength + expected;
        // A plain file shorter than its header promises is reported before anything is allocated.
        if (stream.CanSeek && stream.Length - stream.Position < expected)
            throw Truncated(sourceName, header, what, expected, stream.Length - stream.Position);
        bool sizeConfirmed = stream.CanSeek || dataLength == (uint)whole;

        var result = GC.AllocateUninitializedArray<T>((int)(sizeConfirmed ? expected : Math.Min(expected, UnconfirmedInitialElements)));
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        long total = 0;
        try
        {
            while (total < expected)
            {
                int wanted = (int)Math.Min(ChunkBytes, expected - total);
                int got = stream.ReadAtLeast(chunk.AsSpan(0, wanted), wanted, throwOnEndOfStream: false);
                if (total + got > result.Length)
                    Array.Resize(ref result, (int)Math.Min(expected, Math.Max(2L * result.Length, total + got)));
                convert(chunk.AsSpan(0, got), result.AsSpan((int)total, got));
                total += got;
                if (got < wanted) break; // the data ended early
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        if (total < expected)
            throw Truncated(sourceName, header, what, expected, total);
        return result;
    }

    private static InvalidDataException Truncated(string sourceName, IdxHeader header, string what, long expected, long got) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{sourceName} is truncated: its header ({header.Describe()}) promises {expected:N0} bytes of {what} data after the {header.ByteLength}-byte header, but only {got:N0} follow."));
}
