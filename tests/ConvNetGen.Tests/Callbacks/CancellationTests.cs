using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Callbacks;

/// <summary>A cancelled Fit stops between steps: its weights are exactly those of the whole steps it took.</summary>
public sealed class CancellationTests
{
    private sealed class CancelAt(CancellationTokenSource source, int batch) : Callback
    {
        public override void OnTrainBatchEnd(int b, TrainingLogs logs)
        {
            if (b == batch) source.Cancel();
        }
    }

    [Fact]
    public void A_cancelled_Fit_throws_and_holds_the_weights_of_its_whole_steps()
    {
        var (x, y) = SyntheticData.Make(80, seed: 4);
        using var source = new CancellationTokenSource();
        var model = CallbackTests.Compiled(seed: 3);
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent,
            callbacks: [new CancelAt(source, batch: 2)], cancellationToken: source.Token));
        Assert.False(model.IsTraining);
        Assert.Equal(3, model.Optimizer!.Iterations);

        // The same three steps by hand: the first epoch's permutation (the model's seeded stream), batch by batch.
        var reference = CallbackTests.Compiled(seed: 3);
        var order = Enumerable.Range(0, 80).ToArray();
        new Random(3).Shuffle(order);
        for (int step = 0; step < 3; step++)
        {
            var batch = order.Skip(step * 16).Take(16).ToArray();
            reference.TrainOnBatch(batch.SelectMany(i => x.Skip(i * 144).Take(144)).ToArray(), batch.Select(i => y[i]).ToArray());
        }
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void An_already_cancelled_token_trains_nothing()
    {
        var (x, y) = SyntheticData.Make(32, seed: 4);
        var model = CallbackTests.Compiled();
        var before = model.Parameters.ToArray();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(x, y, verbose: Verbosity.Silent, cancellationToken: new CancellationToken(true)));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(new ArrayDataset(x, y, 12, 12, 1), verbose: Verbosity.Silent, cancellationToken: new CancellationToken(true)));
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, model.Optimizer!.Iterations);
    }

    [Fact]
    public void A_dataset_Fit_cancelled_mid_epoch_equals_the_array_Fit_cancelled_there()
    {
        var (x, y) = SyntheticData.Make(80, seed: 4);
        float[] Cancelled(Func<SmallNet, CancellationToken, Callback, History> fit)
        {
            using var source = new CancellationTokenSource();
            var model = CallbackTests.Compiled(seed: 3);
            Assert.ThrowsAny<OperationCanceledException>(() => fit(model, source.Token, new CancelAt(source, batch: 1)));
            return model.Parameters.ToArray();
        }
        var arrays = Cancelled((m, t, c) => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [c], cancellationToken: t));
        var dataset = Cancelled((m, t, c) => m.Fit(new ArrayDataset(x, y, 12, 12, 1), epochs: 2, batchSize: 16, verbose: Verbosity.Silent, callbacks: [c], cancellationToken: t));
        Assert.Equal(arrays, dataset);
        Assert.NotEqual(CallbackTests.Compiled(seed: 3).Parameters.ToArray(), arrays);
    }

    [Fact]
    public void Evaluate_and_Predict_over_a_dataset_honour_the_token()
    {
        var (x, y) = SyntheticData.Make(32, seed: 4);
        var model = CallbackTests.Compiled();
        var data = new ArrayDataset(x, y, 12, 12, 1);
        Assert.ThrowsAny<OperationCanceledException>(() => model.Evaluate(data, cancellationToken: new CancellationToken(true)));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Predict(data, new CancellationToken(true)));
        Assert.Equal(32 * 3, model.Predict(data, CancellationToken.None).Length);
    }
}
