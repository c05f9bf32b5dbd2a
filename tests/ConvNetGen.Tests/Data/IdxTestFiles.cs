using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ConvNetGen.Tests.Data;

/// <summary>Builds small IDX files in memory and on disk for the data-layer tests.</summary>
internal static class IdxTestFiles
{
    /// <summary>An IDX file of unsigned bytes: magic 0x000008RR, the dimensions, then <paramref name="data"/>.</summary>
    public static byte[] Build(int[] dimensions, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    /// <summary>Images whose pixel values, counted through the whole file, run j * 37 mod 256: every value 0–255 occurs.</summary>
    public static byte[] Images(int count, int height, int width) => Build([count, height, width], Pixels(count * height * width));

    public static byte[] Pixels(int length)
    {
        var pixels = new byte[length];
        for (int j = 0; j < length; j++) pixels[j] = (byte)(j * 37 % 256);
        return pixels;
    }

    /// <summary>Seeded pseudo-random pixels: unlike <see cref="Pixels"/>, which repeat every 256 bytes, they compress about as little as real images.</summary>
    public static byte[] RandomPixels(int length, int seed = 1)
    {
        var pixels = new byte[length];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }

    /// <summary>Labels 0, 1, …, classes − 1, 0, 1, ….</summary>
    public static byte[] Labels(int count, int classes = 10) => Build([count], LabelValues(count, classes));

    public static byte[] LabelValues(int count, int classes = 10)
    {
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % classes);
        return labels;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return memory.ToArray();
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Writes the four files of a small dataset (4×3 images by default) into <paramref name="folder"/>.</summary>
    public static void WriteDataset(string folder, int trainCount = 12, int testCount = 5, bool gzip = true, string testPrefix = "t10k",
        int height = 4, int width = 3)
    {
        Directory.CreateDirectory(folder);
        string extension = gzip ? ".gz" : "";
        Func<byte[], byte[]> encode = gzip ? Gzip : bytes => bytes;
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte" + extension), encode(Images(trainCount, height, width)));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte" + extension), encode(Labels(trainCount)));
        File.WriteAllBytes(Path.Combine(folder, $"{testPrefix}-images-idx3-ubyte" + extension), encode(Images(testCount, height, width)));
        File.WriteAllBytes(Path.Combine(folder, $"{testPrefix}-labels-idx1-ubyte" + extension), encode(Labels(testCount)));
    }
}
