using System.Buffers.Binary;
using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// The header of an IDX file: a big-endian magic number <c>0x0000TTRR</c> (TT the element type, RR the rank)
/// followed by RR big-endian 32-bit dimensions.
/// </summary>
internal sealed class IdxHeader
{
    /// <summary>The only element type supported: unsigned byte.</summary>
    public const byte UnsignedByte = 0x08;

    private IdxHeader(byte elementType, int[] dimensions)
    {
        ElementType = elementType;
        Dimensions = dimensions;
    }

    public byte ElementType { get; }
    public int[] Dimensions { get; }

    /// <summary>Bytes the header takes in the file: the magic number and the dimensions.</summary>
    public int ByteLength => 4 + 4 * Dimensions.Length;

    /// <summary>Elements the header promises: the product of the dimensions.</summary>
    public long ElementCount
    {
        get
        {
            long product = 1;
            foreach (int d in Dimensions) product *= d; // each ≤ int.MaxValue and checked against Array.MaxLength on read
            return product;
        }
    }

    /// <summary>
    /// Reads and checks a header of unsigned bytes with one of <paramref name="allowedRanks"/>, describing the
    /// dimensions as <paramref name="dimensionNames"/> in messages.
    /// </summary>
    public static IdxHeader Read(Stream stream, string source, int[] allowedRanks, string[] dimensionNames)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (got < magic.Length)
            throw new InvalidDataException(got == 0
                ? $"{source} is empty: an IDX file starts with a 4-byte magic number."
                : Invariant($"{source} is truncated: it ends after {got} bytes, inside the 4-byte IDX magic number."));

        uint magicNumber = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(Invariant(
                $"{source} is not an IDX file: its magic number is 0x{magicNumber:X8}, but IDX magic numbers are 0x0000TTRR (0x00000803 for images, 0x00000801 for labels)."));

        byte elementType = magic[2];
        int rank = magic[3];
        if (elementType != UnsignedByte)
            throw new InvalidDataException(Invariant(
                $"{source} has magic number 0x{magicNumber:X8}: element type 0x{elementType:X2} ({TypeName(elementType)}) is not supported; only 0x08 (unsigned byte) is."));
        if (Array.IndexOf(allowedRanks, rank) < 0)
            throw new InvalidDataException(Invariant(
                $"{source} has magic number 0x{magicNumber:X8}: rank {rank} is not supported here; expected rank {string.Join(" or ", allowedRanks)} ({DescribeRanks(allowedRanks)})."));

        Span<byte> dimensionBytes = stackalloc byte[4 * rank];
        got = stream.ReadAtLeast(dimensionBytes, dimensionBytes.Length, throwOnEndOfStream: false);
        if (got < dimensionBytes.Length)
            throw new InvalidDataException(Invariant(
                $"{source} is truncated: its header needs {4 + dimensionBytes.Length} bytes for {rank} dimensions, but the file ends after {4 + got}."));

        var dimensions = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimensionBytes[(4 * i)..]);
            string name = dimensionNames[i];
            if (d == 0)
                throw new InvalidDataException(Invariant($"{source}: the header says the {name} is 0; every dimension must be at least 1."));
            if (d > Array.MaxLength)
                throw new InvalidDataException(Invariant($"{source}: the header says the {name} is {d}, which cannot be right (the file is damaged or not IDX)."));
            dimensions[i] = (int)d;
            elements *= d;
            if (elements > Array.MaxLength)
                throw new InvalidDataException(Invariant(
                    $"{source}: the header's dimensions ({string.Join(" × ", ReadAll(dimensionBytes))}) promise more than {Array.MaxLength} values, which cannot be right (the file is damaged or not IDX)."));
        }
        return new IdxHeader(elementType, dimensions);
    }

    /// <summary>The dimensions as <c>60000 × 28 × 28</c>.</summary>
    public string Describe() => string.Join(" × ", Dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private static uint[] ReadAll(ReadOnlySpan<byte> dimensionBytes)
    {
        var all = new uint[dimensionBytes.Length / 4];
        for (int i = 0; i < all.Length; i++)
            all[i] = BinaryPrimitives.ReadUInt32BigEndian(dimensionBytes[(4 * i)..]);
        return all;
    }

    private static string DescribeRanks(int[] ranks) => string.Join(" or ", ranks.Select(r => r switch
    {
        1 => "0x00000801, labels",
        3 => "0x00000803, images",
        4 => "0x00000804, images with channels",
        _ => Invariant($"0x000008{r:X2}"),
    }));

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
