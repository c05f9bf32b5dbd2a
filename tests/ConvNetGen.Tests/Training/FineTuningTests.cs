namespace ConvNetGen.Tests.Training;

using Losses = global::ConvNetGen.Losses;

public sealed class FineTuningTests
{
    [Fact]
    public void Frozen_layers_stay_bit_identical_and_frozen_BatchNormalization_keeps_its_statistics()
    {
        var (x, y) = SyntheticData.Make(128, seed: 1);
        var model = new SmallNet(seed: 3);
        model["conv"].Trainable = false;
        model["bn"].Trainable = false;
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var conv = model.Weights("conv/kernel").ToArray();
        var bn = model.Layers[1].Info.Weights.Select(w => model.Weights("bn/" + w.Name).ToArray()).ToList();
        var head = model.Weights("out/kernel").ToArray();

        model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent);

        Assert.Equal(conv, model.Weights("conv/kernel").ToArray());
        for (int i = 0; i < bn.Count; i++)
            Assert.Equal(bn[i], model.Weights("bn/" + model.Layers[1].Info.Weights[i].Name).ToArray());
        Assert.NotEqual(head, model.Weights("out/kernel").ToArray());
    }

    [Fact]
    public void Trainable_BatchNormalization_updates_its_moving_statistics()
    {
        var (x, y) = SyntheticData.Make(64, seed: 2);
        var model = new SmallNet(seed: 3);
        model.Compile(new RMSprop(), Losses.SparseCategoricalCrossentropy);
        var mean = model.Weights("bn/moving_mean").ToArray();
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent);
        Assert.NotEqual(mean, model.Weights("bn/moving_mean").ToArray());
    }

    [Fact]
    public void Summary_counts_follow_the_trainable_flags()
    {
        var model = new SmallNet();
        Assert.Contains("Non-trainable params: 8 ", model.GetSummary()); // bn's moving mean and variance
        model.Conv.Trainable = false; // the typed accessor
        Assert.Same(model.Layers[0], model.Conv);
        string summary = model.GetSummary();
        Assert.Contains("Non-trainable params: 48 ", summary); // + conv2d 3·3·1·4 + 4
        Assert.Contains($"Trainable params: {SmallNet.Architecture.ParameterCount - 48:N0} ", summary);
    }

    [Fact]
    public void Compiling_again_keeps_the_weights()
    {
        var (x, y) = SyntheticData.Make(64, seed: 3);
        var model = new SmallNet(seed: 3);
        model.Compile(new RMSprop(0.01f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent);
        var trained = model.Parameters.ToArray();
        model.Compile(new RMSprop(1e-5f), Losses.SparseCategoricalCrossentropy);
        Assert.Equal(trained, model.Parameters.ToArray());
        Assert.Equal(1e-5f, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void Included_base_has_the_base_layer_names_and_loads_its_weights_by_name()
    {
        Assert.Equal(["conv", "bn", "pool", "flat", "head", "head_out"], BiggerNet.Architecture.Layers.Select(l => l.Name));
        var trainedBase = new SmallBase(seed: 9);
        var bigger = new BiggerNet(seed: 1);
        Assert.Equal(["conv", "bn"], bigger.CopyWeightsFrom(trainedBase));
        Assert.Equal(trainedBase.Weights("conv/kernel").ToArray(), bigger.Weights("conv/kernel").ToArray());
        Assert.Equal(trainedBase.Weights("bn/moving_variance").ToArray(), bigger.Weights("bn/moving_variance").ToArray());
    }
}
