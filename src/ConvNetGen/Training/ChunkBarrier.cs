namespace ConvNetGen;

/// <summary>
/// Where the threads of one training step meet mid-pass, for statistics that span the whole batch (BatchNormalization's
/// mean and variance, and their gradient sums): every chunk signals, and none goes on until all have. Spins (the
/// chunks run the same layers, so they arrive close together), then yields; allocates nothing. A chunk that fails
/// breaks the barrier, so the others stop waiting and the step reports the first failure.
/// </summary>
internal sealed class ChunkBarrier
{
    private int _participants;
    private int _remaining;
    private volatile int _phase;
    private volatile bool _broken;

    /// <summary>Arms the barrier for a step of <paramref name="participants"/> chunks.</summary>
    public void Reset(int participants)
    {
        _participants = participants;
        _remaining = participants;
        _broken = false;
    }

    /// <summary>Marks the step as failed: waiting chunks throw instead of waiting for one that will never come.</summary>
    public void Break() => _broken = true;

    /// <summary>Returns once every chunk of the step has called this the same number of times.</summary>
    /// <exception cref="OperationCanceledException">Another chunk failed.</exception>
    public void SignalAndWait()
    {
        int phase = _phase;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _participants;
            _phase = phase + 1; // volatile write: releases the others, after the reset above
            return;
        }
        var spinner = new SpinWait();
        while (_phase == phase)
        {
            if (_broken) throw new OperationCanceledException("Another thread of this training step failed.");
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
