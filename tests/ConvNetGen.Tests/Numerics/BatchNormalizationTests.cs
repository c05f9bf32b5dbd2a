namespace ConvNetGen.Tests.Numerics;

/// <summary>BatchNormalization's state: moving statistics in training, inference on them, and the frozen layer.</summary>
public class BatchNormalizationTests
{
    [Fact]
    public void Training_passes_update_the_moving_statistics_with_the_momentum()
    {
        // BatchNormFirstNet: BatchNormalization(Momentum = 0.9) straight on the input, 4×3 pixels × 3 channels.
        const int Batch = 3, Channels = 3;
        const double Momentum = 0.9;
        var model = new BatchNormFirstNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        var mean = NumericsKit.ToDouble(model.Layers[0].Weights("moving_mean"));
        var variance = NumericsKit.ToDouble(model.Layers[0].Weights("moving_variance"));
        var output = new float[Batch * BatchNormFirstNet.Architecture.OutputShape.ElementCount];

        for (int step = 0; step < 3; step++)
        {
            var x = NumericsKit.Uniform(Batch * 36, 10 + step, -1 + step, 2 + step); // a different mean every step
            model.ForwardPass(x, output, training: true);

            for (int c = 0; c < Channels; c++)
            {
                var values = Enumerable.Range(0, x.Length / Channels).Select(r => (double)x[r * Channels + c]).ToArray();
                double batchMean = values.Average();
                double batchVariance = values.Sum(v => (v - batchMean) * (v - batchMean)) / values.Length; // biased
                mean[c] = mean[c] * Momentum + batchMean * (1 - Momentum);
                variance[c] = variance[c] * Momentum + batchVariance * (1 - Momentum);
            }
            NumericsKit.AssertClose(model.Layers[0].Weights("moving_mean"), mean, 1e-6, $"moving_mean after step {step + 1}");
            NumericsKit.AssertClose(model.Layers[0].Weights("moving_variance"), variance, 1e-6, $"moving_variance after step {step + 1}");
        }
    }

