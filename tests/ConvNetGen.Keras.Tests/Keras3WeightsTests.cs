using PureHDF;

namespace ConvNetGen.Keras.Tests;

public sealed class Keras3WeightsTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AKeras3FileLoadsIntoTheReferenceConvnetAndPredictsExactlyWhatTheSourceWeightsPredict()
    {
        var source = Samples.Randomised(new MnistConvNet(seed: 11), 5);
        string path = _folder.File("mnist.weights.h5");
        KerasFiles.WriteKeras3(path, KerasFiles.Keras3LayersOf(source, named: false));

        var model = new MnistConvNet(seed: 1);
        var result = KerasWeights.Load(model, path);

        Assert.Equal(KerasFileFormat.Keras3Weights, result.Format);
        Assert.Equal(["conv2d", "conv2d_1", "conv2d_2", "dense"], result.Loaded);
        var x = Samples.Inputs(model, 16, 3);
        Assert.Equal(Samples.Predictions(source, x), Samples.Predictions(model, x)); // bit for bit
    }

    [Fact]
    public void EveryWeightArrivesInItsPlaceWithBatchNormalizationInKerasOrder()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 9);
        string path = _folder.File("small.weights.h5");
        KerasFiles.WriteKeras3(path, KerasFiles.Keras3LayersOf(source));

        var model = new SmallNet(seed: 3);
        KerasWeights.Load(model, path);

        var expected = source.GetWeights();
        foreach (var (name, values) in model.GetWeights()) Assert.Equal(expected[name], values);
    }

    [Fact]
    public void SaveWritesKeras3sLayoutThatPureHdfReadsBack()
    {
        var model = Samples.Randomised(new SmallNet(seed: 2), 4);
        string path = _folder.File("out.weights.h5");
        KerasWeights.Save(model, path);

        using var file = H5File.OpenRead(path);
        var kernel = file.Dataset("layers/conv2d/vars/0");
        Assert.Equal([3UL, 5, 2, 4], kernel.Space.Dimensions); // (kh, kw, cin, cout), not transposed
        Assert.Equal(model.Weights("conv2d/kernel").ToArray(), kernel.Read<float[]>());
        Assert.Equal(model.Weights("batch_normalization/beta").ToArray(), file.Dataset("layers/batch_normalization/vars/1").Read<float[]>());
        Assert.Equal(model.Weights("batch_normalization/moving_variance").ToArray(), file.Dataset("layers/batch_normalization/vars/3").Read<float[]>());
        Assert.Equal([6UL, 5], file.Dataset("layers/dense/vars/0").Space.Dimensions); // (inputs, units)
        Assert.Equal("conv2d_1", file.Group("layers/conv2d_1/vars").Attribute("name").Read<string>());
        Assert.True(file.LinkExists("layers/max_pooling2d/vars")); // weightless layers keep their named group, as in Keras
        Assert.False(file.LinkExists("layers/max_pooling2d/vars/0"));
    }

    [Fact]
    public void RoundTripThroughSaveAndLoadGivesTheSameWeightsAndPredictions()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 4);
        string path = _folder.File("round.weights.h5");
        KerasWeights.Save(source, path);
        var model = new SmallNet(seed: 8);
        KerasWeights.Load(model, path);
        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
        var x = Samples.Inputs(model, 4, 1);
        Assert.Equal(Samples.Predictions(source, x), Samples.Predictions(model, x));
    }

    [Fact]
    public void SaveReplacesAnExistingFileWholeAndLeavesNoTemporary()
    {
        string path = _folder.File("replace.weights.h5");
        File.WriteAllText(path, "old");
        KerasWeights.Save(new SmallNet(seed: 1), path);
        Assert.Equal(0x89, File.ReadAllBytes(path)[0]);
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void SaveIntoAMissingFolderFailsWithoutWriting() =>
        Assert.Throws<DirectoryNotFoundException>(() => KerasWeights.Save(new SmallNet(seed: 1), _folder.File("nope/x.weights.h5")));

    [Fact]
    public void ByNameUsesTheNamesOnVarsGroupsAndSkipsTheRest()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 4);
        string path = _folder.File("named.weights.h5");
        KerasFiles.WriteKeras3(path, KerasFiles.Keras3LayersOf(source));

        var model = new SmallNetHead(seed: 5);
        var head = model.Weights("new_head/kernel").ToArray();
        var result = KerasWeights.Load(model, path, new KerasLoadOptions(ByName: true));

        Assert.Equal(["conv2d", "batch_normalization"], result.Loaded);
        Assert.Equal(source.Weights("batch_normalization/gamma").ToArray(), model.Weights("batch_normalization/gamma").ToArray());
        Assert.Equal(head, model.Weights("new_head/kernel").ToArray());
    }

    [Fact]
    public void ByNameWithoutNamesInTheFileSaysSo()
    {
        string path = _folder.File("unnamed.weights.h5");
        KerasFiles.WriteKeras3(path, KerasFiles.Keras3LayersOf(new SmallNet(seed: 2), named: false));
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNetHead(seed: 5), path, new KerasLoadOptions(ByName: true)));
        Assert.Contains("does not name its layers", e.Message);
    }
}
