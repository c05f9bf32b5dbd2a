namespace ConvNetGen;

/// <summary>
/// A fixed team of background threads that runs one body over indices [0, count): the calling thread takes index 0,
/// worker i takes index i. Unlike Parallel.For it allocates nothing per run and keeps each index on the same thread,
/// which keeps a training step allocation-free and its per-thread buffers warm in that core's cache.
/// </summary>
internal sealed class WorkerTeam
{
    private static readonly Lock SharedLock = new();
    private static WorkerTeam? _shared;

    private readonly Worker[] _workers;
    private readonly Lock _runLock = new();
    private readonly TeamSignal[] _done;
    private Action<int>? _body;
    private Exception? _failure;

    private WorkerTeam(int size)
    {
        Size = size;
        _workers = new Worker[size - 1];
        _done = new TeamSignal[size - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _done[i] = new TeamSignal();
            _workers[i] = new Worker(this, i + 1, _done[i]);
        }
    }


    /// <summary>The number of indices a run can cover (workers plus the calling thread).</summary>
    public int Size { get; }

    /// <summary>A process-wide team of at least <paramref name="size"/> threads, created on first use.</summary>
    public static WorkerTeam Shared(int size)
    {
        lock (SharedLock)
        {
            if (_shared is null || _shared.Size < size) _shared = new WorkerTeam(Math.Max(size, Environment.ProcessorCount));
            return _shared;
        }
    }

    /// <summary>Runs <paramref name="body"/>(i) for every i in [0, count) and returns when all are done; rethrows the first failure.</summary>
    /// <remarks>Callers on several threads take turns: one run uses the team at a time.</remarks>
    public void Run(int count, Action<int> body)
    {
        if (count > Size) throw new ArgumentOutOfRangeException(nameof(count), count, $"The team has {Size} threads.");
        if (count == 1)
        {
            body(0);
            return;
        }
        lock (_runLock) RunLocked(count, body);
    }

    /// <summary>
    /// Like <see cref="Run"/> when the team is free; returns false at once, having run nothing, when another caller is
    /// using it (that caller can then do the work itself instead of waiting).
    /// </summary>
    public bool TryRun(int count, Action<int> body)
    {
        if (count > Size) throw new ArgumentOutOfRangeException(nameof(count), count, $"The team has {Size} threads.");
        // Held by this very thread: a run is in progress here (its workers are busy), so nothing more can start.
        if (_runLock.IsHeldByCurrentThread || !_runLock.TryEnter()) return false;
        try
        {
            RunLocked(count, body);
            return true;
        }
        finally
        {
            _runLock.Exit();
        }
    }

    /// <summary>
    /// A kernel's split (a single image's blocks, rows or ranges): <paramref name="body"/> over <paramref name="parts"/>
    /// indices with the shared team when there are two or more and the team is free; otherwise
    /// <paramref name="parts"/> becomes 1 and <paramref name="body"/>(0) runs here alone (the body reads the count, so
    /// part 0 then covers everything). True when the team shared it.
    /// </summary>
    public static bool RunInParts(ref int parts, Action<int> body)
    {
        if (parts >= 2 && Shared(parts).TryRun(parts, body)) return true;
        parts = 1;
        body(0);
        return false;
    }

    private void RunLocked(int count, Action<int> body)
    {
        _body = body;
        _failure = null;
        for (int i = 1; i < count; i++) _workers[i - 1].Start();
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }
        for (int i = 1; i < count; i++) _done[i - 1].WaitAndReset(SpinBeforeBlocking);
        _body = null;
        if (_failure is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>
    /// Training steps come back to back with only the reduction and the optimizer update between them, so waiting
    /// threads spin briefly before blocking: waking a blocked thread costs tens of microseconds per step.
    /// </summary>
    private static readonly TimeSpan SpinBeforeBlocking = TimeSpan.FromMilliseconds(1);

    private sealed class Worker
    {
        private readonly WorkerTeam _team;
        private readonly int _index;
        private readonly TeamSignal _done;
        private readonly TeamSignal _go = new();

        public Worker(WorkerTeam team, int index, TeamSignal done)
        {
            _team = team;
            _index = index;
            _done = done;
            new Thread(Loop) { IsBackground = true, Name = $"ConvNetGen worker {index}" }.Start();
        }

        public void Start() => _go.Set();

        private void Loop()
        {
            while (true)
            {
                _go.WaitAndReset(SpinBeforeBlocking);
                try
                {
                    _team._body!(_index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _team._failure, e, null);
                }
                _done.Set();
            }
        }
    }
}
