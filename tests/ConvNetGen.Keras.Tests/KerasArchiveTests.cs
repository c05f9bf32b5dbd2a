using System.Globalization;

namespace ConvNetGen.Keras.Tests;

public sealed class KerasArchiveTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>SmallNet's config.json as Keras 3 writes a Sequential's (trimmed to what matters), with edits.</summary>
    private static string Config(string conv2dKernel = "[3, 5]", string conv2dName = "conv2d", string denseActivation = "softmax", string epsilon = "0.001", int denseUnits = 5) =>
        $$$"""
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8, 7, 2], "dtype": "float32", "name": "input_layer"}},
          {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "{{{conv2dName}}}", "filters": 4, "kernel_size": {{{conv2dKernel}}}, "strides": [1, 1], "padding": "same", "activation": "relu", "use_bias": true}},
          {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": -1, "momentum": 0.99, "epsilon": {{{epsilon}}}, "center": true, "scale": true}},
          {"module": "keras.layers", "class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2]}},
          {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "conv2d_1", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "activation": "relu", "use_bias": true}},
          {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten"}},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": {{{denseUnits.ToString(CultureInfo.InvariantCulture)}}}, "activation": "{{{denseActivation}}}", "use_bias": true}}
        ]}}
        """;

    private string Archive(Model source, string config, string name = "model.keras")
    {
        string weights = _folder.File(name + ".weights.h5");
        KerasFiles.WriteKeras3(weights, KerasFiles.Keras3LayersOf(source, named: false));
        string path = _folder.File(name);
        KerasFiles.WriteArchive(path, config, weights);
        return path;
    }

    [Fact]
    public void AKerasArchiveLoadsWhenItsConfigMatches()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        string path = Archive(source, Config());
        var model = new SmallNet(seed: 9);
        var result = KerasWeights.Load(model, path);
        Assert.Equal(KerasFileFormat.KerasArchive, result.Format);
        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void EveryLayerWhoseKindShapeOrConfigurationDiffersIsListed()
    {
        string path = Archive(Samples.Randomised(new SmallNet(seed: 2), 3),
            Config(conv2dKernel: "[5, 3]", conv2dName: "first", denseActivation: "sigmoid", epsilon: "0.01"));
        var model = new SmallNet(seed: 9);
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(model, path));
        Assert.Contains("layer 'conv2d' differs", e.Message);
        Assert.Contains("kernel_size (5, 3) in the file, (3, 5) here", e.Message);
        Assert.Contains("name 'first' in the file, 'conv2d' here", e.Message);
        Assert.Contains("layer 'batch_normalization' differs", e.Message);
        Assert.Contains("epsilon 0.01 in the file", e.Message);
        Assert.Contains("layer 'dense' differs", e.Message);
        Assert.Contains("activation 'sigmoid' in the file, 'softmax' here", e.Message);
        Assert.DoesNotContain("conv2d_1", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void ByNameTakesTheNamesFromTheConfig()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        string path = Archive(source, Config());
        var model = new SmallNetHead(seed: 4);
        var result = KerasWeights.Load(model, path, new KerasLoadOptions(ByName: true));
        Assert.Equal(["conv2d", "batch_normalization"], result.Loaded);
        Assert.Equal(source.Weights("batch_normalization/moving_mean").ToArray(), model.Weights("batch_normalization/moving_mean").ToArray());
    }

    [Fact]
    public void ADecompressionBombIsRefusedBeforeAnythingIsExtracted()
    {
        string path = _folder.File("bomb.keras");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open())) writer.Write(Config());
            using var weights = zip.CreateEntry("model.weights.h5", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) weights.Write(zeros); // 300 MiB of zeros, stored in well under 1%
        }
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains("decompression bomb", e.Message);
    }

    [Fact]
    public void AZipWithoutKerasEntriesIsRefusedClearly()
    {
        string path = _folder.File("other.keras");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
            zip.CreateEntry("readme.txt");
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(path, e.Message);
    }
}
