using ConvNetGen.Tests.Numerics;
using System.Buffers.Binary;
using System.Text;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathFor(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Save_then_load_round_trips_bit_exactly_and_leaves_no_temporary_file()
    {
        var source = new SmallNet(seed: 1);
        var random = new Random(2);
        foreach (ref float p in source.Parameters) p = random.NextSingle() - 0.5f;
        string path = PathFor("small.safetensors");
        source.SaveWeights(path);
        source.SaveWeights(path); // overwriting works too

        var target = new SmallNet(seed: 99);
        target.LoadWeights(path);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void File_follows_the_safetensors_layout_with_Keras_names()
    {
        var model = new SmallNet(seed: 1);
        string path = PathFor("layout.safetensors");
        model.SaveWeights(path);
        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, (8 + headerLength) % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Contains("\"conv/kernel\":{\"dtype\":\"F32\",\"shape\":[3,3,1,4],\"data_offsets\":[0,144]}", header);
        Assert.Contains("\"bn/moving_mean\"", header);
        Assert.Equal(8 + (long)headerLength + SmallNet.Architecture.ParameterCount * 4L, bytes.Length);
        // The first kernel value, little-endian, right after the header.
        Assert.Equal(model.Weights("conv/kernel")[0], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength)));
    }

    [Fact]
    public void Loading_into_a_different_model_lists_every_mismatch_and_loads_nothing()
    {
        string path = PathFor("base.safetensors");
        new SmallBase(seed: 1).SaveWeights(path);
        var model = new SmallNet(seed: 5);
        var before = model.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.Contains("'out/kernel' (100, 3) is missing", error.Message);
        Assert.Contains("'out/bias' (3,) is missing", error.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void Loading_by_name_takes_the_matching_layers_and_checks_their_shapes()
    {
        string path = PathFor("base.safetensors");
        var trained = new SmallBase(seed: 1);
        trained.SaveWeights(path);
        var bigger = new BiggerNet(seed: 5);
        Assert.Equal(["conv", "bn"], bigger.LoadWeights(path, byName: true));
        Assert.Equal(trained.Weights("conv/kernel").ToArray(), bigger.Weights("conv/kernel").ToArray());

        string other = PathFor("reference.safetensors");
        new MnistConvNetCopy().SaveWeights(other);
        // No shared names: nothing to load, nothing wrong.
        Assert.Empty(bigger.LoadWeights(other, byName: true));
    }

    [Fact]
    public void Wrong_shape_is_named_with_both_shapes()
    {
        string path = PathFor("wrong.safetensors");
        var tensors = new[] { ("conv/kernel", new[] { 3, 3, 1, 5 }, 0L, 180L) };
        WriteFile(path, Encoding.UTF8.GetString(SafeTensorsFormat.Header(tensors, new Dictionary<string, string>()).AsSpan(8)), new byte[180]);
        var error = Assert.Throws<InvalidDataException>(() => new SmallBase().LoadWeights(path, byName: true));
        Assert.Contains("'conv/kernel' has shape [3, 3, 1, 5] in the file; the model's is [3, 3, 1, 4]", error.Message);
    }

    [Fact]
    public void Truncated_and_corrupt_files_are_clear_errors()
    {
        string path = PathFor("good.safetensors");
        var model = new SmallNet(seed: 1);
        model.SaveWeights(path);
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..^10]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);

        File.WriteAllBytes(path, good[..5]);
        Assert.Contains("fewer than the 8-byte header length", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);

        var badJson = (byte[])good.Clone();
        badJson[8] = (byte)'[';
        File.WriteAllBytes(path, badJson);
        Assert.Contains("is not a valid safetensors file: the header is not valid JSON", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);

        var hugeHeader = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hugeHeader, ulong.MaxValue);
        File.WriteAllBytes(path, hugeHeader);
        Assert.Contains("the header claims", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);
    }

    [Fact]
    public void Wrong_dtype_is_reported()
    {
        string path = PathFor("f16.safetensors");
        WriteFile(path, "{\"conv/kernel\":{\"dtype\":\"F16\",\"shape\":[3,3,1,4],\"data_offsets\":[0,72]}}", new byte[72]);
        var error = Assert.Throws<InvalidDataException>(() => new SmallBase().LoadWeights(path, byName: true));
        Assert.Contains("'conv/kernel' is F16 in the file; expected F32", error.Message);
    }

    [Fact]
    public void Saving_into_a_missing_folder_fails_and_leaves_nothing()
    {
        string path = Path.Combine(_dir, "missing", "w.safetensors");
        Assert.ThrowsAny<IOException>(() => new SmallNet().SaveWeights(path));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    private static void WriteFile(string path, string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
    }
}
