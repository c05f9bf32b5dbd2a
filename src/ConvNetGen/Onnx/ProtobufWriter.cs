using System.Buffers.Binary;
using System.Text;

namespace ConvNetGen.Onnx;

/// <summary>
/// A minimal writer of the protocol buffers wire format: varints, 32-bit fixed values and length-delimited fields
/// (strings, bytes, nested messages), enough to write an ONNX model without a protobuf library.
/// </summary>
/// <remarks>
/// Fields are written in the order the caller writes them. A nested message is written into its own writer first
/// (<see cref="Message"/>), since its length comes before it. Repeated scalars are written unpacked, one field per
/// value, proto2's default, which every parser accepts.
/// </remarks>
internal sealed class ProtobufWriter
{
    private const int Varint = 0, LengthDelimited = 2, Fixed32 = 5;

    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The number of bytes written so far.</summary>
    public int Length => _length;

    /// <summary>An int64, int32 or enum field (a negative value takes ten bytes, as protobuf sign-extends it).</summary>
    public void Int64(int field, long value)
    {
        Tag(field, Varint);
        RawVarint((ulong)value);
    }

    /// <summary>A repeated int64 field, unpacked (one tag per value).</summary>
    public void Int64s(int field, ReadOnlySpan<long> values)
    {
        foreach (long value in values) Int64(field, value);
    }

    /// <summary>A float field (wire type fixed32, little-endian).</summary>
    public void Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
    }

    /// <summary>A string field, UTF-8.</summary>
    public void String(int field, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Tag(field, LengthDelimited);
        RawVarint((ulong)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>A bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        RawVarint((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>A nested message field: <paramref name="write"/> fills it, then it is written with its length.</summary>
    public void Message(int field, Action<ProtobufWriter> write)
    {
        var inner = new ProtobufWriter();
        write(inner);
        Bytes(field, inner.WrittenSpan);
    }

    private void Tag(int field, int wireType)
    {
        if (field is < 1 or > (1 << 29) - 1) throw new ArgumentOutOfRangeException(nameof(field), field, "A protobuf field number is 1 to 2^29 - 1.");
        RawVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            Reserve(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Reserve(1)[0] = (byte)value;
    }

    private Span<byte> Reserve(int count)
    {
        if ((long)_length + count > Array.MaxLength)
            throw new InvalidOperationException($"The message would pass {Array.MaxLength} bytes; protobuf messages are limited to 2 GB.");
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + count)));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
