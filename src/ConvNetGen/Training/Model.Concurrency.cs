namespace ConvNetGen;

// The thread-safety contract (also in the README's "Reliability" section):
// - Inference (Predict, Evaluate, GetSummary, reading Layers) may run on any number of threads at once. Each call
//   rents its own buffers and holds a shared lock on the weights for its duration, so it sees one consistent set.
// - Training (Fit, TrainOnBatch) runs on one thread at a time per model; a second concurrent call is refused. Each
//   training step holds the exclusive lock, so inference on other threads waits for the step to finish and never
//   reads half-updated weights.
// - Configuration (Compile, ThreadCount, Layer.Trainable, LoadWeights, LoadCheckpoint, CopyWeightsFrom) is refused while training
//   runs, and otherwise takes the exclusive lock, so it never changes what a running Predict or step reads.
// - Callbacks run on the training thread between steps (no lock held), so they may read and save the weights;
//   SaveCheckpoint from any other thread is refused while training runs.
// - Parameters and Weights(...) hand out spans over the live buffer: writing through them is the caller's to
//   synchronise. Every write under the exclusive lock, and every hand-out of such a span, marks the weights changed,
//   so inference derives again what it keeps from them (Model.PreparedKernels.cs).
public abstract partial class Model
{
    private readonly ReaderWriterLockSlim _weightsLock = new(LockRecursionPolicy.NoRecursion);
    private int _trainingThread; // managed thread id of the Fit/TrainOnBatch running now, 0 when none

    /// <summary>Whether <c>Fit</c> or <c>TrainOnBatch</c> is running on some thread right now.</summary>
    public bool IsTraining => Volatile.Read(ref _trainingThread) != 0;

    /// <summary>Marks the model as training on this thread until the scope is disposed; refuses a second trainer.</summary>
    private TrainingScope BeginTraining(string operation)
    {
        int me = Environment.CurrentManagedThreadId;
        int owner = Interlocked.CompareExchange(ref _trainingThread, me, 0);
        if (owner != 0)
            throw new InvalidOperationException(owner == me
                ? $"{Definition.Name}.{operation} was called while this thread is already training {Definition.Name} (from inside Fit, e.g. a progress writer); call it after Fit returns."
                : $"{Definition.Name}.{operation} was called while {Definition.Name} is training on another thread; a model trains on one thread at a time. Wait for that call to return, or train a copy (CopyWeightsFrom).");
        return new TrainingScope(this);
    }

    private readonly struct TrainingScope(Model model) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref model._trainingThread, 0);
    }

    /// <summary>Refuses a configuration change while training runs: it would change what the running step reads.</summary>
    /// <exception cref="InvalidOperationException">Fit or TrainOnBatch is running.</exception>
    private protected void ThrowIfTraining(string change)
    {
        if (IsTraining)
            throw new InvalidOperationException(
                $"Cannot {change} while {Definition.Name} is training (Fit or TrainOnBatch is running); wait for it to return.");
    }

    /// <summary>
    /// Runs a configuration change under the exclusive lock: refused while training, and it waits for running
    /// inference calls to finish, so none of them sees half of it.
    /// </summary>
    private protected void Reconfigure(string change, Action apply)
    {
        ThrowIfTraining(change);
        _weightsLock.EnterWriteLock();
        try
        {
            ThrowIfTraining(change); // Fit may have started while this waited for the lock
            apply();
        }
        finally
        {
            MarkWeightsChanged(); // before inference can run again: what it derived from the weights may be stale
            _weightsLock.ExitWriteLock();
        }
    }

    /// <summary>Holds the weights still for one inference call: steps and configuration changes wait until it ends.</summary>
    private ReadScope ReadWeights()
    {
        _weightsLock.EnterReadLock();
        return new ReadScope(_weightsLock);
    }

    private readonly struct ReadScope(ReaderWriterLockSlim gate) : IDisposable
    {
        public void Dispose() => gate.ExitReadLock();
    }

    /// <summary>Holds the weights exclusively for one training step: inference on other threads waits for it.</summary>
    private WriteScope WriteWeights()
    {
        _weightsLock.EnterWriteLock();
        return new WriteScope(this);
    }

    private readonly struct WriteScope(Model model) : IDisposable
    {
        public void Dispose()
        {
            model.MarkWeightsChanged(); // the step changed them, before inference can run again
            model._weightsLock.ExitWriteLock();
        }
    }
}
