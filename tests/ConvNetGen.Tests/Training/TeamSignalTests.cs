namespace ConvNetGen.Tests.Training;

/// <summary>The worker team's hand-off flag: seen when set before or during the wait, spinning or asleep, and reset by the wait.</summary>
public sealed class TeamSignalTests
{
    [Fact]
    public void A_signal_set_before_the_wait_returns_at_once_and_is_reset()
    {
        var signal = new TeamSignal();
        signal.Set();
        Assert.True(signal.IsSet);
        signal.WaitAndReset(TimeSpan.FromSeconds(10));
        Assert.False(signal.IsSet);
    }

    [Fact]
    public void A_sleeping_waiter_is_woken_by_a_later_set()
    {
        var signal = new TeamSignal();
        var waiter = new Thread(() => signal.WaitAndReset(TimeSpan.Zero)) { IsBackground = true }; // spins 64 looks, then sleeps
        waiter.Start();
        Thread.Sleep(100);
        Assert.True(waiter.IsAlive);
        signal.Set();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), "the set did not wake the waiter");
        Assert.False(signal.IsSet);
    }

    [Theory]
    [InlineData(0)]    // every round sleeps or races the sleep: a lost wake-up would hang the ping-pong
    [InlineData(1000)] // every round seen while spinning
    public void Ping_pong_between_two_threads_loses_no_round(int spinMicroseconds)
    {
        var spin = TimeSpan.FromMicroseconds(spinMicroseconds);
        var go = new TeamSignal();
        var done = new TeamSignal();
        const int Rounds = 20_000;
        int seen = 0;
        var worker = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                go.WaitAndReset(spin);
                seen++;
                done.Set();
            }
        }) { IsBackground = true };
        worker.Start();
        int mismatches = 0;
        var setter = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                go.Set();
                done.WaitAndReset(spin);
                if (Volatile.Read(ref seen) != i + 1) mismatches++;
            }
        }) { IsBackground = true };
        setter.Start();
        Assert.True(setter.Join(TimeSpan.FromMinutes(1)), $"stuck after {Volatile.Read(ref seen)} of {Rounds} rounds: a wake-up was lost");
        Assert.Equal(0, mismatches);
        Assert.True(worker.Join(TimeSpan.FromSeconds(10)));
    }
}