    [Fact]
    public void Training_mode_normalises_by_the_batch_statistics()
    {
        // With gamma 1 and beta 0, each channel of the output has mean 0 and variance var / (var + ε).
        const int Batch = 4;
        var model = new BatchNormFirstNet(seed: 1);
        var x = NumericsKit.Uniform(Batch * 36, 3, -2, 5);
        var p = NumericsKit.ToDouble(model.Parameters);
        var bn = (RefBatchNormalization)TestReferences.BatchNormFirst().Ops[0];
        var normalized = bn.Forward(NumericsKit.ToDouble(x), Batch, p, training: true, null);
        var (mean, variance) = bn.BatchStatistics(normalized);
        var (_, inputVariance) = bn.BatchStatistics(NumericsKit.ToDouble(x));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0, mean[c], 1e-12);
            Assert.Equal(inputVariance[c] / (inputVariance[c] + 1e-3), variance[c], 1e-12);
        }
        // …and the generated pass agrees with that reference through the following conv.
        var reference = TestReferences.BatchNormFirst();
        var output = new float[Batch * reference.OutputSize];
        model.ForwardPass(x, output, training: true);
        NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), Batch, p, training: true), NumericsKit.ForwardTolerance, "training mode");
    }

    [Fact]
    public void Inference_uses_the_moving_statistics_and_changes_nothing()
    {
        const int Batch = 3;
        var model = new BatchNormFirstNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        var reference = TestReferences.BatchNormFirst();
        var before = model.Parameters.ToArray();
        var x = NumericsKit.Uniform(Batch * reference.InputSize, 4, -1, 3);
        var xd = NumericsKit.ToDouble(x);
        var p = NumericsKit.ToDouble(before);

        var inference = new float[Batch * reference.OutputSize];
        model.ForwardPass(x, inference, training: false);
        NumericsKit.AssertClose(inference, reference.Forward(xd, Batch, p, training: false), NumericsKit.ForwardTolerance, "inference");
        Assert.Equal(before, model.Parameters.ToArray());

        // The batch statistics of this input are far from the moving ones, so the two modes really differ.
        var training = reference.Forward(xd, Batch, p, training: true);
        Assert.True(inference.Select((v, i) => Math.Abs(v - training[i])).Max() > 0.1);
    }

    [Fact]
    public void Predict_folds_the_moving_statistics_into_the_conv_and_folds_them_again_when_they_change()
    {
        // GradResidualIdentity: conv1 → bn1 → relu1, which Predict runs as one conv with bn1 folded into its kernel and
        // bias (Model.FoldedKernel, kept until the weights change) and relu1 applied in its store.
        const int Batch = 3;
        var model = new GradResidualIdentity(seed: 1);
        NumericsKit.Randomize(model, 2);
        var reference = TestReferences.ResidualIdentity();
        var x = NumericsKit.Uniform(Batch * reference.InputSize, 4, -1, 1);
        var y = new int[Batch];
        var output = new float[Batch * reference.OutputSize];
        void AssertPredictMatches(string what)
        {
            model.Predict(x, output);
            NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), Batch, NumericsKit.ToDouble(model.Parameters), training: false),
                NumericsKit.ForwardTolerance, what);
        }

        AssertPredictMatches("the first Predict");
        var first = output.ToArray();

        // New statistics by hand: the fold made before must not be read again.
        var variance = model["bn1"].Weights("moving_variance");
        for (int c = 0; c < variance.Length; c++) variance[c] = 4 * variance[c] + 0.5f;
        var mean = model["bn1"].Weights("moving_mean");
        for (int c = 0; c < mean.Length; c++) mean[c] += 0.5f;
        AssertPredictMatches("after the statistics were set");
        Assert.True(first.Select((v, i) => Math.Abs(v - output[i])).Max() > 1e-3, "the new statistics change the outputs");

        // A training step moves the statistics (and the weights) on.
        model.Compile(new SGD(0.1f), global::ConvNetGen.Losses.SparseCategoricalCrossentropy);
        var beforeStep = model.Parameters.ToArray();
        model.TrainOnBatch(x, y);
        Assert.NotEqual(beforeStep, model.Parameters.ToArray());
        AssertPredictMatches("after a training step");
    }

    [Fact]
    public void A_frozen_layer_runs_in_inference_mode_even_while_training()
    {
        const int Batch = 3;
        var model = new BatchNormFirstNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        model["batch_normalization"].Trainable = false;
        var reference = TestReferences.BatchNormFirst();
        var before = model.Parameters.ToArray();
        var x = NumericsKit.Uniform(Batch * reference.InputSize, 4, -1, 3);

        var frozenTraining = new float[Batch * reference.OutputSize];
        var inference = new float[Batch * reference.OutputSize];
        model.ForwardPass(x, frozenTraining, training: true);
        Assert.Equal(before, model.Parameters.ToArray()); // moving statistics untouched
        model.ForwardPass(x, inference, training: false);
        Assert.Equal(inference, frozenTraining);
        NumericsKit.AssertClose(frozenTraining,
            reference.Forward(NumericsKit.ToDouble(x), Batch, NumericsKit.ToDouble(before), training: false), NumericsKit.ForwardTolerance, "frozen");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_frozen_layer_has_zero_gradients_and_passes_the_inference_gradient_down(bool byIndex)
    {
        // FreezeNet: conv2d (tanh), batch_normalization, conv2d_1, max_pooling2d, flatten, dense.
        var model = new FreezeNet(seed: 1);
        if (byIndex) model.Layers[1].Trainable = false;
        else model["batch_normalization"].Trainable = false;
        var reference = TestReferences.Freeze();
        ((RefBatchNormalization)reference.Ops[1]).Frozen = true; // inference mode, in every pass
        var result = GradientCheck.Run(model, reference, frozen: new HashSet<int> { 1 });

        Assert.True(result.Margins.Smallest > GradientCheck.MinimumKinkMargin, "pick another seed");
        GradientCheck.AssertReferenceAgrees(new GradientCheck.Result(result.Architecture, result.Generated,
            Masked(result.Numeric, result.Architecture.Layers[1]), result.Analytic, result.Parameters, result.Margins));
        foreach (var weight in FreezeNet.Architecture.Layers[1].Weights)
            Assert.All(result.Generated.AsSpan(weight.Offset, weight.Length).ToArray(), g => Assert.Equal(0f, g));
        // Every other layer's gradient is the one through a BatchNormalization in inference mode.
        GradientCheck.AssertAgrees(result.Architecture, result.Generated, Masked(result.Numeric, result.Architecture.Layers[1]), "frozen batch_normalization");
    }

    /// <summary>The gradient with one layer's entries zeroed, as a frozen layer gives.</summary>
    internal static double[] Masked(double[] gradient, LayerInfo layer)
    {
        var masked = (double[])gradient.Clone();
        foreach (var weight in layer.Weights) Array.Clear(masked, weight.Offset, weight.Length);
        return masked;
    }
}
