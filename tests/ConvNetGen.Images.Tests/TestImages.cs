using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using StbImageWriteSharp;
using WriteComponents = StbImageWriteSharp.ColorComponents;

namespace ConvNetGen.Images.Tests;

/// <summary>A temporary folder, deleted with its contents.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cng-img-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public string Sub(params string[] parts)
    {
        string p = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(p);
        return p;
    }
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Writes test images: PNG, JPEG, BMP through StbImageWriteSharp, and PNGs by hand for what it cannot write (16-bit, huge headers).</summary>
internal static class TestImages
{
    /// <summary>Pixels of a <paramref name="width"/> × <paramref name="height"/> image whose value at (y, x, c) is <paramref name="value"/>.</summary>
    public static byte[] Pixels(int width, int height, int channels, Func<int, int, int, int> value)
    {
        var data = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    data[(y * width + x) * channels + c] = (byte)value(y, x, c);
        return data;
    }

    private static WriteComponents Components(int channels) => channels switch
    {
        1 => WriteComponents.Grey, 2 => WriteComponents.GreyAlpha, 3 => WriteComponents.RedGreenBlue, _ => WriteComponents.RedGreenBlueAlpha,
    };

    public static void Png(string path, int width, int height, int channels, byte[] pixels)
    {
        using var file = File.Create(path);
        new ImageWriter().WritePng(pixels, width, height, Components(channels), file);
    }

    public static void Jpeg(string path, int width, int height, int channels, byte[] pixels, int quality = 95)
    {
        using var file = File.Create(path);
        new ImageWriter().WriteJpg(pixels, width, height, Components(channels), file, quality);
    }

    public static void Bmp(string path, int width, int height, int channels, byte[] pixels)
    {
        using var file = File.Create(path);
        new ImageWriter().WriteBmp(pixels, width, height, Components(channels), file);
    }

    /// <summary>A solid-colour RGB PNG.</summary>
    public static void Solid(string path, int width, int height, byte r, byte g, byte b) =>
        Png(path, width, height, 3, Pixels(width, height, 3, (_, _, c) => c == 0 ? r : c == 1 ? g : b));

    /// <summary>A PNG written by hand: any bit depth and colour type, rows of <paramref name="rowBytes"/> given raw (filter 0).</summary>
    public static byte[] HandPng(int width, int height, int bitDepth, int colourType, byte[][] rows)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        Chunk(png, "IHDR", ihdr);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            foreach (var row in rows)
            {
                z.WriteByte(0);
                z.Write(row);
            }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(n, data.Length);
        s.Write(n);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(n, crc.GetCurrentHashAsUInt32());
        s.Write(n);
    }
}
