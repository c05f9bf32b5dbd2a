using System.Diagnostics;
using System.Globalization;

namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>Samples per batch when evaluating or predicting a dataset: a multiple of the 64-sample inference block.</summary>
    private const int DatasetInferenceBatch = 256;

    /// <summary>Background threads reading a dataset's batches (decoding, resizing) ahead of training.</summary>
    private static int DatasetReaders => Math.Clamp(Environment.ProcessorCount, 1, BatchPipeline.Prefetch);

    /// <summary>
    /// Trains on a dataset read as it goes (e.g. image files decoded on background threads), as Keras' <c>model.fit</c>
    /// on a <c>tf.data.Dataset</c>: each epoch a fresh permutation from the model's seeded shuffler (the same stream the
    /// array overload uses: an <see cref="ArrayDataset"/> over the same arrays trains to bit-identical weights), batches
    /// read a few ahead into a bounded queue, every sample exactly once per epoch. Samples the dataset skips (bad files)
    /// are left out of their batch; the progress line shows how many were skipped.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per gradient step.</param>
    /// <param name="validation">Samples evaluated after each epoch, or null.</param>
    /// <param name="shuffle">Whether to shuffle the samples before each epoch.</param>
    /// <param name="verbose">How progress is shown.</param>
    /// <param name="output">Where progress goes (default: the console).</param>
    /// <param name="callbacks">Hooks called as training goes, as for the array overload.</param>
    /// <param name="initialEpoch">The epoch (0-based) to start at, to resume a run; <paramref name="epochs"/> is the epoch to end at.</param>
    /// <param name="cancellationToken">Checked before each step; a cancelled Fit throws <see cref="OperationCanceledException"/> with the weights of the last whole step.</param>
    /// <param name="progress">Told after each step (epoch, step, running logs), e.g. for a progress bar in a UI.</param>
    /// <param name="classWeight">A weight per class id (Keras' <c>class_weight</c>) multiplying each sample's loss; classes left out weigh 1.</param>
    /// <exception cref="ArgumentException">The dataset's image shape or classes do not fit the model, a sample is not finite, or a class weight is bad.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is already training on another thread.</exception>
    /// <exception cref="InvalidDataException">A bad file in a dataset set to refuse bad files.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite (and no callback stopped training); the weights are those after the last good step.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public History Fit(IDataset train, int epochs = 1, int batchSize = 32, IDataset? validation = null, bool shuffle = true,
        Verbosity verbose = Verbosity.Auto, TextWriter? output = null, IEnumerable<Callback>? callbacks = null, int initialEpoch = 0,
        CancellationToken cancellationToken = default, IProgress<TrainingProgress>? progress = null,
        IReadOnlyDictionary<int, float>? classWeight = null)
    {
        var (optimizer, loss) = RequireCompiled();
        CheckDataset(train, nameof(train));
        var perClass = classWeight is null ? null : InputChecks.ClassWeights(classWeight, Definition);
        if (validation is not null) CheckDataset(validation, nameof(validation));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        using var training = BeginTraining(nameof(Fit));

        int trainCount = train.Count;
        using var session = new FitSession(this, callbacks, epochs, verbose, output, progress, cancellationToken);
        var order = Enumerable.Range(0, trainCount).ToArray();
        var shuffler = _shuffler ??= new ShuffleStream(Seed);
        batchSize = Math.Min(batchSize, trainCount);
        var logs = new List<KeyValuePair<string, float>>();
        if (_identity.Length < batchSize) _identity = Enumerable.Range(0, batchSize).ToArray();
        int inputSize = Definition.InputShape.ElementCount;
        var batchWeights = perClass is null ? null : new float[batchSize];

        session.BeginTraining();
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            if (shuffle) shuffler.Shuffle(order); // the same draws as Fit over arrays
            foreach (var metric in _metrics) metric.Reset();
            session.BeginEpoch(epoch);
            double lossSum = 0;
            int seen = 0, skippedBefore = train.Skipped;
            using (var pipeline = new BatchPipeline(train, order, batchSize, DatasetReaders))
            {
                int steps = pipeline.Batches;
                for (int step = 0; !StopTraining; step++)
                {
                    if (!pipeline.Next(out var x, out var y, out int n)) break;
                    session.BeginStep(step); // after the read: the batch is the one this step trains, and a cancel still lands before it
                    if (n > 0)
                    {
                        CheckBatch(x, y, n, inputSize, nameof(train), step * batchSize);
                        if (batchWeights is not null)
                            for (int i = 0; i < n; i++) batchWeights[i] = perClass![y[i]];
                        float batchLoss = TrainStep(x, Targets.FromLabels(y, batchWeights), _identity.AsSpan(0, n), optimizer, loss);
                        bool diverged = _stepDiverged;
                        lossSum += (double)batchLoss * n;
                        seen += n;
                        Logs(logs, (float)(lossSum / seen), null);
                        session.Reporter.Suffix = SkippedNote(train.Skipped - skippedBefore);
                        session.EndStep(step, steps, logs);
                        if (diverged && !StopTraining) throw new TrainingDivergedException(epoch + 1, step + 1, batchLoss);
                        continue;
                    }
                    Logs(logs, seen == 0 ? float.NaN : (float)(lossSum / seen), null);
                    session.Reporter.Suffix = SkippedNote(train.Skipped - skippedBefore);
                    session.EndStep(step, steps, logs);
                }
                if (seen == 0)
                    throw new InvalidDataException($"Every one of the {trainCount} training samples was skipped as a bad file in epoch {epoch + 1}; nothing was trained.");
                var elapsed = session.Elapsed;
                var evaluation = validation is null ? null : Evaluate(validation, cancellationToken: cancellationToken);
                Logs(logs, (float)(lossSum / seen), evaluation);
                session.Reporter.Suffix = SkippedNote(train.Skipped - skippedBefore);
                session.EndEpoch(epoch, steps, elapsed, logs);
            }
        }
        session.EndTraining();
        return session.History;
    }

    private static string? SkippedNote(int skipped) =>
        skipped == 0 ? null : string.Create(CultureInfo.InvariantCulture, $" - skipped: {skipped} bad file(s)");

    /// <summary>
    /// The loss and metrics over a dataset in inference mode (Keras' <c>model.evaluate</c>), read in batches on
    /// background threads. Skipped samples (bad files) are left out. On an <see cref="ArrayDataset"/> the result is
    /// bit-identical to <see cref="Evaluate(float[], int[], int, float[])"/> on the same arrays.
    /// </summary>
    /// <param name="data">The samples.</param>
    /// <param name="batchSize">Accepted for Keras compatibility; the result does not depend on it.</param>
    /// <param name="cancellationToken">Checked before each block of samples.</param>
    /// <exception cref="ArgumentException">The dataset does not fit the model, or a sample is not finite.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Evaluation Evaluate(IDataset data, int batchSize = 32, CancellationToken cancellationToken = default)
    {
        var (_, loss) = RequireCompiled();
        CheckDataset(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var metrics = Array.ConvertAll(_metrics, m => m.CreateNew());
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;
        var confusion = new long[outputSize * outputSize];
        double lossSum = 0;
        int seen = 0;
        var order = Enumerable.Range(0, data.Count).ToArray();
        using var pipeline = new BatchPipeline(data, order, DatasetInferenceBatch, DatasetReaders);
        for (int b = 0; !cancellationToken.IsCancellationRequested && pipeline.Next(out var x, out var y, out int count); b++)
        {
            if (count == 0) continue;
            CheckBatch(x, y, count, inputSize, nameof(data), b * DatasetInferenceBatch);
            lossSum += EvaluateBlock(x, Targets.FromLabels(y), count, loss, metrics, confusion);
            seen += count;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (seen == 0)
            throw new InvalidDataException($"Every one of the {data.Count} samples was skipped as a bad file; there is nothing to evaluate.");
        return Evaluation.Of((float)(lossSum / seen), metrics, new ConfusionMatrix(outputSize, confusion));
    }

    /// <summary>
    /// The model's outputs for every sample of a dataset, in its order: <see cref="IDataset.Count"/> rows of the
    /// output size. A sample the dataset skips (a bad file) gets a row of NaN, so row <c>i</c> is always sample <c>i</c>.
    /// </summary>
    /// <param name="data">The samples.</param>
    /// <param name="cancellationToken">Checked before each block of samples.</param>
    /// <exception cref="ArgumentException">The dataset's image shape does not fit the model, or a sample is not finite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public float[] Predict(IDataset data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckShape(data, nameof(data));
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;
        var result = new float[(long)data.Count * outputSize];
        var rows = new float[DatasetInferenceBatch * outputSize];
        var order = Enumerable.Range(0, data.Count).ToArray();
        int skippedBefore = data.Skipped;
        using var pipeline = new BatchPipeline(new SkipMarking(data), order, DatasetInferenceBatch, DatasetReaders);
        for (int b = 0; pipeline.Next(out var x, out var y, out int count); b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // SkipMarking keeps every sample, labelling each with its index and a skipped one with Count + index.
            int real = 0;
            for (int i = 0; i < count; i++)
                if (y[i] < data.Count)
                {
                    if (real != i) x.AsSpan(i * inputSize, inputSize).CopyTo(x.AsSpan(real * inputSize));
                    y[real++] = y[i];
                }
                else result.AsSpan((y[i] - data.Count) * outputSize, outputSize).Fill(float.NaN);
            if (real == 0) continue;
            Predict(x.AsSpan(0, real * inputSize), rows.AsSpan(0, real * outputSize));
            for (int i = 0; i < real; i++)
                rows.AsSpan(i * outputSize, outputSize).CopyTo(result.AsSpan(y[i] * outputSize));
        }
        return result;
    }

    /// <summary>Reports sample indices instead of labels, and keeps skipped samples (as Count + index) so Predict can mark their rows.</summary>
    private sealed class SkipMarking(IDataset inner) : IDataset
    {
        public int Count => inner.Count;
        public int Height => inner.Height;
        public int Width => inner.Width;
        public int Channels => inner.Channels;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int Skipped => inner.Skipped;
        public int Read(int index, Span<float> image)
        {
            return inner.Read(index, image) < 0 ? inner.Count + index : index;
        }
    }

    private void CheckShape(IDataset data, string name)
    {
        var shape = Definition.InputShape;
        var expected = shape.Rank == 3 ? (shape[0], shape[1], shape[2]) : (-1, -1, -1);
        if (data.Height * data.Width * data.Channels != shape.ElementCount
            || (shape.Rank == 3 && (data.Height, data.Width, data.Channels) != expected))
            throw new ArgumentException(
                $"{name} holds {data.Height}×{data.Width}×{data.Channels} images, but {Definition.Name} takes {shape}; " +
                "load the images with that size and colour mode.", name);
    }

    private void CheckDataset(IDataset data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        CheckShape(data, name);
        if (data.Count == 0)
            throw new ArgumentException($"{name} holds no samples.", name);
        int classes = Definition.OutputShape.ElementCount;
        if (data.ClassNames.Count > classes)
            throw new ArgumentException(
                $"{name} has {data.ClassNames.Count} classes ({string.Join(", ", data.ClassNames.Take(5))}{(data.ClassNames.Count > 5 ? ", …" : "")}), but {Definition.Name} has {classes} outputs.", name);
    }

    private void CheckBatch(float[] x, int[] y, int count, int inputSize, string name, int firstPosition)
    {
        int classes = Definition.OutputShape.ElementCount;
        for (int i = 0; i < count; i++)
            if ((uint)y[i] >= (uint)classes)
                throw new ArgumentException($"{name} gave label {y[i]} (batch position {firstPosition + i}); labels must be in [0, {classes}).", name);
        int bad = InputChecks.IndexOfNonFinite(x.AsSpan(0, count * inputSize));
        if (bad >= 0)
            throw new ArgumentException($"{name} gave {x[bad]} in a sample (batch position {firstPosition + bad / inputSize}, element {bad % inputSize}); inputs must be finite.", name);
    }
}
