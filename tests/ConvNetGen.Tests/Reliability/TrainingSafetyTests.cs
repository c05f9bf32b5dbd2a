using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Reliability;

using Losses = global::ConvNetGen.Losses;

/// <summary>Training that diverges keeps the last good weights; arguments that used to train nothing or share state are handled.</summary>
public sealed class TrainingSafetyTests
{
    private static SmallNet Compiled(Optimizer? optimizer = null, int seed = 4)
    {
        var model = new SmallNet(seed) { ThreadCount = 2 };
        model.Compile(optimizer ?? new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    /// <summary>Finite inputs so large that the activations overflow: the loss of any batch holding one is NaN or infinite.</summary>
    private static void Poison(float[] x, int sample) => x.AsSpan(sample * 144, 144).Fill(3e38f);

    [Fact]
    public void A_diverged_TrainOnBatch_changes_no_weight_statistic_or_optimizer_state()
    {
        var (x, y) = SyntheticData.Make(64, seed: 1);
        var optimizer = new Adam(0.01f);
        var model = Compiled(optimizer);
        model.TrainOnBatch(x, y); // Adam's moments and the moving statistics are no longer zero
        var weights = model.Parameters.ToArray();
        long iterations = optimizer.Iterations;

        Poison(x, 10);
        var e = Assert.Throws<TrainingDivergedException>(() => model.TrainOnBatch(x, y));
        Assert.Contains("NaN or infinite", e.Message); // here a moving variance overflows first, while the loss is still finite
        Assert.Contains("kept", e.Message);
        Assert.Equal(weights, model.Parameters.ToArray()); // kernels, biases and BatchNormalization's moving statistics
        Assert.Equal(iterations, optimizer.Iterations);
    }

    [Fact]
    public void A_diverged_Fit_names_the_step_and_keeps_the_weights_of_the_step_before()
    {
        var (x, y) = SyntheticData.Make(96, seed: 3);
        Poison(x, 70); // in the third batch of 32
        var model = Compiled();
        var e = Assert.Throws<TrainingDivergedException>(() => model.Fit(x, y, epochs: 1, batchSize: 32, shuffle: false, verbose: Verbosity.Silent));
        Assert.Equal((1, 3), (e.Epoch, e.Step));
        Assert.Contains("epoch 1, step 3", e.Message);

        var reference = Compiled();
        reference.Fit(x[..(64 * 144)], y[..64], epochs: 1, batchSize: 32, shuffle: false, verbose: Verbosity.Silent);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.All(model.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_learning_rate_that_overflows_the_weights_leaves_the_last_finite_ones(int threads)
    {
        var (x, y) = SyntheticData.Make(64, seed: 9);
        var optimizer = new SGD(1e38f);
        var model = new SmallNet(seed: 3) { ThreadCount = threads };
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy);
        var lastGood = model.Parameters.ToArray();
        long goodIterations = 0;
        TrainingDivergedException? diverged = null;
        for (int step = 0; step < 20 && diverged is null; step++)
        {
            try
            {
                model.TrainOnBatch(x, y);
                lastGood = model.Parameters.ToArray();
                goodIterations = optimizer.Iterations;
            }
            catch (TrainingDivergedException e)
            {
                diverged = e;
            }
        }
        Assert.NotNull(diverged);
        Assert.Equal(lastGood, model.Parameters.ToArray());
        Assert.All(lastGood, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(goodIterations, optimizer.Iterations);
    }

    [Fact]
    public void A_batch_size_larger_than_the_data_trains_one_whole_batch()
    {
        var (x, y) = SyntheticData.Make(50, seed: 5);
        var huge = Compiled(new SGD(0.1f));
        var history = huge.Fit(x, y, epochs: 1, batchSize: int.MaxValue, shuffle: false, verbose: Verbosity.Silent);
        var whole = Compiled(new SGD(0.1f));
        whole.Fit(x, y, epochs: 1, batchSize: 50, shuffle: false, verbose: Verbosity.Silent);
        Assert.True(history["loss"][0] > 0);
        Assert.NotEqual(new SmallNet(4).Parameters.ToArray(), huge.Parameters.ToArray());
        Assert.Equal(whole.Parameters.ToArray(), huge.Parameters.ToArray());
    }

    [Fact]
    public void One_optimizer_cannot_be_compiled_into_two_models()
    {
        var optimizer = new RMSprop(0.001f);
        var first = Compiled(optimizer);
        var second = new SmallNet(5);
        var e = Assert.Throws<ArgumentException>(() => second.Compile(optimizer, Losses.SparseCategoricalCrossentropy));
        Assert.Equal("optimizer", e.ParamName);
        Assert.Contains("SmallNet", e.Message);
        Assert.Null(second.Optimizer);

        first.Compile(optimizer, Losses.SparseCategoricalCrossentropy); // the same model again: fine
        first.Compile(new RMSprop(0.0001f), Losses.SparseCategoricalCrossentropy); // releases the first instance
        second.Compile(optimizer, Losses.SparseCategoricalCrossentropy);
        Assert.Same(optimizer, second.Optimizer);
    }

    [Fact]
    public void Fit_called_in_a_loop_continues_the_shuffle_stream_as_one_longer_Fit()
    {
        var (x, y) = SyntheticData.Make(90, seed: 6);
        var looped = Compiled(new SGD(0.05f));
        for (int epoch = 0; epoch < 3; epoch++) looped.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent);
        var once = Compiled(new SGD(0.05f));
        once.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);
        Assert.Equal(once.Parameters.ToArray(), looped.Parameters.ToArray());
    }

    /// <summary>A metric that needs a constructor argument: the fraction of samples whose label is <c>target</c> and predicted as such.</summary>
    private sealed class TargetHits(int target) : Metric
    {
        private long _hits, _count;
        public override string Name => $"hits_{target}";
        public override float Result => _count == 0 ? 0 : (float)_hits / _count;
        public override Metric CreateNew() => new TargetHits(target);
        public override void Reset() => (_hits, _count) = (0, 0);
        public override void Update(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
        {
            for (int i = 0; i < labels.Length; i++)
            {
                var row = outputs.Slice(i * classes, classes);
                int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
                if (labels[i] == target && best == target) _hits++;
                _count++;
            }
        }
    }

    [Fact]
    public void A_metric_with_constructor_arguments_works_in_Fit_and_Evaluate()
    {
        var (x, y) = SyntheticData.Make(120, seed: 7);
        var model = new SmallNet(2);
        var metric = new TargetHits(1);
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [metric]);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, validationSplit: 0.25f, verbose: Verbosity.Silent);
        Assert.Equal(2, history["val_hits_1"].Count);
        var evaluation = model.Evaluate(x, y);
        Assert.InRange(evaluation.Metrics["hits_1"], 0.05f, 0.5f);
        Assert.Equal(history["hits_1"][1], metric.Result); // the compiled instance keeps the last epoch's value
    }
}
