namespace ConvNetGen.Keras.Tests;

/// <summary>Negative controls: files that are wrong in ways a loader could silently accept must fail, or fail the comparison.</summary>
public sealed class MismatchTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Transposes a Conv2D kernel's two spatial axes: (kh, kw, cin, cout) → (kw, kh, cin, cout).</summary>
    private static Var TransposeSpatial(Var kernel)
    {
        int kh = kernel.Shape[0], kw = kernel.Shape[1], rest = kernel.Shape[2] * kernel.Shape[3];
        var values = new float[kernel.Values.Length];
        for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++)
            Array.Copy(kernel.Values, (i * kw + j) * rest, values, (j * kh + i) * rest, rest);
        return new Var(values, [kw, kh, kernel.Shape[2], kernel.Shape[3]]);
    }

    [Fact]
    public void ATransposedNonSquareKernelIsRefusedNamingLayerVariableAndShapes()
    {
        var layers = KerasFiles.Keras3LayersOf(Samples.Randomised(new SmallNet(seed: 2), 3));
        layers[0] = layers[0] with { Vars = [TransposeSpatial(layers[0].Vars[0]), layers[0].Vars[1]] };
        string path = _folder.File("transposed.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var model = new SmallNet(seed: 1);
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(model, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("layer 'conv2d'", e.Message);
        Assert.Contains("'kernel' expects (3, 5, 2, 4), 'layers/conv2d/vars/0' is (5, 3, 2, 4)", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void ATransposedSquareKernelLoadsButFailsTheComparison()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        var layers = KerasFiles.Keras3LayersOf(source);
        int conv = layers.FindIndex(l => l.Key == "conv2d_1"); // 3×3: a transpose keeps the shape
        layers[conv] = layers[conv] with { Vars = [TransposeSpatial(layers[conv].Vars[0]), layers[conv].Vars[1]] };
        string path = _folder.File("square.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var model = new SmallNet(seed: 1);
        KerasWeights.Load(model, path);
        var x = Samples.Inputs(model, 8, 5);
        Assert.NotEqual(Samples.Predictions(source, x), Samples.Predictions(model, x));
    }

    [Fact]
    public void SwappedGammaAndBetaValuesFailTheComparison()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        var layers = KerasFiles.Keras3LayersOf(source);
        int bn = layers.FindIndex(l => l.Key == "batch_normalization");
        var v = layers[bn].Vars;
        layers[bn] = layers[bn] with { Vars = [v[1], v[0], v[2], v[3]] };
        string path = _folder.File("swapped.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var model = new SmallNet(seed: 1);
        KerasWeights.Load(model, path); // same shapes: only the values can tell
        var x = Samples.Inputs(model, 8, 5);
        Assert.NotEqual(Samples.Predictions(source, x), Samples.Predictions(model, x));
        Assert.NotEqual(source.Weights("batch_normalization/gamma").ToArray(), model.Weights("batch_normalization/gamma").ToArray());
    }

    [Fact]
    public void SwappedGammaAndBetaNamesInALegacyFileAreRefused()
    {
        var layers = KerasFiles.LegacyLayersOf(Samples.Randomised(new SmallNet(seed: 2), 3));
        int bn = layers.FindIndex(l => l.Layer == "batch_normalization");
        var w = layers[bn].Weights;
        layers[bn] = (layers[bn].Layer, [w[1], w[0], w[2], w[3]]);
        string path = _folder.File("swapped.h5");
        KerasFiles.WriteLegacy(path, layers);

        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains("'batch_normalization/batch_normalization/beta:0' is 'beta' but weight 0 of layer 'batch_normalization' is 'gamma'", e.Message);
    }

    [Fact]
    public void StrictRefusesMissingAndExtraLayersListingEach()
    {
        var layers = KerasFiles.Keras3LayersOf(Samples.Randomised(new SmallNet(seed: 2), 3));
        layers.RemoveAll(l => l.Key == "dense");
        layers.Add(("conv2d_7", "conv2d_7", [new Var(new float[4], [4])]));
        string path = _folder.File("strict.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var model = new SmallNet(seed: 1);
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(model, path));
        Assert.Contains("layer 'dense' (Dense, weights [kernel (6, 5), bias (5,)]) should be at 'layers/dense/vars'", e.Message);
        Assert.Contains("'layers/conv2d_7/vars' (named 'conv2d_7') holds 1 variable(s) but SmallNet has no layer at that path", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void SkipMismatchLeavesTheMismatchedLayerAndReportsIt()
    {
        var source = Samples.Randomised(new SmallNet(seed: 2), 3);
        var layers = KerasFiles.Keras3LayersOf(source);
        int dense = layers.FindIndex(l => l.Key == "dense");
        layers[dense] = layers[dense] with { Vars = [new Var(new float[12], [6, 2]), new Var(new float[2], [2])] };
        string path = _folder.File("skip.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var model = new SmallNet(seed: 1);
        var dense0 = model.Weights("dense/kernel").ToArray();
        var result = KerasWeights.Load(model, path, new KerasLoadOptions(SkipMismatch: true));
        Assert.DoesNotContain("dense", result.Loaded);
        Assert.Contains(result.Skipped, s => s.StartsWith("dense:", StringComparison.Ordinal) && s.Contains("(6, 2)"));
        Assert.Equal(dense0, model.Weights("dense/kernel").ToArray());
        Assert.Equal(source.Weights("conv2d/kernel").ToArray(), model.Weights("conv2d/kernel").ToArray());
    }

    [Fact]
    public void NonFiniteValuesAreRefusedUnlessAllowed()
    {
        var layers = KerasFiles.Keras3LayersOf(Samples.Randomised(new SmallNet(seed: 2), 3));
        layers[0].Vars[1].Values[2] = float.NaN;
        string path = _folder.File("nan.weights.h5");
        KerasFiles.WriteKeras3(path, layers);

        var e = Assert.Throws<InvalidDataException>(() => KerasWeights.Load(new SmallNet(seed: 1), path));
        Assert.Contains("'layers/conv2d/vars/1' (for 'conv2d/bias') holds 1 non-finite value(s), the first NaN at element 2", e.Message);
        var model = new SmallNet(seed: 1);
        KerasWeights.Load(model, path, new KerasLoadOptions(AllowNonFinite: true));
        Assert.True(float.IsNaN(model.Weights("conv2d/bias")[2]));
    }
}
