using ConvNetGen.Tests.Numerics;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Reliability;

using Losses = global::ConvNetGen.Losses;

/// <summary>
/// The thread-safety contract: inference from any number of threads at once gives bit-identical results to serial
/// calls; training and inference together are correct; a second trainer and configuration changes during training
/// are refused with InvalidOperationException.
/// </summary>
public sealed class ConcurrencyTests
{
    private static float[] RandomInputs(int count, int size, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * size];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        return x;
    }

    // Calls of every shape the inference path distinguishes: one sample, a few, exactly one block, just over one
    // block (two threads), several blocks with a ragged end.
    private static readonly (int First, int Count)[] Calls = [(0, 1), (5, 1), (17, 1), (3, 7), (0, 64), (10, 65), (31, 150), (0, 200)];

    [Fact]
    public void Predict_from_eight_threads_is_bit_identical_to_serial_calls()
    {
        var model = new MnistConvNetCopy(seed: 5) { ThreadCount = 2 };
        const int Size = MnistConvNetCopy.Shapes.InputSize, Out = MnistConvNetCopy.Shapes.OutputSize;
        var x = RandomInputs(231, Size, seed: 1);
        var expected = Calls.Select(c =>
        {
            var outputs = new float[c.Count * Out];
            model.Predict(x.AsSpan(c.First * Size, c.Count * Size), outputs);
            return outputs;
        }).ToArray();

        const int Threads = 8, CallsPerThread = 400;
        int mismatches = 0, done = 0;
        var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            start.SignalAndWait();
            for (int i = 0; i < CallsPerThread; i++)
            {
                // Mostly single samples, as a web service sees them; batches in between.
                int which = random.Next(4) == 0 ? random.Next(Calls.Length) : random.Next(3);
                var (first, count) = Calls[which];
                float[] outputs = count == 1 ? model.Predict(x.AsSpan(first * Size, Size)) : new float[count * Out];
                if (count > 1) model.Predict(x.AsSpan(first * Size, count * Size), outputs);
                if (!outputs.AsSpan().SequenceEqual(expected[which])) Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref done);
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        Assert.Equal(Threads * CallsPerThread, done);
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Evaluate_from_several_threads_equals_a_serial_evaluation()
    {
        var model = new SmallNet(seed: 3) { ThreadCount = 2 };
        model.Compile(new RMSprop(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = SyntheticData.Make(300, seed: 4);
        model.Fit(x, y, epochs: 1, verbose: Verbosity.Silent); // BatchNormalization's moving statistics are not the initial ones
        var serial = model.Evaluate(x, y);
        var results = new Evaluation[6 * 25];
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, t =>
        {
            for (int i = 0; i < 25; i++) results[t * 25 + i] = model.Evaluate(x, y, batchSize: 1 + 37 * i);
        });
        foreach (var r in results)
        {
            Assert.Equal(serial.Loss, r.Loss);
            Assert.Equal(serial.Accuracy, r.Accuracy);
        }
    }

    [Fact]
    public void Predicting_while_Fit_trains_neither_changes_the_training_nor_sees_half_updated_weights()
    {
        var (x, y) = SyntheticData.Make(400, seed: 8);
        SmallNet Compiled()
        {
            var m = new SmallNet(seed: 21) { ThreadCount = 2 };
            m.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
            return m;
        }
        var undisturbed = Compiled();
        undisturbed.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);

        var model = Compiled();
        int bad = 0, predictions = 0;
        using var stop = new CancellationTokenSource();
        var predictors = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            var outputs = new float[100 * 3];
            while (!stop.IsCancellationRequested)
            {
                model.Predict(x.AsSpan(t * 144, 100 * 144), outputs); // more than one block: the parallel path
                float[] one = model.Predict(x.AsSpan(0, 144));
                for (int row = 0; row < 101; row++)
                {
                    var p = row < 100 ? outputs.AsSpan(row * 3, 3) : one;
                    float sum = p[0] + p[1] + p[2];
                    if (!(Math.Abs(sum - 1f) < 1e-4f) || p[0] < 0 || p[1] < 0 || p[2] < 0 || p[0] > 1 || p[1] > 1 || p[2] > 1)
                        Interlocked.Increment(ref bad);
                }
                Interlocked.Increment(ref predictions);
            }
        })).ToArray();
        foreach (var p in predictors) p.Start();
        model.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);
        stop.Cancel();
        foreach (var p in predictors) p.Join();

        Assert.True(predictions > 0);
        Assert.Equal(0, bad);
        Assert.Equal(undisturbed.Parameters.ToArray(), model.Parameters.ToArray());
    }

    /// <summary>Runs <paramref name="during"/> on another thread while Fit is between two steps of its second epoch.</summary>
    private static void WhileFitting(SmallNet model, float[] x, int[] y, Action during)
    {
        Exception? failure = null;
        var writer = new EpochHook(epoch =>
        {
            if (epoch != 2) return;
            var other = new Thread(() =>
            {
                try { during(); }
                catch (Exception e) { failure = e; }
            });
            other.Start();
            other.Join();
        });
        model.Fit(x, y, epochs: 2, batchSize: 32, verbose: Verbosity.OneLinePerEpoch, output: writer);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private sealed class EpochHook(Action<int> onEpoch) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith("Epoch ", StringComparison.Ordinal))
                onEpoch(int.Parse(value["Epoch ".Length..value.IndexOf('/')], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Configuration_changes_and_a_second_trainer_are_refused_during_Fit()
    {
        var model = new SmallNet(seed: 2) { ThreadCount = 2 };
        model.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = SyntheticData.Make(100, seed: 5);
        var before = model.Parameters.ToArray();
        var refusals = new List<string>();
        WhileFitting(model, x, y, () =>
        {
            Assert.True(model.IsTraining);
            void Refused(Action change)
            {
                var e = Assert.Throws<InvalidOperationException>(change);
                Assert.Contains("SmallNet", e.Message);
                refusals.Add(e.Message);
            }
            Refused(() => model.ThreadCount = 1);
            Refused(() => model["conv"].Trainable = false);
            Refused(() => model.Compile(new SGD(0.1f), Losses.SparseCategoricalCrossentropy));
            Refused(() => model.Fit(x, y, verbose: Verbosity.Silent));
            Refused(() => model.TrainOnBatch(x, y));
            Refused(model.ReleaseBuffers);
            Refused(() => model.SetWeights(model.GetWeights())); // the copy is taken between two steps; the write is refused
            // Inference is allowed and sees the weights between two steps.
            Assert.Equal(3, model.Predict(x.AsSpan(0, 144)).Length);
            Assert.True(model.Evaluate(x, y).Loss > 0);
        });
        Assert.Equal(7, refusals.Count);
        Assert.Contains("training on another thread", refusals[3]);
        Assert.Contains("ThreadCount", refusals[0]);
        Assert.Contains("conv", refusals[1]);
        Assert.False(model.IsTraining);
        Assert.NotEqual(before, model.Parameters.ToArray()); // Fit did train
        Assert.Equal(2, model.ThreadCount);
        Assert.True(model["conv"].Trainable);
        model.ThreadCount = 1; // and after Fit, changes go through
        Assert.Equal(1, model.ThreadCount);
    }
}
