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
