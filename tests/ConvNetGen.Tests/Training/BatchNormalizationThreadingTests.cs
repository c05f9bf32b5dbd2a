using ConvNetGen.Tests.Numerics;

namespace ConvNetGen.Tests.Training;

using Losses = global::ConvNetGen.Losses;

/// <summary>
/// BatchNormalization trains on every thread: its batch statistics and their gradient sums span the whole batch, so
/// splitting a step across threads must give the single-threaded numbers (up to summation order) — even when the
/// halves of the batch look nothing alike, where per-thread statistics would be far off.
/// </summary>
public sealed class BatchNormalizationThreadingTests
{
    private static (float[] X, int[] Y) SkewedBatch(int count)
    {
        // The first half in [0, 1), the second in [5, 15): each half's mean and variance differ from the batch's.
        var random = new Random(9);
        int size = TrainingMixNet.Architecture.InputShape.ElementCount;
        var x = new float[count * size];
        for (int i = 0; i < x.Length; i++)
            x[i] = i < x.Length / 2 ? random.NextSingle() : 5 + 10 * random.NextSingle();
        var y = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        return (x, y);
    }

    private static float[] Train(int threads, int steps = 3)
    {
        var (x, y) = SkewedBatch(16);
        var model = new TrainingMixNet(seed: 4) { ThreadCount = threads };
        model.Compile(new SGD(0.05f), Losses.SparseCategoricalCrossentropy);
        for (int i = 0; i < steps; i++) model.TrainOnBatch(x, y);
        return model.Parameters.ToArray(); // weights and both layers' moving statistics
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)] // more threads than this machine's cores: the barrier must yield, not spin forever
    public void Several_threads_train_like_one_on_a_batch_whose_parts_differ(int threads)
    {
        var one = Train(threads: 1);
        var two = Train(threads);
        var initial = new TrainingMixNet(seed: 4).Parameters.ToArray();
        Assert.NotEqual(initial, two); // the steps did change the parameters
        for (int i = 0; i < one.Length; i++)
            Assert.True(Math.Abs(one[i] - two[i]) <= 1e-4f + 1e-4f * Math.Abs(one[i]),
                $"parameter {i}: one thread {one[i]}, {threads} threads {two[i]}");
    }

    [Fact]
    public void Two_threads_give_the_same_numbers_run_to_run() => Assert.Equal(Train(threads: 2), Train(threads: 2));

    [Fact]
    public async Task A_broken_barrier_releases_the_chunks_waiting_at_it()
    {
        var barrier = new ChunkBarrier();
        barrier.Reset(2);
        var waiting = Task.Run(barrier.SignalAndWait);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        barrier.Break();
        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task The_barrier_lets_every_chunk_through_once_all_arrive_and_can_be_used_again()
    {
        var barrier = new ChunkBarrier();
        barrier.Reset(2);
        int arrived = 0;
        var other = Task.Run(() =>
        {
            for (int round = 0; round < 100; round++)
            {
                Interlocked.Increment(ref arrived);
                barrier.SignalAndWait();
            }
        });
        for (int round = 0; round < 100; round++)
        {
            Interlocked.Increment(ref arrived);
            barrier.SignalAndWait();
            Assert.True(Volatile.Read(ref arrived) >= 2 * (round + 1), $"round {round}: passed with {arrived} arrivals");
        }
        await other;
    }
}
