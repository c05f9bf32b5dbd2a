using System.Buffers.Binary;
using StbImageSharp;

namespace ConvNetGen;

/// <summary>
/// <see cref="IImageDecoder"/> on StbImageSharp (a fully managed port of stb_image): PNG (8 and 16 bit, palette,
/// alpha), JPEG (baseline and progressive, grey, YCbCr and Adobe CMYK/YCCK), BMP, GIF (first frame). Grey from colour
/// is stb's (77 R + 150 G + 29 B) / 256; alpha is dropped without compositing; 16-bit samples keep their high byte.
/// </summary>
public sealed class StbImageDecoder : IImageDecoder
{
    /// <summary>The decoder; it holds no state, so one serves every thread.</summary>
    public static StbImageDecoder Shared { get; } = new();

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];

    /// <inheritdoc/>
    public ImageHeader ReadHeader(ReadOnlySpan<byte> file)
    {
        // Parsed here rather than through stb for PNG, JPEG, GIF and BMP: the header alone, no allocation, and the
        // sizes are known before stb allocates anything.
        if (file.Length >= 24 && file[..8].SequenceEqual(PngSignature))
        {
            int width = BinaryPrimitives.ReadInt32BigEndian(file[16..]), height = BinaryPrimitives.ReadInt32BigEndian(file[20..]);
            int colourType = file.Length > 25 ? file[25] : 0;
            int channels = colourType switch { 0 => 1, 2 => 3, 3 => 3, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {colourType} is not valid.") };
            return new ImageHeader(width, height, channels, "png");
        }
        if (file.Length >= 10 && (file[..6].SequenceEqual("GIF87a"u8) || file[..6].SequenceEqual("GIF89a"u8)))
            return new ImageHeader(BinaryPrimitives.ReadUInt16LittleEndian(file[6..]), BinaryPrimitives.ReadUInt16LittleEndian(file[8..]), 3, "gif");
        if (file.Length >= 26 && file[0] == 'B' && file[1] == 'M')
        {
            int width = BinaryPrimitives.ReadInt32LittleEndian(file[18..]), height = BinaryPrimitives.ReadInt32LittleEndian(file[22..]);
            return new ImageHeader(width, Math.Abs(height), 3, "bmp");
        }
        if (file.Length >= 4 && file[0] == 0xFF && file[1] == 0xD8)
            return JpegHeader(file);
        throw new InvalidDataException(file.Length < 8 ? $"only {file.Length} bytes: too short for an image." : "not a PNG, JPEG, GIF or BMP file (unknown signature).");
    }

    private static ImageHeader JpegHeader(ReadOnlySpan<byte> file)
    {
        int at = 2;
        while (at + 4 <= file.Length)
        {
            if (file[at] != 0xFF) throw new InvalidDataException($"JPEG marker expected at byte {at}.");
            byte marker = file[at + 1];
            if (marker == 0xFF) { at++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 2)..]);
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                if (at + 10 > file.Length) break;
                int height = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 5)..]), width = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 7)..]);
                return new ImageHeader(width, height, file[at + 9], "jpeg");
            }
            if (marker == 0xD9 || length < 2) break;
            at += 2 + length;
        }
        throw new InvalidDataException("JPEG without a frame header (truncated or damaged).");
    }

    /// <inheritdoc/>
    public (byte[] Pixels, int Width, int Height) Decode(byte[] file, int channels)
    {
        var wanted = channels switch
        {
            1 => ColorComponents.Grey,
            3 => ColorComponents.RedGreenBlue,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 or 3 channels."),
        };
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(file, wanted);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"cannot be decoded ({e.Message}).", e);
        }
        if (result?.Data is null) throw new InvalidDataException("cannot be decoded.");
        return (result.Data, result.Width, result.Height);
    }
}
