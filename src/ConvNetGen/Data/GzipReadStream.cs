using System.IO.Compression;

namespace ConvNetGen;

/// <summary>
/// Decompresses gzip data from a stream it leaves open, and names the source in decompression errors
/// (GZipStream's own messages do not say which file is damaged).
/// </summary>
internal sealed class GzipReadStream(Stream compressed, string sourceName) : Stream
{
    private readonly GZipStream _gzip = new(compressed, CompressionMode.Decompress, leaveOpen: true);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{sourceName} is not valid gzip data: {e.Message}", e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
