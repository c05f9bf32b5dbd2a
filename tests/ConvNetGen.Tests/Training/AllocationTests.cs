using ConvNetGen.Tests.Numerics;
namespace ConvNetGen.Tests.Training;

using Losses = global::ConvNetGen.Losses;

/// <summary>The steady-state training step and a single Predict allocate nothing (measured on the calling thread, one training thread).</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Training_step_and_predict_allocate_nothing_once_warm()
    {
        var random = new Random(1);
        var x = Enumerable.Range(0, 64 * 784).Select(_ => random.NextSingle()).ToArray();
        var y = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        var model = new MnistConvNetCopy(seed: 1) { ThreadCount = 1 };
        model.Compile(new RMSprop(), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var output = new float[10];
        for (int i = 0; i < 3; i++)
        {
            model.TrainOnBatch(x, y);
            model.Predict(x.AsSpan(0, 784), output);
        }

        long training = SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        });
        long predicting = SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 100; i++) model.Predict(x.AsSpan(0, 784), output);
        });

        Assert.Equal(0, training);
        Assert.Equal(0, predicting);
    }

    [Fact]
    public void Training_step_with_float_targets_and_sample_weights_allocates_nothing_once_warm()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 32 * 6).Select(_ => random.NextSingle()).ToArray();
        var y = Enumerable.Range(0, 32 * 3).Select(i => (float)(i % 2)).ToArray();
        var weights = Enumerable.Range(0, 32).Select(i => 0.5f + i % 3).ToArray();
        var model = new MultiLabelNet(seed: 1) { ThreadCount = 1 };
        model.Compile(new Adam(), Losses.BinaryCrossentropy, [new BinaryAccuracy(), new Precision(), new AUC(), new F1Score(F1Average.Macro, 0.5f)]);
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y, weights);

        long training = SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y, weights);
        });

        Assert.Equal(0, training);
    }

    [Fact]
    public void Worker_team_runs_every_index_once_and_rethrows_failures()
    {
        var team = WorkerTeam.Shared(2);
        var hits = new int[2];
        team.Run(2, i => Interlocked.Increment(ref hits[i]));
        Assert.Equal([1, 1], hits);
        var error = Assert.Throws<InvalidOperationException>(() => team.Run(2, i => { if (i == 1) throw new InvalidOperationException("worker failed"); }));
        Assert.Equal("worker failed", error.Message);
        team.Run(2, i => Interlocked.Increment(ref hits[i])); // still usable
        Assert.Equal([2, 2], hits);
    }
}
