namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// Samples one thread runs per inference pass: enough to fill the GEMM tiles, few enough that a pass's activations
    /// and patches stay near the cache. Measured on 2026-12-01 (2 threads): 16 against 64 gave the CIFAR VGG 717
    /// against 641 images/s at batch 1000 and the MNIST model 26,957 against 22,493.
    /// </summary>
    private const int PredictBlock = 16;

    /// <summary>An inference workspace's memory budget: a big model predicts in smaller blocks rather than hold gigabytes per thread.</summary>
    private const long InferenceWorkspaceBudget = 256L << 20;

    private readonly Lock _leaseLock = new();
    private readonly Stack<InferenceLease> _idleLeases = new();
    private int _inferenceBlock; // samples per inference pass, fixed per model so results never depend on timing

    /// <summary>
    /// Runs the first <paramref name="count"/> samples of <paramref name="x"/> under the shared weights lock, adds each block's metrics (and, for labels, its confusion counts, true class ×
    /// predicted class), and returns the sum of the weighted per-sample losses (Evaluate over arrays and over datasets
    /// both add up their batches with it).
    /// </summary>
    private double EvaluateBlock(float[] x, Targets y, int count, Loss loss, Metric[] metrics, long[]? confusion)
    {
        int outputSize = Definition.OutputShape.ElementCount;
        double lossSum = 0;
        using (ReadWeights())
        {
            var lease = RentLease(out int threads, out int block, count);
            try
            {
                for (int first = 0; first < count;)
                {
                    int chunks = RunInferenceRound(lease, x, first, count, threads, block);
                    for (int t = 0; t < chunks; t++)
                    {
                        var ws = lease.Workspaces[t]!;
                        var outputs = ws.Output.AsSpan(0, ws.BatchSize * outputSize);
                        lossSum += (double)y.Loss(loss, outputs, first, ws.BatchSize, outputSize) * ws.BatchSize;
                        y.UpdateMetrics(metrics, outputs, first, ws.BatchSize, outputSize);
                        if (confusion is not null && y.Labels is { } labels)
                            ConfusionMatrix.Count(confusion, outputs, labels.AsSpan(first, ws.BatchSize), outputSize);
                        first += ws.BatchSize;
                    }
                }
            }
            finally
            {
                ReturnLease(lease);
            }
        }
        return lossSum;
    }

    /// <summary>
    /// Computes the loss and metrics on <paramref name="x"/> and <paramref name="y"/> in inference mode (Keras'
    /// <c>model.evaluate</c>), and the confusion matrix. Safe to call from any number of threads at once, also while
    /// the model trains on another thread (it then sees the weights between two steps).
    /// </summary>
    /// <param name="x">The samples, one after another.</param>
    /// <param name="y">One class index per sample.</param>
    /// <param name="batchSize">
    /// Keras' <c>batch_size</c>, checked for compatibility. Neither the result nor the memory depends on it: evaluation
    /// runs in blocks of at most 16 samples per thread, so a large value holds no large buffers.
    /// </param>
    /// <param name="sampleWeight">One non-negative weight per sample for the loss (Keras' <c>sample_weight</c>), or null; metrics are unweighted.</param>
    /// <exception cref="ArgumentException">Wrong sizes, labels out of range, non-finite inputs, or bad weights.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    public Evaluation Evaluate(float[] x, int[] y, int batchSize = 32, float[]? sampleWeight = null)
    {
        RequireCompiled();
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return EvaluateArrays(x, Targets.FromLabels(y, InputChecks.SampleWeights(sampleWeight, null, default, count, Definition)), count);
    }

    /// <summary>
    /// Computes the loss and metrics on <paramref name="x"/> and float targets <paramref name="y"/> (samples × the
    /// model's outputs) in inference mode (Keras' <c>model.evaluate</c>). Thread-safe as the integer-label overload.
    /// </summary>
    /// <param name="x">The samples, one after another.</param>
    /// <param name="y">The targets: one row of the model's output size per sample, all finite.</param>
    /// <param name="batchSize">Keras' <c>batch_size</c>, checked for compatibility; the result does not depend on it.</param>
    /// <param name="sampleWeight">One non-negative weight per sample for the loss, or null; metrics are unweighted.</param>
    /// <exception cref="ArgumentException">Wrong sizes, non-finite inputs or targets, or bad weights.</exception>
    /// <exception cref="NotSupportedException">The compiled loss or a metric takes only integer labels.</exception>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    public Evaluation Evaluate(float[] x, float[] y, int batchSize = 32, float[]? sampleWeight = null)
    {
        RequireCompiled();
        int count = InputChecks.Validate(x, y, Definition, nameof(x), nameof(y));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var weights = InputChecks.SampleWeights(sampleWeight, null, default, count, Definition);
        return EvaluateArrays(x, Targets.FromValues(y, Definition.OutputShape.ElementCount, weights), count);
    }

    /// <summary>The array overloads of Evaluate once their targets are checked (also Fit's validation).</summary>
    private Evaluation EvaluateArrays(float[] x, Targets y, int count)
    {
        var (_, loss) = RequireCompiled();
        var metrics = Array.ConvertAll(_metrics, m => m.CreateNew()); // this call's own state: evaluations may run concurrently
        int outputSize = Definition.OutputShape.ElementCount;
        var confusion = y.AreLabels ? new long[outputSize * outputSize] : null;
        double lossSum = EvaluateBlock(x, y, count, loss, metrics, confusion);
        return Evaluation.Of((float)(lossSum / count), metrics, confusion is null ? null : new ConfusionMatrix(outputSize, confusion));
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
    /// <remarks>
    /// Safe to call from any number of threads at once: each call rents its own buffers, and the results are
    /// bit-identical to the same call made alone. While the model trains on another thread, a call waits for the
    /// running step and sees the weights between two steps.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths do not match the model, or a value is not finite.</exception>
    /// <exception cref="InsufficientMemoryException">Even one sample's buffers would not fit in memory (nothing was allocated).</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every call: no slow first tier
    public void Predict(ReadOnlySpan<float> samples, Span<float> outputs)
    {
        int inputSize = Definition.InputShape.ElementCount;
        int outputSize = Definition.OutputShape.ElementCount;
        int count = InputChecks.ValidateSamples(samples, inputSize, nameof(samples));
        if (outputs.Length != (long)count * outputSize)
            throw new ArgumentException($"outputs has {outputs.Length} elements; {count} samples need {(long)count * outputSize} ({count} × {outputSize}).", nameof(outputs));
        using (ReadWeights())
        {
            var lease = RentLease(out int threads, out int block, count);
            try
            {
                for (int first = 0; first < count;)
                {
                    int chunks = RunInferenceRound(lease, samples, first, count, threads, block);
                    for (int t = 0; t < chunks; t++)
                    {
                        var ws = lease.Workspaces[t]!;
                        ws.Output.AsSpan(0, ws.BatchSize * outputSize).CopyTo(outputs.Slice(first * outputSize));
                        first += ws.BatchSize;
                    }
                }
            }
            finally
            {
                ReturnLease(lease);
            }
        }
    }

    /// <summary>
    /// Fills up to <paramref name="threads"/> of the lease's workspaces with consecutive blocks of
    /// <paramref name="block"/> samples from <paramref name="first"/> and runs the forward pass on each, in parallel
    /// when the worker team is free and on this thread when another call is using it. Returns the number of blocks. The
    /// blocks depend only on the call's sample count and the thread count, so a result never depends on timing.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every call: no slow first tier
    private int RunInferenceRound(InferenceLease lease, ReadOnlySpan<float> samples, int first, int count, int threads, int block)
    {
        int inputSize = Definition.InputShape.ElementCount;
        int chunks = 0;
        for (; chunks < threads && first < count; chunks++)
        {
            var ws = lease.Workspace(chunks);
            ws.BatchSize = Math.Min(block, count - first);
            samples.Slice(first * inputSize, ws.BatchSize * inputSize).CopyTo(ws.Input);
            first += ws.BatchSize;
        }
        // One pass (a single image above all) runs on the calling thread, its large products shared with the team.
        if (chunks == 1) RunAlone(lease);
        else if (!WorkerTeam.Shared(chunks).TryRun(chunks, lease.RunChunk))
            for (int t = 0; t < chunks; t++) lease.RunChunk(t);
        return chunks;
    }

    /// <summary>
    /// Runs a round's only pass on this thread, letting its large matrix products use the model's other threads
    /// (row splits that leave every result bit-identical; see <see cref="Kernels.GemmRowSplit"/>).
    /// </summary>
    private void RunAlone(InferenceLease lease)
    {
        int previous = Kernels.GemmRowSplit.Threads;
        Kernels.GemmRowSplit.Threads = ThreadCount;
        try
        {
            lease.RunChunk(0);
        }
        finally
        {
            Kernels.GemmRowSplit.Threads = previous;
        }
    }

    /// <summary>Samples per inference pass: <see cref="PredictBlock"/>, or fewer when a big model's buffers would pass the budget or a .NET array's size.</summary>
    private int InferenceBlock
    {
        get
        {
            if (_inferenceBlock > 0) return _inferenceBlock;
            int block = Math.Min(PredictBlock, MaxWorkspaceCapacity(training: false));
            while (block > 1 && WorkspaceBytes(block, training: false) > InferenceWorkspaceBudget) block--;
            return _inferenceBlock = block;
        }
    }

    /// <summary>
    /// A lease for a call over <paramref name="count"/> samples, how many threads the call uses and how many samples
    /// each pass takes: full blocks when there are enough for every thread, otherwise the samples shared evenly (a
    /// batch of 20 runs as two passes of 10 on two cores rather than one of 16 and one of 4).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every call: no slow first tier
    private InferenceLease RentLease(out int threads, out int block, int count)
    {
        block = InferenceBlock;
        threads = 1;
        if ((long)count >= (long)ThreadCount * block) threads = ThreadCount;
        else if (count > 1)
        {
            threads = Math.Min(ThreadCount, count);
            block = (count + threads - 1) / threads;
            threads = (count + block - 1) / block;
        }
        lock (_leaseLock)
        {
            while (_idleLeases.TryPop(out var idle))
                if (idle.Workspaces.Length >= threads) return idle;
        }
        return new InferenceLease(this, Math.Max(threads, ThreadCount));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every call: no slow first tier
    private void ReturnLease(InferenceLease lease)
    {
        lock (_leaseLock)
        {
            // Kept for the next call, up to one per core: more callers than that were running at once only briefly.
            if (_idleLeases.Count < Environment.ProcessorCount) _idleLeases.Push(lease);
        }
    }

    /// <summary>
    /// Lets go of every buffer the model holds between calls (training workspaces, idle inference buffers); the next
    /// call allocates what it needs again. For a long-lived model after a large batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called while the model is training.</exception>
    public void ReleaseBuffers() => Reconfigure("release the buffers", () =>
    {
        _workspaces = [];
        lock (_leaseLock) _idleLeases.Clear();
        ReleasePreparedKernels();
    });

    private ModelWorkspace NewInferenceWorkspace()
    {
        int block = InferenceBlock;
        WorkspaceMemory.EnsureFits(WorkspaceBytes(block, training: false), 0,
            _ => $"Predicting with {Definition.Name} ({block} samples per pass)");
        return NewWorkspace(block, training: false);
    }

    /// <summary>
    /// One inference call's buffers: a workspace per thread it may use, created on first use, and the delegate the
    /// worker team runs, so a call allocates nothing once its lease exists. A lease serves one call at a time.
    /// </summary>
    private sealed class InferenceLease
    {
        private readonly Model _model;

        public InferenceLease(Model model, int threads)
        {
            _model = model;
            Workspaces = new ModelWorkspace?[threads];
            RunChunk = Run;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every call: no slow first tier
        private void Run(int t)
        {
            var ws = Workspaces[t]!;
            _model.Forward(ws, ws.BatchSize, training: false);
        }

        public ModelWorkspace?[] Workspaces { get; }

        public Action<int> RunChunk { get; }

        public ModelWorkspace Workspace(int t) => Workspaces[t] ??= _model.NewInferenceWorkspace();
    }
}
