namespace ConvNetGen.Keras.Tests;

public sealed class CorruptFileTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string WrittenKeras3()
    {
        string path = _folder.File("good.weights.h5");
        KerasFiles.WriteKeras3(path, KerasFiles.Keras3LayersOf(Samples.Randomised(new MnistConvNet(seed: 2), 3)));
        return path;
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(0.002)]
    public void ATruncatedFileFailsClearlyAndChangesNothing(double kept)
    {
        string good = WrittenKeras3();
        var bytes = File.ReadAllBytes(good);
        string path = _folder.File("cut.weights.h5");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * kept)]);

        var model = new MnistConvNet(seed: 1);
        var before = model.Parameters.ToArray();
        var e = Assert.ThrowsAny<Exception>(() => KerasWeights.Load(model, path));
        Assert.True(e is InvalidDataException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(path, e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void CorruptBytesInTheMiddleFailAsInvalidData()
    {
        var bytes = File.ReadAllBytes(WrittenKeras3());
        var random = new Random(4);
        for (int i = 200; i < 2000; i++) bytes[i] = (byte)random.Next(256);
        string path = _folder.File("garbled.weights.h5");
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<Exception>(() => KerasWeights.Load(new MnistConvNet(seed: 1), path));
        Assert.True(e is InvalidDataException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AFileThatIsNeitherHdf5NorZipSaysWhatItStartsWith()
    {
        string path = _folder.File("text.h5");
        File.WriteAllText(path, "hello, not hdf5");
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new MnistConvNet(seed: 1), path));
        Assert.Contains("neither an HDF5 file", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Hdf5WithoutKerasLayoutIsNamedAsSuch()
    {
        string path = _folder.File("plain.h5");
        new PureHDF.H5File { ["data"] = new float[] { 1, 2 } }.Write(path);
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new MnistConvNet(seed: 1), path));
        Assert.Contains("not a Keras weights file", e.Message);
    }

    [Fact]
    public void ALegacyFileWhoseAttributesNameMissingObjectsSaysWhich()
    {
        string path = _folder.File("dangling.h5");
        var file = new PureHDF.H5File
        {
            ["conv2d"] = new PureHDF.H5Group { Attributes = new() { ["weight_names"] = new[] { "conv2d/kernel:0" } } },
        };
        file.Attributes = new() { ["layer_names"] = new[] { "conv2d", "dense" } };
        file.Write(path, new PureHDF.H5WriteOptions(DefaultStringLength: 32));
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'conv2d/conv2d/kernel:0'", e.Message);
        Assert.Contains("listed in weight_names of 'conv2d' but there is no such dataset", e.Message);
    }

    [Fact]
    public void AMissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => KerasWeights.Load(new MnistConvNet(seed: 1), _folder.File("none.h5")));

    [Fact]
    public void AFloat64DatasetIsRefusedNamingIt()
    {
        // Every layer as Keras 3 writes it, but the dense kernel as float64 with the right shape.
        var layersGroup = new PureHDF.H5Group();
        foreach (var (key, _, vars) in KerasFiles.Keras3LayersOf(new SmallNet(seed: 1)))
        {
            var group = new PureHDF.H5Group();
            for (int i = 0; i < vars.Length; i++)
                group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = key == "dense" && i == 0
                    ? new PureHDF.H5Dataset(new double[vars[i].Values.Length], fileDims: vars[i].Shape.Select(d => (ulong)d).ToArray())
                    : new PureHDF.H5Dataset(vars[i].Values, fileDims: vars[i].Shape.Select(d => (ulong)d).ToArray());
            layersGroup[key] = new PureHDF.H5Group { ["vars"] = group };
        }
        string path = _folder.File("f64.weights.h5");
        new PureHDF.H5File { ["layers"] = layersGroup }.Write(path);
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains("layers/dense/vars/0", e.Message);
        Assert.Contains("float32", e.Message);
    }
}
