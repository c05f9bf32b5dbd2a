using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Checkpoints;

using Losses = global::ConvNetGen.Losses;

/// <summary>A checkpoint that does not fit, or is damaged, is refused with a message that says why, and changes nothing.</summary>
public sealed class CheckpointErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static T Compiled<T>(T model, Optimizer optimizer) where T : Model
    {
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    /// <summary>A checkpoint of a SmallNet trained a little with Adam.</summary>
    private string Saved()
    {
        var (x, y) = SyntheticData.Make(32, seed: 1);
        var model = Compiled(new SmallNet(1) { ThreadCount = 1 }, new Adam(0.01f));
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent);
        string path = Path.Combine(_dir, "a.ckpt");
        model.SaveCheckpoint(path);
        return path;
    }

    /// <summary>Asserts the load fails and leaves the model's weights and optimizer state as they were.</summary>
    private static InvalidDataException RefusedUnchanged(Model model, string path)
    {
        var (x, y) = SyntheticData.Make(16, seed: 2);
        model.Fit(x, y, batchSize: 16, verbose: Verbosity.Silent);
        var weights = model.Parameters.ToArray();
        long iterations = model.Optimizer!.Iterations;
        float rate = model.Optimizer.LearningRate;
        var error = Assert.Throws<InvalidDataException>(() => model.LoadCheckpoint(path));
        Assert.Equal(weights, model.Parameters.ToArray());
        Assert.Equal(iterations, model.Optimizer.Iterations);
        Assert.Equal(rate, model.Optimizer.LearningRate);
        Assert.Contains("nothing was changed", error.Message);
        return error;
    }

    [Fact]
    public void Another_model_is_named_with_the_weights_that_differ()
    {
        var error = RefusedUnchanged(Compiled(new BiggerNet(1), new Adam(0.01f)), Saved());
        Assert.Contains("it is of SmallNet; this model is BiggerNet", error.Message);
        Assert.Contains("'head/kernel'", error.Message);
    }

    [Fact]
    public void Another_optimizer_or_other_hyperparameters_are_named()
    {
        string path = Saved();
        var other = RefusedUnchanged(Compiled(new SmallNet(1), new RMSprop(0.01f)), path);
        Assert.Contains("the optimizer's class is Adam in the checkpoint but RMSprop here", other.Message);
        var beta = RefusedUnchanged(Compiled(new SmallNet(1), new Adam(0.01f, beta1: 0.8f)), path);
        Assert.Contains("the optimizer's beta_1 is 0.9 in the checkpoint but 0.8 here", beta.Message);
        var amsgrad = RefusedUnchanged(Compiled(new SmallNet(1), new Adam(0.01f, amsgrad: true)), path);
        Assert.Contains("amsgrad is False in the checkpoint but True here", amsgrad.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var error = RefusedUnchanged(Compiled(new SmallNet(1), new Adam(0.01f)), path);
        Assert.Contains("(truncated)", error.Message);
    }

    [Fact]
    public void A_flipped_bit_in_the_data_is_found_by_the_hash()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var error = RefusedUnchanged(Compiled(new SmallNet(1), new Adam(0.01f)), path);
        Assert.Contains("does not match its SHA-256", error.Message);
    }

    [Fact]
    public void A_weights_file_is_not_taken_for_a_checkpoint()
    {
        string path = Path.Combine(_dir, "w.safetensors");
        new SmallNet(1).SaveWeights(path);
        var error = RefusedUnchanged(Compiled(new SmallNet(1), new Adam(0.01f)), path);
        Assert.Contains("a safetensors file of weights but not a checkpoint (SaveWeights files load with LoadWeights)", error.Message);
    }

    [Fact]
    public void Loading_and_saving_need_a_compiled_model()
    {
        string path = Saved();
        Assert.Throws<InvalidOperationException>(() => new SmallNet(1).LoadCheckpoint(path));
        Assert.Throws<InvalidOperationException>(() => new SmallNet(1).SaveCheckpoint(Path.Combine(_dir, "b.ckpt")));
    }
}
