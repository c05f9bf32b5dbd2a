namespace ConvNetGen;

/// <summary>
/// A read-only stream that first gives back bytes already read from <c>inner</c> and then the rest of it:
/// how a non-seekable stream is "un-read" after peeking at its first bytes. Does not dispose <c>inner</c>.
/// </summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : ForwardReadStream
{
    private int _prefixPosition;

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPosition < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
            prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
            _prefixPosition += n;
            return n;
        }
        return inner.Read(buffer);
    }
}
