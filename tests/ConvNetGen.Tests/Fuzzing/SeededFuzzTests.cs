using System.Buffers.Binary;
using System.Text;
using ConvNetGen.Fuzz;

namespace ConvNetGen.Tests.Fuzzing;

/// <summary>
/// A bounded, seeded and uninstrumented run of the AFL fuzz targets (tests/ConvNetGen.Fuzz): each seed file is
/// mutated (bit flips, truncations, insertions, header fields set to extreme values…) and fed to its target, which
/// fails only on a refusal other than InvalidDataException/IOException or on a silent wrong load.
/// </summary>
public sealed class SeededFuzzTests
{
    [Theory]
    [InlineData("idx", 2000)]
    [InlineData("gzip", 2000)]
    public void MutatedSeeds_AreRefusedCleanlyOrLoadedExactly(string target, int inputs) => FuzzSeeds(target, inputs);

    // Each input is written to a file and loaded twice (strict and by name), hence fewer of them.
    [Fact]
    public void MutatedSafeTensors_AreRefusedCleanlyOrLoadedExactly() => FuzzSeeds("safetensors", 800);

    private static void FuzzSeeds(string target, int inputs)
    {
        var run = FuzzTargets.ByName[target];
        var seeds = SeedCorpus.For(target).Values.ToArray();
        var random = new Random(20240611);
        var failures = new List<string>();
        for (int i = 0; i < inputs; i++)
        {
            byte[] seed = seeds[i % seeds.Length];
            byte[] input = target switch
            {
                // Half the gzip inputs damage the IDX file inside and compress it again, so the deflate data is
                // valid and the hostile header reaches the IDX checks through the gzip path.
                "gzip" when i % 2 == 0 => SeedCorpus.Gzip(Mutate(Decompress(seed), random)),
                "safetensors" when i % 2 == 0 => MutateJsonNumbers(seed, random),
                _ => Mutate(seed, random),
            };
            try
            {
                run(input);
            }
            catch (Exception e)
            {
                failures.Add($"{e.GetType().Name}: {e.Message.Split('\n')[0]}\n    input {Convert.ToHexString(input[..Math.Min(input.Length, 200)])}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs} inputs failed; the first ones:\n" + string.Join("\n", failures.Take(5)));
    }

    /// <summary>Every input fuzzing ever found (tests/ConvNetGen.Fuzz/findings, named TARGET-… or afl-TARGET-…) stays fixed.</summary>
    [Fact]
    public void Findings_AreRefusedCleanlyOrLoadedExactly()
    {
        string folder = Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "ConvNetGen.Fuzz", "findings");
        var files = Directory.GetFiles(folder).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            string target = (name.StartsWith("afl-", StringComparison.Ordinal) ? name[4..] : name).Split('-')[0];
            FuzzTargets.ByName[target](File.ReadAllBytes(file)); // throws on a crash or a silent wrong load
        }
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    [Fact]
    public void Seeds_AreAcceptedByTheirTargets()
    {
        // The mutations start from valid files; a seed that is itself refused would make the run test little.
        foreach (var (target, run) in FuzzTargets.ByName)
            foreach (var bytes in SeedCorpus.For(target).Values)
            {
                Accepts(target, bytes);
                run(bytes);
            }
    }

    private static void Accepts(string target, byte[] bytes)
    {
        switch (target)
        {
            case "idx": _ = bytes[3] == 1 ? Idx.ReadLabels(new MemoryStream(bytes)).Length : Idx.ReadImages(new MemoryStream(bytes)).Count; break;
            case "gzip": _ = Decompress(bytes)[3] == 1 ? Idx.ReadLabels(new MemoryStream(bytes)).Length : Idx.ReadImages(new MemoryStream(bytes)).Count; break;
            case "safetensors":
                string path = Path.Combine(Path.GetTempPath(), $"convnetgen-seed-{Guid.NewGuid():N}.safetensors");
                File.WriteAllBytes(path, bytes);
                try { new FuzzNet(seed: 2).LoadWeights(path); }
                finally { File.Delete(path); }
                break;
        }
    }

    private static readonly uint[] ExtremeFields = [0, 1, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 46340, 0x00000803, 0x00000801];

    /// <summary>One to three random mutations of <paramref name="seed"/>.</summary>
    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
                case 3: bytes.InsertRange(at, RandomBytes(random, random.Next(1, 16))); break;
                case 4 when bytes.Count > at + 1: bytes.RemoveRange(at, random.Next(1, Math.Min(16, bytes.Count - at))); break;
                case 5:
                    // A 32-bit header field (big-endian, as IDX's) set to an extreme value.
                    int field = 4 * random.Next(Math.Max(1, Math.Min(bytes.Count, 24) / 4));
                    var value = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(value, ExtremeFields[random.Next(ExtremeFields.Length)]);
                    for (int k = 0; k < 4; k++)
                        if (field + k < bytes.Count) bytes[field + k] = value[k];
                    break;
                default: bytes.AddRange(RandomBytes(random, random.Next(1, 64))); break; // appended data
            }
        }
        return [.. bytes];
    }

    /// <summary>The safetensors seed with one number in its JSON header replaced by an extreme one, length kept right.</summary>
    private static byte[] MutateJsonNumbers(byte[] seed, Random random)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        string json = Encoding.UTF8.GetString(seed, 8, headerLength);
        var numbers = System.Text.RegularExpressions.Regex.Matches(json, "[0-9]+");
        var pick = numbers[random.Next(numbers.Count)];
        string[] extremes = ["0", "-1", "1", "4294967296", "9223372036854775807", "99999999999999999999", "1e300", "-9223372036854775808", "\"x\"", "[]"];
        string mutated = json[..pick.Index] + extremes[random.Next(extremes.Length)] + json[(pick.Index + pick.Length)..];
        byte[] header = Encoding.UTF8.GetBytes(mutated);
        byte[] result = new byte[8 + header.Length + seed.Length - 8 - headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        seed.AsSpan(8 + headerLength).CopyTo(result.AsSpan(8 + header.Length));
        return random.Next(4) == 0 ? Mutate(result, random) : result;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Decompress(byte[] gzip)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
