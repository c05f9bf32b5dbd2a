using System.Buffers.Binary;
using System.Text;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Serialization;

/// <summary>
/// Every way a safetensors file can be malformed is an InvalidDataException that names the file, the tensor or field
/// and what was expected, and loads nothing.
/// </summary>
public sealed class MalformedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-malformed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Kernel = "\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[0,144]";

    /// <summary>Header JSON, data length, and what the message must say besides the file's name.</summary>
    public static TheoryData<string, string, int, string[]> MalformedHeaders => new()
    {
        { "duplicate tensor", $"{{\"conv/kernel\":{{{Kernel}}},\"conv/kernel\":{{{Kernel}}}}}", 144, ["tensor 'conv/kernel' appears twice"] },
        { "duplicate metadata", "{\"__metadata__\":{},\"__metadata__\":{}}", 0, ["\"__metadata__\" appears twice"] },
        { "string dimension", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[\"3\",3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel'", "shape[0] is string \"3\"", "expected a non-negative 64-bit integer"] },
        { "fractional dimension", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3.5,3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel'", "shape[0] is number 3.5"] },
        { "negative dimension", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[-3,3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel'", "shape[0] is number -3"] },
        { "string offset", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[\"0\",144]}}", 144, ["tensor 'conv/kernel'", "data_offsets[0] is string \"0\""] },
        { "offset beyond 64 bits", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[0,99999999999999999999]}}", 144, ["tensor 'conv/kernel'", "data_offsets[1] is number 99999999999999999999"] },
        { "three offsets", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[0,72,144]}}", 144, ["tensor 'conv/kernel'", "\"data_offsets\" has 3 values; expected 2"] },
        { "offsets backwards", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[144,0]}}", 144, ["tensor 'conv/kernel'", "end before they begin"] },
        { "element count overflows", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel'", "overflows a 64-bit integer"] },
        { "byte count overflows", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel'", "needs more bytes than a file can hold"] },
        { "wrong byte count", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[0,140]}}", 140, ["tensor 'conv/kernel' (F32, shape [3, 3, 1, 4]) needs 144 bytes but its data_offsets [0, 140] span 140"] },
        { "unknown dtype", "{\"conv/kernel\":{\"dtype\":\"F33\",\"shape\":[3,3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel' has dtype \"F33\"; expected one of F64, F32"] },
        { "dtype not a string", "{\"conv/kernel\":{\"dtype\":32,\"shape\":[3,3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel''s \"dtype\" is a JSON number 32; expected a string"] },
        { "missing dtype", "{\"conv/kernel\":{\"shape\":[3,3,1,4],\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel' has no \"dtype\""] },
        { "missing shape", "{\"conv/kernel\":{\"dtype\":\"F32\",\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel' has no \"shape\""] },
        { "missing data_offsets", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4]}}", 144, ["tensor 'conv/kernel' has no \"data_offsets\""] },
        { "shape not an array", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":36,\"data_offsets\":[0,144]}}", 144, ["tensor 'conv/kernel''s \"shape\" is a JSON number 36; expected an array"] },
        { "tensor not an object", "{\"conv/kernel\":[0,144]}", 144, ["tensor 'conv/kernel' is a JSON array; expected an object"] },
        { "header not an object", "[1,2,3]", 0, ["the header is a JSON array; expected an object of tensors"] },
        { "header a string", "\"conv/kernel\"", 0, ["the header is a JSON string \"conv/kernel\"; expected an object"] },
        { "not JSON", "{\"conv/kernel\":", 0, ["the header is not valid JSON"] },
        { "metadata not an object", "{\"__metadata__\":[\"a\"]}", 0, ["\"__metadata__\" is a JSON array; expected an object of strings"] },
        { "metadata value not a string", "{\"__metadata__\":{\"epoch\":3}}", 0, ["\"__metadata__\" entry 'epoch' is a JSON number 3; expected a string"] },
        { "lone surrogate in a name", "{\"conv\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, ["a name in the header is not valid text"] },
        { "lone surrogate in metadata", "{\"__metadata__\":{\"model\":\"a\\udc00b\"}}", 0, ["\"__metadata__\" entry 'model' is not valid text"] },
        { "gap before a tensor", "{\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[4,148]}}", 148, ["tensor 'conv/kernel' starts at byte 4 of the data but the data starts at 0: a gap"] },
        { "gap between tensors", $"{{\"conv/kernel\":{{{Kernel}}},\"conv/bias\":{{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[148,164]}}}}", 164, ["tensor 'conv/bias' starts at byte 148 of the data but the previous tensor 'conv/kernel' ends at 144"] },
        { "overlapping tensors", $"{{\"conv/kernel\":{{{Kernel}}},\"conv/bias\":{{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[140,156]}}}}", 156, ["tensor 'conv/bias' (bytes 140 to 156 of the data) overlaps tensor 'conv/kernel', which ends at 144"] },
        { "offsets out of the file", $"{{\"conv/kernel\":{{{Kernel}}}}}", 100, ["tensor 'conv/kernel' ends at byte 144 of the data but the file has 100 bytes of data (truncated)"] },
        { "bytes after the data", $"{{\"conv/kernel\":{{{Kernel}}}}}", 150, ["the file has 6 bytes after the last tensor's data"] },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Malformed_header_is_an_InvalidDataException_naming_the_file_and_the_problem(string because, string header, int dataLength, string[] expected)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        WriteFile(path, Encoding.UTF8.GetBytes(header), new byte[dataLength]);
        AssertRefused(path, expected, because);
    }

    [Fact]
    public void Invalid_UTF8_in_a_name_or_in_metadata_is_named_with_its_position()
    {
        string path = Path.Combine(_dir, "utf8.safetensors");
        byte[] name = [.. "{\"conv"u8, 0xC3, 0x28, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8];
        WriteFile(path, name, new byte[4]);
        AssertRefused(path, ["the header is not valid UTF-8: byte 6 of the header is 0xC3"], "bad UTF-8 in a name");

        byte[] metadata = [.. "{\"__metadata__\":{\"model\":\""u8, 0xFF, .. "\"}}"u8];
        WriteFile(path, metadata, []);
        AssertRefused(path, ["the header is not valid UTF-8: byte 26 of the header is 0xFF"], "bad UTF-8 in metadata");
    }

    [Theory]
    [InlineData(ulong.MaxValue, "the header claims 18446744073709551615 bytes, more than the 100000000 a safetensors header may have")]
    [InlineData(1ul << 63, "more than the 100000000 a safetensors header may have")] // negative as a signed length
    [InlineData(100_000_001ul, "more than the 100000000 a safetensors header may have")]
    [InlineData(99_999_999ul, "the header claims 99999999 bytes but the file has 40 after the length (truncated")]
    [InlineData(0ul, "the header is empty; expected a JSON object")]
    public void Header_length_is_checked_against_the_cap_and_the_file_before_anything_is_allocated(ulong claimed, string expected)
    {
        string path = Path.Combine(_dir, "length.safetensors");
        var bytes = new byte[48];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimed);
        File.WriteAllBytes(path, bytes);
        AssertRefused(path, [expected], $"header length {claimed}");
    }

    [Fact]
    public void Missing_file_is_a_FileNotFoundException_naming_it()
    {
        string path = Path.Combine(_dir, "nowhere", "missing.safetensors");
        var model = new SmallBase(seed: 3);
        var before = model.Parameters.ToArray();
        var error = Assert.Throws<FileNotFoundException>(() => model.LoadWeights(path));
        Assert.Equal(path, error.FileName);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void A_folder_is_an_IOException_naming_it()
    {
        var error = Assert.Throws<IOException>(() => new SmallBase().LoadWeights(_dir));
        Assert.Contains($"'{_dir}': it is a folder", error.Message);
    }

    /// <summary>
    /// Random corruptions of a good file (bytes flipped, lengths changed, cut short) must fail only as
    /// InvalidDataException or succeed; any other exception type escaping the loader fails the test.
    /// </summary>
    [Fact]
    public void Corrupted_files_fail_only_with_InvalidDataException_and_load_nothing()
    {
        string good = Path.Combine(_dir, "good.safetensors");
        new SmallNet(seed: 1).SaveWeights(good);
        byte[] original = File.ReadAllBytes(good);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        string path = Path.Combine(_dir, "mutant.safetensors");
        var random = new Random(12345);
        var model = new SmallNet(seed: 2);
        var before = model.Parameters.ToArray();
        int refused = 0;
        for (int round = 0; round < 1500; round++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(round % 3 == 0 ? 8 : 0, headerEnd); // mostly the header, where parsing happens
                bytes[at] = (byte)(random.Next(4) switch { 0 => random.Next(256), 1 => "{}[]\",:0123456789-.eE\\u"[random.Next(23)], 2 => bytes[at] ^ (1 << random.Next(8)), _ => ' ' });
            }
            if (round % 7 == 0) bytes = bytes[..random.Next(bytes.Length)];
            File.WriteAllBytes(path, bytes);
            try
            {
                model.LoadWeights(path);
                before = model.Parameters.ToArray(); // a mutation the format allows (e.g. in a shape's spacing) may load
            }
            catch (InvalidDataException e)
            {
                refused++;
                Assert.Contains($"'{path}'", e.Message);
                Assert.Equal(before, model.Parameters.ToArray());
            }
        }
        Assert.True(refused > 1000, $"only {refused} of 1500 corrupted files were refused");
    }

    private static void AssertRefused(string path, string[] expected, string because)
    {
        var model = new SmallBase(seed: 3);
        var before = model.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path, byName: true));
        Assert.True(error.Message.Contains($"'{path}'", StringComparison.Ordinal), $"{because}: the message does not name the file: {error.Message}");
        foreach (string part in expected)
            Assert.True(error.Message.Contains(part, StringComparison.Ordinal), $"{because}: expected \"{part}\" in: {error.Message}");
        Assert.Equal(before, model.Parameters.ToArray());
    }

    private static void WriteFile(string path, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
    }
}
