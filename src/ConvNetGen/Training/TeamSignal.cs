using System.Diagnostics;

namespace ConvNetGen;

/// <summary>
/// The worker team's hand-off flag: one thread sets it, one thread waits for it — spinning for a while, then asleep —
/// and resets it. While nobody sleeps, setting and resetting touch only the flag. (The team used a
/// ManualResetEventSlim with its wait handle made up front; such an event also sets and resets that handle every time,
/// two runtime calls under a lock on Linux: an empty hand-off took 3.9 µs on an Intel Xeon, 0.6 µs with this.) Nothing
/// allocates after construction: a sleep is a Monitor.Wait on a gate made with the signal.
/// </summary>
/// <remarks>Thread safety: for one setting thread and one waiting thread at a time, as the team uses it.</remarks>
internal sealed class TeamSignal
{
    private readonly object _gate = new();
    private int _set;      // 1 once set, until the waiter resets it
    private int _sleeping; // 1 while the waiter is in (or about to enter) Monitor.Wait

    public bool IsSet => Volatile.Read(ref _set) != 0;

    public void Set()
    {
        // Full fences on both sides (here and in Sleep): either the waiter sees the flag before it sleeps, or this
        // sees the waiter asleep and wakes it.
        Interlocked.Exchange(ref _set, 1);
        if (Volatile.Read(ref _sleeping) != 0)
            lock (_gate) Monitor.Pulse(_gate);
    }

    /// <summary>Returns once set (spinning for up to <paramref name="spin"/>, then asleep), having reset it for the next round.</summary>
    public void WaitAndReset(TimeSpan spin)
    {
        long start = Stopwatch.GetTimestamp();
        // A single image's inference hands work over dozens of times a pass, so the flag is looked at often: one pause
        // a look (SpinWait(1), ~60 ns on the Intel Xeon; SpinWait(8) cost each hand-off ~0.2 µs more, SpinWait(64)
        // a microsecond), the clock every 64 looks.
        for (int looks = 1; Volatile.Read(ref _set) == 0; looks++)
        {
            Thread.SpinWait(1);
            if ((looks & 63) == 0 && Stopwatch.GetElapsedTime(start) >= spin)
            {
                Sleep();
                break;
            }
        }
        Volatile.Write(ref _set, 0);
    }

    private void Sleep()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _sleeping, 1);
            while (Volatile.Read(ref _set) == 0) Monitor.Wait(_gate);
            Volatile.Write(ref _sleeping, 0);
        }
    }
}
