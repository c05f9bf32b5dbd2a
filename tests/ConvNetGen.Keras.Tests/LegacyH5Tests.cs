namespace ConvNetGen.Keras.Tests;

public sealed class LegacyH5Tests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)] // model.save_weights("x.h5")
    [InlineData(true)]  // model.save("x.h5"): under model_weights
    public void ALegacyFileLoadsIntoTheReferenceConvnetAndPredictsExactly(bool fullModel)
    {
        var source = Samples.Randomised(new MnistConvNet(seed: 11), 6);
        string path = _folder.File("mnist.h5");
        KerasFiles.WriteLegacy(path, KerasFiles.LegacyLayersOf(source), fullModel);

        var model = new MnistConvNet(seed: 1);
        var result = KerasWeights.Load(model, path);

        Assert.Equal(KerasFileFormat.LegacyH5, result.Format);
        var x = Samples.Inputs(model, 8, 2);
        Assert.Equal(Samples.Predictions(source, x), Samples.Predictions(model, x));
    }

    [Fact]
    public void OldStyleWeightNamesAreFollowedThroughTheAttributes()
    {
        // The first keras.applications VGG16 files name datasets block1_conv1_W_1:0, block1_conv1_b_1:0.
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        var weights = source.GetWeights();
        var layers = source.Definition.Layers.Select(l => (l.Name, l.Weights.Select((w, i) =>
            ($"{l.Name}_{"WbXY"[i]}_1:0", new Var(weights[$"{l.Name}/{w.Name}"], w.Shape.ToArray()))).ToArray())).ToList();
        string path = _folder.File("old.h5");
        KerasFiles.WriteLegacy(path, layers);

        var model = new SmallNet(seed: 7);
        KerasWeights.Load(model, path);
        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void ByNameLoadsTheLayersBothHave()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        string path = _folder.File("byname.h5");
        KerasFiles.WriteLegacy(path, KerasFiles.LegacyLayersOf(source));

        var model = new SmallNetHead(seed: 4);
        var result = KerasWeights.Load(model, path, new KerasLoadOptions(ByName: true));
        Assert.Equal(["conv2d", "batch_normalization"], result.Loaded);
        Assert.Equal(source.Weights("conv2d/kernel").ToArray(), model.Weights("conv2d/kernel").ToArray());
    }

    [Fact]
    public void WithoutByNameALayerCountMismatchIsRefusedAndNothingChanges()
    {
        string path = _folder.File("count.h5");
        KerasFiles.WriteLegacy(path, KerasFiles.LegacyLayersOf(Samples.Randomised(new SmallNet(seed: 2), 3)));
        var model = new SmallNetHead(seed: 4);
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(model, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("ByName", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }
}
