using System.Diagnostics;
using System.Numerics.Tensors;

namespace ConvNetGen;

public abstract partial class Model
{
    private Optimizer? _optimizer;
    private Loss? _loss;
    private Metric[] _metrics = [];
    private ModelWorkspace[] _workspaces = [];
    private ModelWorkspace? _singleSample;
    private ParameterRange[]? _trainableRanges;
    private int _workspacesCreated;

    /// <summary>
    /// Threads a training or evaluation step splits its batch over (default: every core). Gradients are reduced in a
    /// fixed order, so the same seed and thread count give the same numbers. Models with BatchNormalization use one
    /// thread while training, since batch statistics span the whole batch.
    /// </summary>
    public int ThreadCount
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
            _workspaces = [];
        }
    } = Environment.ProcessorCount;

    /// <summary>The optimizer given to <see cref="Compile"/>, or null before.</summary>
    public Optimizer? Optimizer => _optimizer;

    /// <summary>
    /// Configures training (Keras' <c>model.compile</c>). Compiling again, e.g. with a lower learning rate between
    /// fine-tuning phases, keeps the weights and starts the new optimizer's state from zero.
    /// </summary>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (Definition.OutputShape.Rank != 1)
            throw new ArgumentException($"{Definition.Name}'s output is {Definition.OutputShape}, but losses take one row of class scores per sample; end the model with [Flatten] or [GlobalAveragePooling2D] and a [Dense] layer.", nameof(loss));
        optimizer.Build(_parameters.Length);
        _optimizer = optimizer;
        _loss = loss;
        _metrics = metrics?.ToArray() ?? [];
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
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, or non-finite inputs; the message says where.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public History Fit(float[] x, int[] y, int epochs = 1, int batchSize = 32, float validationSplit = 0f,
        (float[] X, int[] Y)? validationData = null, bool shuffle = true, Verbosity verbose = Verbosity.Auto, TextWriter? output = null)
    {
        var (optimizer, loss) = RequireCompiled();
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0f && validationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");

        int trainCount = count;
        float[]? valX = null;
        int[]? valY = null;
        if (validationData is { } data)
        {
            InputChecks.Validate(data.X, data.Y, Definition, "validationData.X", "validationData.Y");
            (valX, valY) = data;
        }
        else if (validationSplit > 0f)
        {
            trainCount = count - (int)(count * validationSplit);
            if (trainCount == 0 || trainCount == count)
                throw new ArgumentException($"A validation split of {validationSplit} leaves no samples on one side of {count}.", nameof(validationSplit));
            int inputSize = Definition.InputShape.ElementCount;
            valX = x[(trainCount * inputSize)..(count * inputSize)];
            valY = y[trainCount..count];
        }

        var history = new History();
        var progress = new ProgressReporter(verbose, output);
        var order = Enumerable.Range(0, trainCount).ToArray();
        var shuffler = new Random(Seed);
        int steps = (trainCount + batchSize - 1) / batchSize;
        var logs = new List<KeyValuePair<string, float>>();

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            if (shuffle) shuffler.Shuffle(order);
            foreach (var metric in _metrics) metric.Reset();
            progress.BeginEpoch(epoch, epochs);
            double lossSum = 0;
            long start = Stopwatch.GetTimestamp();
            for (int step = 0; step < steps; step++)
            {
                int first = step * batchSize;
                var batch = order.AsSpan(first, Math.Min(batchSize, trainCount - first));
                float batchLoss = TrainStep(x, y, batch, optimizer, loss);
                if (!float.IsFinite(batchLoss))
                    throw new TrainingDivergedException(epoch, step + 1, batchLoss);
                lossSum += (double)batchLoss * batch.Length;
                Logs(logs, (float)(lossSum / (first + batch.Length)), null);
                progress.Step(step + 1, steps, Stopwatch.GetElapsedTime(start), logs);
            }
            var elapsed = Stopwatch.GetElapsedTime(start);
            var validation = valX is null ? null : Evaluate(valX, valY!, batchSize);
            Logs(logs, (float)(lossSum / trainCount), validation);
            progress.EndEpoch(steps, elapsed, logs);
            history.Add(logs, elapsed);
        }
        return history;
    }

    /// <summary>Keras' log order: metrics and loss alphabetically, then the validation ones.</summary>
    private void Logs(List<KeyValuePair<string, float>> logs, float loss, Evaluation? validation)
    {
        logs.Clear();
        foreach (var metric in _metrics) logs.Add(new(metric.Name, metric.Result));
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
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, or non-finite inputs.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    public float TrainOnBatch(float[] x, int[] y)
    {
        var (optimizer, loss) = RequireCompiled();
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        if (_identity.Length < count) _identity = Enumerable.Range(0, count).ToArray();
        return TrainStep(x, y, _identity.AsSpan(0, count), optimizer, loss);
    }

    private int[] _identity = [];

    /// <summary>One optimizer step on the samples at <paramref name="batch"/>; returns the batch's mean loss.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private float TrainStep(float[] x, int[] y, ReadOnlySpan<int> batch, Optimizer optimizer, Loss loss)
    {
        int threads = ThreadCount;
        var workspaces = EnsureWorkspaces(batch.Length, threads);
        int chunks = Math.Min(workspaces.Length, batch.Length);
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;

        // Gather each chunk's samples on this thread; the passes then touch only their own workspace.
        for (int t = 0, first = 0; t < chunks; t++)
        {
            var ws = workspaces[t];
            int n = ChunkSize(batch.Length, chunks, t);
            for (int i = 0; i < n; i++)
            {
                int sample = batch[first + i];
                x.AsSpan(sample * inputSize, inputSize).CopyTo(ws.Input.AsSpan(i * inputSize));
                ws.Labels[i] = y[sample];
            }
            ws.BatchSize = n;
            ws.Loss = 0f;
            first += n;
        }

        _stepLoss = loss;
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
        {
            var ws = workspaces[t];
            lossSum += (double)ws.Loss * ws.BatchSize;
            foreach (var metric in _metrics)
                metric.Update(ws.Output.AsSpan(0, ws.BatchSize * outputSize), ws.Labels.AsSpan(0, ws.BatchSize), outputSize);
        }
        // Each thread sums the chunks' gradients (in chunk order, so results do not depend on timing) and updates
        // the weights on its own slice of the parameters.
        optimizer.BeginStep(_parameters, workspaces[0].Gradients, TrainableRanges());
        _stepOptimizer = optimizer;
        _stepChunks = chunks;
        RunParallel(chunks, _updateChunk ??= UpdateChunk);
        return (float)(lossSum / total);
    }

    /// <summary>Computes the loss and metrics on <paramref name="x"/> and <paramref name="y"/> in inference mode (Keras' <c>model.evaluate</c>).</summary>
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, or non-finite inputs.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    public Evaluation Evaluate(float[] x, int[] y, int batchSize = 32)
    {
        var (_, loss) = RequireCompiled();
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var metrics = _metrics.Select(m => (Metric)Activator.CreateInstance(m.GetType())!).ToArray();
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;
        double lossSum = 0;
        for (int first = 0; first < count; first += batchSize)
        {
            int n = Math.Min(batchSize, count - first);
            var workspaces = EnsureWorkspaces(n, ThreadCount);
            int chunks = Math.Min(workspaces.Length, n);
            for (int t = 0, offset = first; t < chunks; t++)
            {
                var ws = workspaces[t];
                ws.BatchSize = ChunkSize(n, chunks, t);
                x.AsSpan(offset * inputSize, ws.BatchSize * inputSize).CopyTo(ws.Input);
                y.AsSpan(offset, ws.BatchSize).CopyTo(ws.Labels);
                offset += ws.BatchSize;
            }
            RunParallel(chunks, _inferenceChunk ??= InferenceChunk);
            for (int t = 0; t < chunks; t++)
            {
                var ws = workspaces[t];
                var outputs = ws.Output.AsSpan(0, ws.BatchSize * outputSize);
                var labels = ws.Labels.AsSpan(0, ws.BatchSize);
                lossSum += (double)loss.Compute(outputs, labels, outputSize) * ws.BatchSize;
                foreach (var metric in metrics) metric.Update(outputs, labels, outputSize);
            }
        }
        return new Evaluation((float)(lossSum / count), metrics.ToDictionary(m => m.Name, m => m.Result));
    }

    /// <summary>The model's output for one sample (class probabilities for a softmax classifier).</summary>
    /// <exception cref="ArgumentException">The sample has the wrong length or a non-finite value.</exception>
    public float[] Predict(ReadOnlySpan<float> sample)
    {
        var result = new float[Definition.OutputShape.ElementCount];
        Predict(sample, result);
        return result;
    }

    /// <summary>
    /// Runs the model in inference mode on any number of samples, writing one output row per sample into
    /// <paramref name="outputs"/>. Allocates nothing once warmed up.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not match the model, or a value is not finite.</exception>
    public void Predict(ReadOnlySpan<float> samples, Span<float> outputs)
    {
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;
        int count = InputChecks.ValidateSamples(samples, inputSize, nameof(samples));
        if (outputs.Length != count * outputSize)
            throw new ArgumentException($"outputs has {outputs.Length} elements; {count} samples need {count * outputSize} ({count} × {outputSize}).", nameof(outputs));
        if (count <= PredictBlock || ThreadCount == 1)
        {
            // Small requests (a single image above all) stay on the calling thread: waking workers costs more than it saves.
            var ws = _singleSample ??= NewWorkspace(capacity: PredictBlock);
            for (int first = 0; first < count; first += ws.Capacity)
            {
                int n = Math.Min(ws.Capacity, count - first);
                samples.Slice(first * inputSize, n * inputSize).CopyTo(ws.Input);
                Forward(ws, n, training: false);
                ws.Output.AsSpan(0, n * outputSize).CopyTo(outputs.Slice(first * outputSize));
            }
            return;
        }

        // Larger requests: blocks of PredictBlock samples, one per thread at a time.
        var workspaces = EnsureWorkspaces(ThreadCount * PredictBlock, ThreadCount);
        int threads = Math.Min(ThreadCount, workspaces.Length);
        for (int first = 0; first < count;)
        {
            int chunks = 0;
            for (; chunks < threads && first < count; chunks++)
            {
                var ws = workspaces[chunks];
                ws.BatchSize = Math.Min(Math.Min(PredictBlock, ws.Capacity), count - first);
                samples.Slice(first * inputSize, ws.BatchSize * inputSize).CopyTo(ws.Input);
                first += ws.BatchSize;
            }
            RunParallel(chunks, _inferenceChunk ??= InferenceChunk);
            int written = first;
            for (int t = chunks - 1; t >= 0; t--)
            {
                var ws = workspaces[t];
                written -= ws.BatchSize;
                ws.Output.AsSpan(0, ws.BatchSize * outputSize).CopyTo(outputs.Slice(written * outputSize));
            }
        }
    }

    /// <summary>Samples one thread runs per inference pass: enough to fill the GEMM tiles, few enough to stay in cache.</summary>
    private const int PredictBlock = 64;

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

    /// <summary>Workspaces for <paramref name="threads"/> chunks of a batch of <paramref name="batchSize"/>, kept while they fit.</summary>
    private ModelWorkspace[] EnsureWorkspaces(int batchSize, int threads)
    {
        int chunks = Math.Clamp(threads, 1, batchSize);
        int capacity = (batchSize + chunks - 1) / chunks;
        if (_workspaces.Length >= chunks && _workspaces[0].Capacity >= capacity) return _workspaces;
        return _workspaces = GrowWorkspaces(chunks, capacity);
    }

    // Kept out of EnsureWorkspaces: its lambda's closure would otherwise be allocated on every call, fast path included.
    private ModelWorkspace[] GrowWorkspaces(int chunks, int capacity)
    {
        capacity = Math.Max(capacity, _workspaces.Length > 0 ? _workspaces[0].Capacity : 0);
        return Enumerable.Range(0, Math.Max(chunks, _workspaces.Length)).Select(_ => NewWorkspace(capacity)).ToArray();
    }

    private ModelWorkspace NewWorkspace(int capacity, bool training = true)
    {
        var ws = CreateWorkspace(capacity, training);
        // Not HashCode.Combine: it is randomised per process, and the same seed must give the same dropout masks in every run.
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
            ws.Loss = _stepLoss!.Compute(ws.Output.AsSpan(0, n * outputSize), ws.Labels.AsSpan(0, n), outputSize,
                Definition.Layers[^1].Activation, gradient);
            // The loss is the chunk's mean; the step follows the whole batch's mean.
            TensorPrimitives.Multiply(gradient, (float)n / _stepTotal, gradient);
            Array.Clear(ws.Gradients);
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
    /// </remarks>
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
    protected bool IsFirstChunk(ModelWorkspace workspace) =>
        _stepChunkCount <= 1 || !IsStepWorkspace(workspace, _stepChunkCount) || ReferenceEquals(workspace, _workspaces[0]);

    private bool IsStepWorkspace(ModelWorkspace workspace, int chunks)
    {
        for (int t = 0; t < chunks; t++)
            if (ReferenceEquals(_workspaces[t], workspace)) return true;
        return false;
    }

    /// <summary>Thread <paramref name="t"/>'s slice of the gradient reduction and the optimizer update.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private void UpdateChunk(int t)
    {
        const int Align = 16; // slices start on 64-byte boundaries, so no two threads write one cache line
        int count = _parameters.Length;
        int from = Math.Min(count, (int)((long)count * t / _stepChunks / Align * Align));
        int to = t == _stepChunks - 1 ? count : Math.Min(count, (int)((long)count * (t + 1) / _stepChunks / Align * Align));
        if (to <= from) return;
        var workspaces = _workspaces;
        var sum = workspaces[0].Gradients.AsSpan(from, to - from);
        for (int w = 1; w < _stepChunks; w++)
            TensorPrimitives.Add(sum, workspaces[w].Gradients.AsSpan(from, to - from), sum);
        _stepOptimizer!.UpdateSlice(_parameters, workspaces[0].Gradients, _trainableRanges, from, to);
    }

    private void InferenceChunk(int t) => Forward(_workspaces[t], _workspaces[t].BatchSize, training: false);

    /// <summary>Runs <paramref name="body"/> for chunks [0, <paramref name="chunks"/>), one per thread, without allocating.</summary>
    private void RunParallel(int chunks, Action<int> body) => WorkerTeam.Shared(chunks).Run(chunks, body);

    private Action<int>? _trainChunk, _inferenceChunk, _updateChunk;
    private readonly ChunkBarrier _barrier = new();
    private int _stepChunkCount;
    private Optimizer? _stepOptimizer;
    private int _stepChunks;
    private Loss? _stepLoss;
    private int _stepTotal;
}
