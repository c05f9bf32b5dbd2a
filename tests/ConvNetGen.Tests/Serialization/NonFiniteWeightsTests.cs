using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Serialization;

public sealed class NonFiniteWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-nonfinite-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_non_finite_weight_is_refused_by_default_naming_the_tensor_and_the_first_bad_element(float bad, string shown)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        var saved = new SmallNet(seed: 1);
        // conv/kernel is (3, 3, 1, 4), row-major: element 22 is [1, 2, 0, 2].
        saved.Weights("conv/kernel")[22] = bad;
        saved.Weights("conv/kernel")[30] = float.NaN;
        saved.SaveWeights(path);

        var model = new SmallNet(seed: 2);
        var before = model.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.Contains($"Cannot load '{path}' into SmallNet; nothing was loaded", error.Message);
        Assert.Contains($"'conv/kernel' holds 2 non-finite values; the first is {shown} at [1, 2, 0, 2] (element 22)", error.Message);
        Assert.Contains("allowNonFinite: true", error.Message);
        Assert.DoesNotContain("'out/kernel'", error.Message);
        Assert.Equal(before, model.Parameters.ToArray());

        // Asked for, they load as they are.
        model.LoadWeights(path, allowNonFinite: true);
        Assert.Equal(saved.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void By_name_only_the_tensors_being_loaded_are_checked()
    {
        string path = Path.Combine(_dir, "head.safetensors");
        var saved = new BiggerNet(seed: 1);
        saved.Weights("head/bias")[0] = float.NaN; // a layer SmallBase does not have
        saved.SaveWeights(path);

        var model = new SmallBase(seed: 2);
        Assert.Equal(["conv", "bn"], model.LoadWeights(path, byName: true));
        Assert.Equal(saved.Weights("conv/kernel").ToArray(), model.Weights("conv/kernel").ToArray());
        // The bigger model itself would load it only when told to.
        Assert.Contains("'head/bias' holds 1 non-finite value; the first is NaN at [0] (element 0)",
            Assert.Throws<InvalidDataException>(() => new BiggerNet().LoadWeights(path)).Message);
    }
}
