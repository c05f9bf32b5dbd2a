namespace ConvNetGen;

/// <summary>
/// Reads an <see cref="IDataset"/>'s samples in a given order into batches on background threads, a bounded number
/// of batches ahead (<see cref="Prefetch"/>): memory holds that many batches whatever the dataset's size, and the
/// training threads wait only when reading is slower than training. Batches come out in order, each holding the
/// samples of its slice of the order that were not skipped, so every sample is read exactly once per pass.
/// </summary>
/// <remarks>
/// Disposing stops the readers (after the sample each is on) and waits for them, also mid-pass: a Fit that throws
/// leaves no thread behind. An exception a reader meets comes out of <see cref="Next"/> for the batch it was reading.
/// </remarks>
internal sealed class BatchPipeline : IDisposable
{
    /// <summary>Batches read ahead of the consumer.</summary>
    public const int Prefetch = 3;

    private readonly IDataset _dataset;
    private readonly int[] _order;
    private readonly int _batchSize;
    private readonly int _sampleSize;
    private readonly Slot[] _slots;
    private readonly Thread[] _readers;
    private readonly object _gate = new(); // Monitor.Wait/PulseAll: readers and the consumer hand slots over
    private int _nextToRead = -1; // the last batch number a reader took
    private int _nextToDeliver;
    private int _delivered = -1; // the batch the consumer holds, released by the next call to Next
    private volatile bool _stopping;

    public BatchPipeline(IDataset dataset, int[] order, int batchSize, int readers)
    {
        _dataset = dataset;
        _order = order;
        _batchSize = batchSize;
        _sampleSize = checked(dataset.Height * dataset.Width * dataset.Channels);
        Batches = (order.Length + batchSize - 1) / batchSize;
        _slots = new Slot[Math.Min(Prefetch, Math.Max(1, Batches))];
        for (int s = 0; s < _slots.Length; s++)
            _slots[s] = new Slot { Images = new float[batchSize * _sampleSize], Labels = new int[batchSize], Turn = s, Ready = -1 };
        _readers = new Thread[Math.Clamp(readers, 1, _slots.Length)];
        for (int r = 0; r < _readers.Length; r++)
        {
            _readers[r] = new Thread(ReadLoop) { IsBackground = true, Name = $"ConvNetGen batch reader {r}" };
            _readers[r].Start();
        }
    }

    /// <summary>The number of batches in the pass.</summary>
    public int Batches { get; }

    /// <summary>
    /// The next batch, in order: its images (channels last) and labels, valid until the next call, and how many
    /// samples it holds (fewer than its slice when files were skipped, possibly none). False after the last.
    /// </summary>
    public bool Next(out float[] images, out int[] labels, out int count)
    {
        lock (_gate)
        {
            if (_delivered >= 0) Release(_delivered);
            _delivered = -1;
            if (_nextToDeliver >= Batches)
            {
                images = [];
                labels = [];
                count = 0;
                return false;
            }
            int k = _nextToDeliver;
            var slot = _slots[k % _slots.Length];
            while (slot.Ready != k) Monitor.Wait(_gate);
            _nextToDeliver++;
            _delivered = k;
            if (slot.Error is { } error)
            {
                slot.Error = null;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
            images = slot.Images;
            labels = slot.Labels;
            count = slot.Count;
            return true;
        }
    }

    private void Release(int k)
    {
        var slot = _slots[k % _slots.Length];
        slot.Turn = k + _slots.Length;
        Monitor.PulseAll(_gate);
    }

    private void ReadLoop()
    {
        try
        {
            while (!_stopping)
            {
                int k = Interlocked.Increment(ref _nextToRead);
                if (k >= Batches) return;
                var slot = _slots[k % _slots.Length];
                lock (_gate)
                {
                    while (slot.Turn != k && !_stopping) Monitor.Wait(_gate);
                    if (_stopping) return;
                }
                int count = 0;
                Exception? error = null;
                try
                {
                    int first = k * _batchSize, end = Math.Min(_order.Length, first + _batchSize);
                    for (int i = first; i < end && !_stopping; i++)
                    {
                        int label = _dataset.Read(_order[i], slot.Images.AsSpan(count * _sampleSize, _sampleSize));
                        if (label < 0) continue; // skipped: the dataset counted and reported it
                        slot.Labels[count++] = label;
                    }
                }
                catch (Exception e)
                {
                    error = e;
                }
                lock (_gate)
                {
                    slot.Count = count;
                    slot.Error = error;
                    slot.Ready = k;
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (ThreadInterruptedException)
        {
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var reader in _readers) reader.Join();
    }

    private sealed class Slot
    {
        public required float[] Images;
        public required int[] Labels;
        public int Count;
        public int Turn;  // the batch allowed to fill this slot next
        public int Ready; // the batch this slot holds, once read
        public Exception? Error;
    }
}
