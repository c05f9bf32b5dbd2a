using System.ComponentModel;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace ConvNetGen;

public abstract partial class Model
{
    private Optimizer? _optimizer;
    private Loss? _loss;
    private Metric[] _metrics = [];
    private ModelWorkspace[] _workspaces = []; // training workspaces, one per thread of a step
    private ParameterRange[]? _trainableRanges;
    private int _workspacesCreated;
    private ShuffleStream? _shuffler; // one stream for the model's life: each Fit continues it, as Keras' shuffling does

    /// <summary>
    /// Threads a training step, an evaluation or a large prediction splits its batch over (default: every core).
    /// Gradients are reduced in a fixed order, so the same seed and thread count give the same numbers;
    /// BatchNormalization's batch statistics are summed across the threads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    /// <exception cref="InvalidOperationException">Set while the model is training.</exception>
    public int ThreadCount
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            Reconfigure("set ThreadCount", () => field = value); // the next step sizes its workspaces for it
        }
    } = Environment.ProcessorCount;

    /// <summary>The optimizer given to <see cref="Compile"/>, or null before.</summary>
    public Optimizer? Optimizer => _optimizer;

    /// <summary>
    /// Configures training (Keras' <c>model.compile</c>). Compiling again, e.g. with a lower learning rate between
    /// fine-tuning phases, keeps the weights and starts the new optimizer's state from zero.
    /// </summary>
    /// <remarks>
    /// An optimizer and a metric instance hold state for one model: passing one that is compiled into another model is
    /// refused (create a new one per model). Compiling with a new optimizer releases the old one.
    /// </remarks>
    /// <exception cref="ArgumentException">The optimizer or a metric belongs to another model, or the model's output is not one row per sample.</exception>
    /// <exception cref="InvalidOperationException">Called while the model is training.</exception>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (Definition.OutputShape.Rank != 1)
            throw new ArgumentException($"{Definition.Name}'s output is {Definition.OutputShape}, but losses take one row of class scores per sample; end the model with [Flatten] or [GlobalAveragePooling2D] and a [Dense] layer.", nameof(loss));
        var metricArray = metrics?.ToArray() ?? [];
        if (Array.IndexOf(metricArray, null) is int nullAt and >= 0)
            throw new ArgumentNullException(nameof(metrics), $"metrics[{nullAt}] is null.");
        Reconfigure("compile", () =>
        {
            optimizer.Claim(this);
            if (_optimizer is { } previous && !ReferenceEquals(previous, optimizer)) previous.Release(this);
            optimizer.Build(_parameters.Length);
            _optimizer = optimizer;
            _loss = loss;
            _metrics = metricArray;
            _floatTargetsAccepted = false;
        });
    }

    /// <summary>
    /// Trains on <paramref name="x"/> (samples × input size, channels last) and <paramref name="y"/> (class indices),
    /// as Keras' <c>model.fit</c>: seeded shuffling each epoch, mini-batches, optional validation, Keras-style progress.
    /// </summary>
    /// <param name="x">The samples, one after another.</param>
    /// <param name="y">One class index per sample.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per gradient step.</param>
    /// <param name="validationSplit">A fraction of the data, taken from the end before shuffling, held out for validation.</param>
    /// <param name="validationData">Separate validation samples and labels (wins over <paramref name="validationSplit"/>).</param>
    /// <param name="shuffle">Whether to shuffle the samples before each epoch.</param>
    /// <param name="verbose">How progress is shown.</param>
    /// <param name="output">Where progress goes (default: the console).</param>
    /// <param name="callbacks">Hooks called as training goes (Keras' <c>callbacks</c>): <see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/>, ….</param>
    /// <param name="initialEpoch">
    /// The epoch (0-based) to start at, to resume a run (Keras' <c>initial_epoch</c>): epochs
    /// <paramref name="initialEpoch"/> to <paramref name="epochs"/> - 1 are trained, so <paramref name="epochs"/> is the
    /// epoch to end at, not a count. <see cref="LoadCheckpoint"/> returns the value to pass.
    /// </param>
    /// <param name="cancellationToken">
    /// Checked before each step: a cancelled Fit throws <see cref="OperationCanceledException"/> with the weights, the
    /// statistics and the optimizer's state of the last whole step.
    /// </param>
    /// <param name="progress">Told after each step (epoch, step, running logs), e.g. for a progress bar in a UI.</param>
    /// <param name="classWeight">
    /// A weight per class id (Keras' <c>class_weight</c>): each sample's loss is multiplied by its class's weight
    /// (classes left out weigh 1). Not with <paramref name="sampleWeight"/>.
    /// </param>
    /// <param name="sampleWeight">
    /// One non-negative weight per sample (Keras' <c>sample_weight</c>): the loss is the sum of the weighted per-sample
    /// losses divided by the batch size. Validation split off the end keeps its samples' weights. Metrics are unweighted.
    /// </param>
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, non-finite inputs, or bad weights; the message says where.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is already training on another thread.</exception>
    /// <exception cref="TrainingDivergedException">
    /// The loss or a gradient became NaN or infinite (and no callback such as <see cref="TerminateOnNaN"/> stopped
    /// training). The step that saw it changed nothing: the weights, the moving statistics and the optimizer's state
    /// are those after the last good step.
    /// </exception>
    /// <exception cref="InsufficientMemoryException">The batch's buffers would not fit in memory (nothing was allocated).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public History Fit(float[] x, int[] y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (float[] X, int[] Y)? validationData = null, bool shuffle = true, Verbosity verbose = Verbosity.Auto, TextWriter? output = null,
        IEnumerable<Callback>? callbacks = null, int initialEpoch = 0, CancellationToken cancellationToken = default,
        IProgress<TrainingProgress>? progress = null, IReadOnlyDictionary<int, float>? classWeight = null, float[]? sampleWeight = null)
    {
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        var targets = Targets.FromLabels(y, InputChecks.SampleWeights(sampleWeight, classWeight, Targets.FromLabels(y), count, Definition));
        (float[], Targets)? validation = null;
        if (validationData is { } data)
        {
            InputChecks.Validate(data.X, data.Y, Definition, "validationData.X", "validationData.Y");
            validation = (data.X, Targets.FromLabels(data.Y));
        }
        return FitArrays(x, targets, count, epochs, batchSize, validationSplit, validation, shuffle, verbose, output, callbacks,
            initialEpoch, cancellationToken, progress);
    }

    /// <summary>
    /// Trains on <paramref name="x"/> and float targets <paramref name="y"/> (samples × the model's outputs, row-major),
    /// as Keras' <c>model.fit</c> for regression, one-hot or soft labels and multi-label 0/1 rows; otherwise as
    /// <see cref="Fit(float[], int[], int, int, float, ValueTuple{float[], int[]}?, bool, Verbosity, TextWriter?, IEnumerable{Callback}?, int, CancellationToken, IProgress{TrainingProgress}?, IReadOnlyDictionary{int, float}?, float[])"/>.
    /// The loss must take float targets (e.g. <see cref="MeanSquaredError"/>, <see cref="BinaryCrossentropy"/>,
    /// <see cref="CategoricalCrossentropy"/>).
    /// </summary>
    /// <param name="x">The samples, one after another.</param>
    /// <param name="y">The targets: one row of the model's output size per sample, all finite.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per gradient step.</param>
    /// <param name="validationSplit">A fraction of the data, taken from the end before shuffling, held out for validation.</param>
    /// <param name="validationData">Separate validation samples and targets (wins over <paramref name="validationSplit"/>).</param>
    /// <param name="shuffle">Whether to shuffle the samples before each epoch.</param>
    /// <param name="verbose">How progress is shown.</param>
    /// <param name="output">Where progress goes (default: the console).</param>
    /// <param name="callbacks">Hooks called as training goes.</param>
    /// <param name="initialEpoch">The epoch (0-based) to start at, to resume a run; <paramref name="epochs"/> is the epoch to end at.</param>
    /// <param name="cancellationToken">Checked before each step; a cancelled Fit throws <see cref="OperationCanceledException"/> with the weights of the last whole step.</param>
    /// <param name="progress">Told after each step (epoch, step, running logs).</param>
    /// <param name="classWeight">A weight per class id, the class of a sample being its target row's argmax, as Keras does; not with <paramref name="sampleWeight"/>.</param>
    /// <param name="sampleWeight">One non-negative weight per sample (Keras' <c>sample_weight</c>).</param>
    /// <exception cref="ArgumentException">Wrong sizes, non-finite inputs or targets, or bad weights; the message says where.</exception>
    /// <exception cref="NotSupportedException">The compiled loss or a metric takes only integer labels.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is already training on another thread.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite; the weights are those after the last good step.</exception>
    /// <exception cref="InsufficientMemoryException">The batch's buffers would not fit in memory (nothing was allocated).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public History Fit(float[] x, float[] y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (float[] X, float[] Y)? validationData = null, bool shuffle = true, Verbosity verbose = Verbosity.Auto, TextWriter? output = null,
        IEnumerable<Callback>? callbacks = null, int initialEpoch = 0, CancellationToken cancellationToken = default,
        IProgress<TrainingProgress>? progress = null, IReadOnlyDictionary<int, float>? classWeight = null, float[]? sampleWeight = null)
    {
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        int width = Definition.OutputShape.ElementCount;
        var targets = Targets.FromValues(y, width,
            InputChecks.SampleWeights(sampleWeight, classWeight, Targets.FromValues(y, width), count, Definition));
        (float[], Targets)? validation = null;
        if (validationData is { } data)
        {
            InputChecks.Validate(data.X, data.Y, Definition, "validationData.X", "validationData.Y");
            validation = (data.X, Targets.FromValues(data.Y, width));
        }
        return FitArrays(x, targets, count, epochs, batchSize, validationSplit, validation, shuffle, verbose, output, callbacks,
            initialEpoch, cancellationToken, progress);
    }

    /// <summary>The array overloads of Fit once their targets are checked.</summary>
    private History FitArrays(float[] x, Targets y, int count, int epochs, int batchSize, float validationSplit,
        (float[] X, Targets Y)? validationData, bool shuffle, Verbosity verbose, TextWriter? output,
        IEnumerable<Callback>? callbacks, int initialEpoch, CancellationToken cancellationToken, IProgress<TrainingProgress>? progress)
    {
        var (optimizer, loss) = RequireCompiled();
        RequireTargetKind(y, loss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        using var training = BeginTraining(nameof(Fit));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0f && validationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");

        int trainCount = count;
        float[]? valX = null;
        Targets valY = default;
        if (validationData is { } data)
        {
            (valX, valY) = data;
        }
        else if (validationSplit > 0f)
        {
            trainCount = count - (int)(count * validationSplit);
            if (trainCount == 0 || trainCount == count)
                throw new ArgumentException($"A validation split of {validationSplit} leaves no samples on one side of {count}.", nameof(validationSplit));
            int inputSize = Definition.InputShape.ElementCount;
            valX = x[(trainCount * inputSize)..(count * inputSize)];
            valY = y.Slice(trainCount, count);
        }

        using var session = new FitSession(this, callbacks, epochs, verbose, output, progress, cancellationToken);
        var order = Enumerable.Range(0, trainCount).ToArray();
        var shuffler = _shuffler ??= new ShuffleStream(Seed);
        batchSize = Math.Min(batchSize, trainCount); // a batch larger than the data is the whole data, as in Keras
        int steps = trainCount / batchSize + (trainCount % batchSize == 0 ? 0 : 1);
        var logs = new List<KeyValuePair<string, float>>();

        session.BeginTraining();
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            // A fresh permutation from the stream each epoch, so Fit(epochs: 1) in a loop trains as one longer Fit.
            if (shuffle) shuffler.Shuffle(order);
            foreach (var metric in _metrics) metric.Reset();
            session.BeginEpoch(epoch);
            double lossSum = 0;
            int done = 0;
            for (int step = 0; step < steps && !StopTraining; step++)
            {
                session.BeginStep(step);
                int first = step * batchSize;
                var batch = order.AsSpan(first, Math.Min(batchSize, trainCount - first));
                float batchLoss = TrainStep(x, y, batch, optimizer, loss);
                bool diverged = _stepDiverged;
                lossSum += (double)batchLoss * batch.Length;
                done = first + batch.Length;
                Logs(logs, (float)(lossSum / done), null);
                session.EndStep(step, steps, logs);
                if (diverged && !StopTraining) // no callback took it as the end of training
                    throw new TrainingDivergedException(epoch + 1, step + 1, batchLoss);
            }
            var elapsed = session.Elapsed;
            var validation = valX is null ? null : EvaluateArrays(valX, valY, valY.Count);
            Logs(logs, (float)(lossSum / Math.Max(done, 1)), validation);
            session.EndEpoch(epoch, steps, elapsed, logs);
        }
        session.EndTraining();
        return session.History;
    }

    /// <summary>Keras' log order: metrics and loss alphabetically, then the validation ones.</summary>
    private void Logs(List<KeyValuePair<string, float>> logs, float loss, Evaluation? validation)
    {
        logs.Clear();
        foreach (var metric in _metrics) metric.AddResults(logs);
        logs.Add(new("loss", loss));
        logs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (validation is null) return;
        var val = validation.Metrics.Select(m => new KeyValuePair<string, float>("val_" + m.Key, m.Value))
            .Append(new("val_loss", validation.Loss))
            .OrderBy(p => p.Key, StringComparer.Ordinal);
        logs.AddRange(val);
    }

    /// <summary>
    /// One gradient step on one batch (Keras' <c>train_on_batch</c>): <paramref name="x"/> holds the batch's samples,
    /// <paramref name="y"/> their labels. Returns the batch's mean loss. Allocates nothing once warmed up for a batch size.
    /// </summary>
    /// <param name="x">The batch's samples.</param>
    /// <param name="y">Their class indices.</param>
    /// <param name="sampleWeight">One non-negative weight per sample, or null.</param>
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, non-finite inputs, or bad weights.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is training on another thread.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite; the weights are kept as they were before the step.</exception>
    /// <exception cref="InsufficientMemoryException">The batch's buffers would not fit in memory (nothing was allocated).</exception>
    public float TrainOnBatch(float[] x, int[] y, float[]? sampleWeight = null)
    {
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        return TrainOnBatch(x, Targets.FromLabels(y, InputChecks.SampleWeights(sampleWeight, null, default, count, Definition)), count);
    }

    /// <summary>
    /// One gradient step on one batch with float targets (samples × the model's outputs), as Keras'
    /// <c>train_on_batch</c>. Returns the batch's weighted mean loss. Allocates nothing once warmed up for a batch size.
    /// </summary>
    /// <param name="x">The batch's samples.</param>
    /// <param name="y">Their targets, one row of the model's output size per sample.</param>
    /// <param name="sampleWeight">One non-negative weight per sample, or null.</param>
    /// <exception cref="ArgumentException">Wrong sizes, non-finite inputs or targets, or bad weights.</exception>
    /// <exception cref="NotSupportedException">The compiled loss or a metric takes only integer labels.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is training on another thread.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite; the weights are kept as they were before the step.</exception>
    /// <exception cref="InsufficientMemoryException">The batch's buffers would not fit in memory (nothing was allocated).</exception>
    public float TrainOnBatch(float[] x, float[] y, float[]? sampleWeight = null)
    {
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        var weights = InputChecks.SampleWeights(sampleWeight, null, default, count, Definition);
        return TrainOnBatch(x, Targets.FromValues(y, Definition.OutputShape.ElementCount, weights), count);
    }

    private float TrainOnBatch(float[] x, Targets y, int count)
    {
        var (optimizer, loss) = RequireCompiled();
        RequireTargetKind(y, loss);
        using var training = BeginTraining(nameof(TrainOnBatch));
        if (_identity.Length < count) _identity = Enumerable.Range(0, count).ToArray();
        float batchLoss = TrainStep(x, y, _identity.AsSpan(0, count), optimizer, loss);
        if (_stepDiverged) throw new TrainingDivergedException(batchLoss);
        return batchLoss;
    }

    private int[] _identity = [];

    /// <summary>
    /// Refuses float targets the loss or a metric does not take before a step runs: a step failing half-way would
    /// already have moved BatchNormalization's statistics. Asks each on the first target row, given as its own output.
    /// </summary>
    private void RequireTargetKind(Targets y, Loss loss)
    {
        if (y.AreLabels || _floatTargetsAccepted) return; // every loss and metric takes labels, at worst as one-hot rows
        var row = y.Values.AsSpan(0, y.Width);
        try
        {
            loss.Compute(row, row, default, y.Width);
            foreach (var metric in _metrics) metric.CreateNew().Update(row, row, y.Width);
        }
        catch (ArgumentException)
        {
            // The made-up output may not suit the loss or metric; only the kind of target is asked here, and a real step tells the rest.
        }
        _floatTargetsAccepted = true; // asked once per Compile, so a warm TrainOnBatch allocates nothing
    }

    private bool _floatTargetsAccepted;

    /// <summary>
    /// One optimizer step on the samples at <paramref name="batch"/>; returns the batch's mean loss. When the loss or a
    /// gradient is not finite the step changes nothing (see <see cref="_stepDiverged"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private float TrainStep(float[] x, Targets y, ReadOnlySpan<int> batch, Optimizer optimizer, Loss loss)
    {
        using var exclusive = WriteWeights();
        var workspaces = EnsureWorkspaces(batch.Length, ThreadCount, out int chunks);
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;

        // Gather each chunk's samples on this thread; the passes then touch only their own workspace.
        for (int t = 0, first = 0; t < chunks; t++)
        {
            var ws = workspaces[t];
            int n = ChunkSize(batch.Length, chunks, t);
            EnsureTargetBuffers(ws, y, outputSize);
            for (int i = 0; i < n; i++)
            {
                int sample = batch[first + i];
                x.AsSpan(sample * inputSize, inputSize).CopyTo(ws.Input.AsSpan(i * inputSize));
                y.CopyTo(sample, ws, i);
            }
            ws.BatchSize = n;
            ws.Loss = 0f;
            first += n;
        }

        // The forward pass updates BatchNormalization's moving statistics; keep them to undo a diverged step.
        SaveStatistics();
        _stepDiverged = false;
        _stepLoss = loss;
        _stepFloatTargets = !y.AreLabels;
        _stepWeighted = y.Weights is not null;
        _stepTotal = batch.Length;
        _stepChunkCount = chunks;
        _barrier.Reset(chunks);
        try
        {
            RunParallel(chunks, _trainChunk ??= TrainChunk);
        }
        finally
        {
            _stepChunkCount = 0; // passes outside a step (evaluation, prediction, tests) never meet at the barrier
        }
        int total = batch.Length;

        double lossSum = 0;
        for (int t = 0; t < chunks; t++)
            lossSum += (double)workspaces[t].Loss * workspaces[t].BatchSize;
        float meanLoss = (float)(lossSum / total);
        if (!float.IsFinite(meanLoss) || !StatisticsFinite())
        {
            Diverged();
            return meanLoss;
        }
        // Each thread sums the chunks' gradients (in chunk order, so results do not depend on timing) and checks its
        // slice is finite; once all have, each updates the weights on its own slice, or none does.
        optimizer.BeginStep(_parameters, workspaces[0].Gradients, TrainableRanges());
        if (_parameterBackup.Length != _parameters.Length) _parameterBackup = new float[_parameters.Length]; // once, before the threads use it
        _stepOptimizer = optimizer;
        _stepChunks = chunks;
        _barrier.Reset(chunks);
        RunParallel(chunks, _updateChunk ??= UpdateChunk);
        if (_stepDiverged)
        {
            optimizer.CancelStep();
            Diverged();
            return meanLoss;
        }
        for (int t = 0; t < chunks; t++)
        {
            var ws = workspaces[t];
            var outputs = ws.Output.AsSpan(0, ws.BatchSize * outputSize);
            foreach (var metric in _metrics)
            {
                if (_stepFloatTargets) metric.Update(outputs, ws.Targets.AsSpan(0, ws.BatchSize * outputSize), outputSize);
                else metric.Update(outputs, ws.Labels.AsSpan(0, ws.BatchSize), outputSize);
            }
        }
        return meanLoss;
    }

    /// <summary>Gives a training workspace room for float targets and sample weights the first time a step has them.</summary>
    private static void EnsureTargetBuffers(ModelWorkspace ws, Targets y, int outputSize)
    {
        if (!y.AreLabels && ws.Targets.Length < ws.Capacity * outputSize) ws.Targets = new float[ws.Capacity * outputSize];
        if (y.Weights is not null && ws.SampleWeights.Length < ws.Capacity) ws.SampleWeights = new float[ws.Capacity];
    }

    /// <summary>
    /// Set when the last step's loss, a moving statistic, a gradient or an updated weight was not finite; the step then
    /// changed nothing, and Fit and TrainOnBatch throw <see cref="TrainingDivergedException"/>.
    /// </summary>
    private volatile bool _stepDiverged;

    private void Diverged()
    {
        _stepDiverged = true;
        RestoreStatistics();
    }

    /// <summary>Copies the parameters the forward pass itself changes (non-trainable variables: moving statistics).</summary>
    private void SaveStatistics()
    {
        int at = 0;
        foreach (var range in StatisticsRanges())
        {
            _parameters.AsSpan(range.Start, range.Length).CopyTo(_statisticsBackup.AsSpan(at));
            at += range.Length;
        }
    }

    /// <summary>Whether the moving statistics are still finite: huge activations can overflow a variance while the loss stays finite.</summary>
    private bool StatisticsFinite()
    {
        foreach (var range in StatisticsRanges())
            if (InputChecks.IndexOfNonFinite(_parameters.AsSpan(range.Start, range.Length)) >= 0) return false;
        return true;
    }

    private void RestoreStatistics()
    {
        int at = 0;
        foreach (var range in StatisticsRanges())
        {
            _statisticsBackup.AsSpan(at, range.Length).CopyTo(_parameters.AsSpan(range.Start, range.Length));
            at += range.Length;
        }
    }

    private ParameterRange[] StatisticsRanges()
    {
        if (_statisticsRanges is not null) return _statisticsRanges;
        var ranges = Definition.Layers.SelectMany(l => l.Weights).Where(w => !w.IsTrainableVariable)
            .Select(w => new ParameterRange(w.Offset, w.Length)).ToArray();
        _statisticsBackup = new float[ranges.Sum(r => r.Length)];
        return _statisticsRanges = ranges;
    }

    private ParameterRange[]? _statisticsRanges;
    private float[] _statisticsBackup = [];

    private (Optimizer, Loss) RequireCompiled() =>
        _optimizer is null || _loss is null
            ? throw new InvalidOperationException($"{Definition.Name} is not compiled: call Compile(optimizer, loss, metrics) first.")
            : (_optimizer, _loss);

    private ReadOnlySpan<ParameterRange> TrainableRanges()
    {
        if (_trainableRanges is not null) return _trainableRanges;
        var ranges = new List<ParameterRange>();
        foreach (var layer in Definition.Layers)
        {
            if (!_trainable[layer.Index]) continue;
            foreach (var weight in layer.Weights.Where(w => w.IsTrainableVariable))
            {
                if (ranges.Count > 0 && ranges[^1].Start + ranges[^1].Length == weight.Offset)
                    ranges[^1] = ranges[^1] with { Length = ranges[^1].Length + weight.Length };
                else
                    ranges.Add(new ParameterRange(weight.Offset, weight.Length));
            }
        }
        return _trainableRanges = ranges.ToArray();
    }

    /// <summary>
    /// Training workspaces for <paramref name="threads"/> chunks of a batch of <paramref name="batchSize"/>, kept while
    /// they fit. A batch whose buffers cannot be allocated is refused before anything is.
    /// </summary>
    private ModelWorkspace[] EnsureWorkspaces(int batchSize, int threads, out int chunks)
    {
        chunks = Math.Clamp(threads, 1, batchSize);
        int capacity = (batchSize + chunks - 1) / chunks;
        if (_workspaces.Length >= chunks && _workspaces[0].Capacity >= capacity) return _workspaces;
        return _workspaces = GrowWorkspaces(batchSize, chunks, capacity);
    }

    // Kept out of EnsureWorkspaces: its lambda's closure would otherwise be allocated on every call, fast path included.
    private ModelWorkspace[] GrowWorkspaces(int batchSize, int chunks, int capacity)
    {
        capacity = Math.Max(capacity, _workspaces.Length > 0 ? _workspaces[0].Capacity : 0);
        int count = Math.Max(chunks, _workspaces.Length);
        int largest = MaxWorkspaceCapacity(training: true);
        if (capacity > largest)
            throw new ArgumentOutOfRangeException("batchSize", batchSize,
                $"A batch of {batchSize} on {chunks} thread(s) puts {capacity} samples in each thread's buffers, but {Definition.Name}'s largest buffer " +
                $"holds at most {largest} samples in one .NET array; use a batch of at most {(long)largest * chunks} (or more threads).");
        long held = _workspaces.Length == 0 ? 0 : _workspaces.Length * WorkspaceBytes(_workspaces[0].Capacity, training: true);
        long needed = count * WorkspaceBytes(capacity, training: true);
        WorkspaceMemory.EnsureFits(needed, held, available =>
            $"Training {Definition.Name} with a batch of {batchSize} on {chunks} thread(s) ({SummaryTable.Bytes(WorkspaceBytes(1, training: true))} per sample; " +
            $"at most about {Math.Max(0, available / Math.Max(1, WorkspaceBytes(1, training: true)))} samples fit)");
        _workspaces = []; // let the old buffers go before allocating the new ones
        var created = new ModelWorkspace[count];
        for (int i = 0; i < count; i++) created[i] = NewWorkspace(capacity, training: true);
        return created;
    }

    private ModelWorkspace NewWorkspace(int capacity, bool training)
    {
        var ws = CreateWorkspace(capacity, training);
        // Not HashCode.Combine: it is randomised per process, and the same seed must give the same dropout masks in every run.
        if (!training) return ws;
        if (_restoredStreams is { Count: > 0 } restored)
        {
            // A loaded checkpoint's dropout streams: the workspace continues where the saved run's was.
            var (seed, index, draws) = restored.Dequeue();
            ws.Random = new Random(seed);
            for (long i = 0; i < draws; i++) ws.Random.NextSingle();
            ws.SeedIndex = index;
            ws.RandomDraws = draws;
            return ws;
        }
        ws.SeedIndex = _workspacesCreated;
        ws.Random = new Random(WorkspaceSeed(Seed, _workspacesCreated++));
        return ws;
    }

    /// <summary>A seed for workspace <paramref name="index"/> from the model's: one SplitMix64 step, stable across processes.</summary>
    internal static int WorkspaceSeed(int seed, int index)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)index + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private static int ChunkSize(int total, int chunks, int index) => total / chunks + (index < total % chunks ? 1 : 0);

    /// <summary>Forward, loss and backward on workspace <paramref name="t"/>'s chunk of the current training step.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private void TrainChunk(int t)
    {
        var ws = _workspaces[t];
        int n = ws.BatchSize;
        int outputSize = Definition.OutputShape.ElementCount;
        try
        {
            Forward(ws, n, training: true);
            var gradient = ws.OutputGradient.AsSpan(0, n * outputSize);
            var outputs = ws.Output.AsSpan(0, n * outputSize);
            var activation = Definition.Layers[^1].Activation;
            var weights = _stepWeighted ? ws.SampleWeights.AsSpan(0, n) : default;
            ws.Loss = _stepFloatTargets
                ? _stepLoss!.Compute(outputs, ws.Targets.AsSpan(0, n * outputSize), weights, outputSize, activation, gradient)
                : _stepWeighted
                    ? _stepLoss!.Compute(outputs, ws.Labels.AsSpan(0, n), weights, outputSize, activation, gradient)
                    : _stepLoss!.Compute(outputs, ws.Labels.AsSpan(0, n), outputSize, activation, gradient);
            // The loss is the chunk's mean; the step follows the whole batch's mean.
            TensorPrimitives.Multiply(gradient, (float)n / _stepTotal, gradient);
            ws.Gradients.Clear();
            Backward(ws, n);
        }
        catch
        {
            _barrier.Break(); // the other chunks may be waiting for this one
            throw;
        }
    }

    /// <summary>
    /// For layers whose statistics span the whole batch (BatchNormalization in training mode): each chunk of the
    /// current training step passes its partial sums (<paramref name="partials"/> selects them from a workspace);
    /// once every chunk has, <paramref name="total"/> receives their sum, added in chunk order so every chunk gets the
    /// same numbers, and the return value is the number of samples in the whole batch. Outside a multi-threaded step
    /// (one chunk, evaluation, prediction) it is the workspace's own sums and <paramref name="batch"/>.
    /// </summary>
    /// <remarks>
    /// A chunk reads the others' partial sums after the barrier, so each layer and pass needs its own partial-sum
    /// buffer that nothing writes again before the step ends. Every chunk must make the same calls in the same order.
    /// For generated code; not a stable API.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected int SumAcrossChunks(ModelWorkspace workspace, int batch, Func<ModelWorkspace, double[]> partials, Span<double> total)
    {
        var own = partials(workspace).AsSpan(0, total.Length);
        int chunks = _stepChunkCount;
        if (chunks <= 1 || !IsStepWorkspace(workspace, chunks))
        {
            own.CopyTo(total);
            return batch;
        }
        _barrier.SignalAndWait();
        total.Clear();
        int samples = 0;
        for (int t = 0; t < chunks; t++)
        {
            var part = partials(_workspaces[t]).AsSpan(0, total.Length);
            for (int i = 0; i < total.Length; i++) total[i] += part[i];
            samples += _workspaces[t].BatchSize;
        }
        return samples;
    }

    /// <summary>
    /// Whether <paramref name="workspace"/> is the first chunk of the current step, or not in a multi-threaded step at
    /// all: the one that updates state shared by the whole batch, such as BatchNormalization's moving statistics.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool IsFirstChunk(ModelWorkspace workspace) =>
        _stepChunkCount <= 1 || !IsStepWorkspace(workspace, _stepChunkCount) || ReferenceEquals(workspace, _workspaces[0]);

    private bool IsStepWorkspace(ModelWorkspace workspace, int chunks)
    {
        for (int t = 0; t < chunks; t++)
            if (ReferenceEquals(_workspaces[t], workspace)) return true;
        return false;
    }

    /// <summary>
    /// Thread <paramref name="t"/>'s slice of the gradient reduction and the optimizer update: sums its slice, checks
    /// it is finite, waits for the other threads' checks, and updates only if every slice passed. An update that
    /// itself overflows (finite gradients, a step too large for float) is undone on every slice: each thread keeps
    /// its slice's weights and optimizer state from before the update until all have checked theirs.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private void UpdateChunk(int t)
    {
        const int Align = 16; // slices start on 64-byte boundaries, so no two threads write one cache line
        int count = _parameters.Length;
        int from = Math.Min(count, (int)((long)count * t / _stepChunks / Align * Align));
        int to = t == _stepChunks - 1 ? count : Math.Min(count, (int)((long)count * (t + 1) / _stepChunks / Align * Align));
        var workspaces = _workspaces;
        if (to > from)
        {
            var sum = workspaces[0].Gradients.AsSpan(from, to - from);
            for (int w = 1; w < _stepChunks; w++)
                TensorPrimitives.Add(sum, workspaces[w].Gradients.AsSpan(from, to - from), sum);
            if (InputChecks.IndexOfNonFinite(sum) >= 0) _stepDiverged = true;
        }
        if (_stepChunks > 1) _barrier.SignalAndWait();
        if (_stepDiverged) return;
        var optimizer = _stepOptimizer!;
        var ranges = _trainableRanges!; // only these change: a frozen base costs nothing here
        foreach (var range in ranges)
            if (Overlap(range, from, to) is var (start, end) && end > start)
            {
                _parameters.AsSpan(start, end - start).CopyTo(_parameterBackup.AsSpan(start));
                optimizer.SaveState(start, end);
            }
        optimizer.UpdateSlice(_parameters, workspaces[0].Gradients, ranges, from, to);
        foreach (var range in ranges)
            if (Overlap(range, from, to) is var (start, end) && end > start
                && InputChecks.IndexOfNonFinite(_parameters.AsSpan(start, end - start)) >= 0)
                _stepDiverged = true;
        if (_stepChunks > 1) _barrier.SignalAndWait();
        if (!_stepDiverged) return;
        foreach (var range in ranges)
            if (Overlap(range, from, to) is var (start, end) && end > start)
            {
                _parameterBackup.AsSpan(start, end - start).CopyTo(_parameters.AsSpan(start));
                optimizer.RestoreState(start, end);
            }
    }

    private static (int Start, int End) Overlap(ParameterRange range, int from, int to) =>
        (Math.Max(range.Start, from), Math.Min(range.End, to));

    private float[] _parameterBackup = []; // each thread's trainable slice before its update, until every slice has passed

    /// <summary>Runs <paramref name="body"/> for chunks [0, <paramref name="chunks"/>), one per thread, without allocating.</summary>
    private static void RunParallel(int chunks, Action<int> body) => WorkerTeam.Shared(chunks).Run(chunks, body);

    private Action<int>? _trainChunk, _updateChunk;
    private readonly ChunkBarrier _barrier = new();
    private int _stepChunkCount;
    private Optimizer? _stepOptimizer;
    private int _stepChunks;
    private Loss? _stepLoss;
    private bool _stepFloatTargets, _stepWeighted; // what the current step's workspaces hold besides labels
    private int _stepTotal;
}
