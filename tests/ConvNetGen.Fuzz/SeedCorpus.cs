using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvNetGen.Fuzz;

/// <summary>
/// Small valid inputs for each target, from which fuzzing mutates: written to <c>seeds/TARGET/</c> for AFL and
/// built in memory by the test suite's seeded run.
/// </summary>
public static class SeedCorpus
{
    /// <summary>The seeds of <paramref name="target"/> by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> For(string target) => target switch
    {
        "idx" => new Dictionary<string, byte[]>
        {
            ["images-3x4x5"] = Idx([3, 4, 5], Pattern(60)),
            ["images-rank4-2x2x2x3"] = Idx([2, 2, 2, 3], Pattern(24)),
            ["labels-16"] = Idx([16], Labels(16)),
        },
        "gzip" => new Dictionary<string, byte[]>
        {
            ["images-3x4x5.gz"] = Gzip(Idx([3, 4, 5], Pattern(60))),
            ["labels-16.gz"] = Gzip(Idx([16], Labels(16))),
            ["blank-images-2x8x8.gz"] = Gzip(Idx([2, 8, 8], new byte[128])),
        },
        "safetensors" => new Dictionary<string, byte[]>
        {
            ["fuzznet.safetensors"] = Weights(new FuzzNet(seed: 1)),
        },
        _ => throw new ArgumentException($"No target '{target}'; the targets are {string.Join(", ", FuzzTargets.ByName.Keys)}.", nameof(target)),
    };

    /// <summary>An IDX file of unsigned bytes.</summary>
    public static byte[] Idx(int[] dimensions, byte[] data)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return memory.ToArray();
    }

    /// <summary>The bytes <see cref="Model.SaveWeights"/> writes for <paramref name="model"/>.</summary>
    public static byte[] Weights(Model model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"convnetgen-seed-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.SaveWeights(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 37))];

    private static byte[] Labels(int count) => [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))];
}
