using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Serialization;

/// <summary>GetWeights and SetWeights, the named hook other formats' readers and writers use.</summary>
public sealed class WeightValuesTests
{
    [Fact]
    public void GetWeights_is_a_copy_of_every_weight_by_full_name()
    {
        var model = new SmallNet(seed: 3);
        var weights = model.GetWeights();
        Assert.Equal(model.Definition.Layers.Sum(l => l.Weights.Count), weights.Count);
        foreach (var layer in model.Definition.Layers)
        foreach (var weight in layer.Weights)
            Assert.Equal(model.Weights($"{layer.Name}/{weight.Name}").ToArray(), weights[$"{layer.Name}/{weight.Name}"]);
        var first = weights.First();
        first.Value[0] += 1; // the caller's array
        Assert.NotEqual(first.Value[0], model.Weights(first.Key)[0]);
    }

    [Fact]
    public void SetWeights_replaces_the_named_weights_and_keeps_no_reference_to_the_arrays()
    {
        var model = new SmallNet(seed: 3);
        var source = new SmallNet(seed: 4);
        var values = source.GetWeights().ToDictionary(kv => kv.Key, kv => kv.Value);
        model.SetWeights(values);
        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
        values.First().Value[0] = 42;
        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void SetWeights_checks_every_name_and_length_first_and_changes_nothing_on_failure()
    {
        var model = new SmallNet(seed: 3);
        var before = model.Parameters.ToArray();
        var values = new SmallNet(seed: 4).GetWeights().ToDictionary(kv => kv.Key, kv => kv.Value);
        var (name, array) = values.First();
        values[name] = array[1..];
        values["nope/kernel"] = [1f];
        var e = Assert.Throws<ArgumentException>(() => model.SetWeights(values));
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains($"got {array.Length - 1}", e.Message);
        Assert.Contains("'nope/kernel' is not a weight of SmallNet", e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }
}
