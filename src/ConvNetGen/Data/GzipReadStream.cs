using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;

namespace ConvNetGen;

/// <summary>
/// Decompresses gzip data from a stream it leaves open, and verifies all of it: reaching the end (a Read that
/// returns 0) means the data decompressed, nothing follows it, and the file's last 8 bytes are the CRC-32 and
/// length of everything it decompressed to. Errors name the source (GZipStream's own messages do not, and are
/// often misleading). Decompression stops with an error once the output outgrows <see cref="MaxCompressionRatio"/>
/// times the input read so far, so a small file cannot expand into gigabytes.
/// </summary>
/// <remarks>
/// Why the trailer is checked here: GZipStream checks a member's CRC-32 and length only when the member's trailer is
/// all there. A file cut anywhere (even inside the deflate data) just ends early, and bytes after the last member are
/// silently ignored unless they start another member. Comparing the file's last 8 bytes with the output catches both.
/// Multi-member files (concatenated gzip) are refused: their last trailer covers the last member only, so they fail
/// the check unless all but the last member are empty; real datasets are single-member, and gunzip can flatten others.
/// </remarks>
internal sealed class GzipReadStream : ForwardReadStream
{
    /// <summary>
    /// The most a genuine dataset file expands: MNIST's images are about 5:1, Fashion-MNIST's 2:1. Deflate can reach
    /// 1032:1, which only decompression bombs and blank data come near.
    /// </summary>
    public const int MaxCompressionRatio = 50;

    /// <summary>Output allowed beyond the ratio, so tiny files of blank data still load.</summary>
    public const long RatioAllowanceBytes = 1 << 20;

    private const int TrailerBytes = 8;

    private readonly CountingStream _compressed;
    private readonly GZipStream _gzip;
    private readonly string _sourceName;
    private readonly Crc32 _crc = new();
    private long _decompressedLength;
    private bool _verified;

    public GzipReadStream(Stream compressed, string sourceName)
    {
        _compressed = new CountingStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress, leaveOpen: true);
        _sourceName = sourceName;
    }

    /// <summary>The most output <paramref name="compressedLength"/> bytes of gzip may honestly expand to.</summary>
    public static long MaxDecompressedLength(long compressedLength) => compressedLength * MaxCompressionRatio + RatioAllowanceBytes;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        int got;
        try
        {
            got = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(Invariant(
                $"{_sourceName} is damaged: its gzip data does not decompress (corrupt deflate data, or a CRC-32 or length that does not match) after {_compressed.BytesRead:N0} compressed bytes. (.NET: {e.Message})"), e);
        }
        if (got == 0)
        {
            VerifyEnd();
            return 0;
        }
        _crc.Append(buffer[..got]);
        _decompressedLength += got;
        if (_decompressedLength > MaxDecompressedLength(_compressed.BytesRead))
            throw new InvalidDataException(Invariant(
                $"{_sourceName} expands to more than {_decompressedLength:N0} bytes from its first {_compressed.BytesRead:N0} compressed bytes, over the {MaxCompressionRatio}:1 a dataset file reaches: it is damaged or a decompression bomb. If it is genuine, decompress it (gunzip) and load the plain file."));
        return got;
    }

    /// <summary>Checks, once, that nothing follows the gzip data and that its trailer matches the output.</summary>
    private void VerifyEnd()
    {
        if (_verified) return;
        if (_compressed.ReadByte() >= 0)
            throw new InvalidDataException(Invariant(
                $"{_sourceName} has data after the end of its gzip stream (at compressed byte offset {_compressed.BytesRead - 1:N0} or earlier); a gzip dataset file must end with its gzip trailer."));
        if (_compressed.BytesRead < 18) // a gzip header (10) and trailer (8) at the least
            throw new InvalidDataException(Invariant(
                $"{_sourceName} is truncated: it is {_compressed.BytesRead} bytes long, too short for gzip data (at least 18 bytes: a 10-byte header and an 8-byte trailer)."));

        ReadOnlySpan<byte> trailer = _compressed.LastBytes;
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint storedLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        uint actualCrc = _crc.GetCurrentHashAsUInt32();
        uint actualLength = unchecked((uint)_decompressedLength);
        if (storedCrc != actualCrc || storedLength != actualLength)
            throw new InvalidDataException(Invariant(
                $"{_sourceName} is truncated or has data appended: its last 8 bytes should be the gzip trailer of the {_decompressedLength:N0} bytes it decompresses to (CRC-32 0x{actualCrc:X8}, length {actualLength}), but read as CRC-32 0x{storedCrc:X8}, length {storedLength}. (Multi-member gzip files are not supported: gunzip the file and load the plain one.)"));
        _verified = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads through to the compressed source, counting the bytes and keeping the last <see cref="TrailerBytes"/>.</summary>
    private sealed class CountingStream(Stream inner) : ForwardReadStream
    {
        private readonly byte[] _last = new byte[TrailerBytes];

        public long BytesRead { get; private set; }

        /// <summary>The last 8 bytes read, oldest first (only meaningful once 8 have been read).</summary>
        public ReadOnlySpan<byte> LastBytes => _last;

        public override int Read(Span<byte> buffer)
        {
            int got = inner.Read(buffer);
            if (got >= TrailerBytes)
            {
                buffer.Slice(got - TrailerBytes, TrailerBytes).CopyTo(_last);
            }
            else if (got > 0)
            {
                // Shift the window left by the few bytes that arrived and append them.
                _last.AsSpan(got).CopyTo(_last);
                buffer[..got].CopyTo(_last.AsSpan(TrailerBytes - got));
            }
            BytesRead += got;
            return got;
        }

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 1 ? one[0] : -1;
        }
    }
}
