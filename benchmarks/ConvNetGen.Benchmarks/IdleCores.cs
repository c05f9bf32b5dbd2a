using System.Diagnostics;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// Lets the threads a contender leaves spinning go to sleep before the next contender is timed. A runtime's thread
/// pool spins for a while after each call so that the next call starts at once: ours for 1 ms, ONNX Runtime's
/// for ~50 ms on an Intel Xeon (a million PAUSE instructions). Timed straight after, the next contender shares
/// a core with the spinning thread: on the Intel Xeon of 2026-12-03 that cut our MNIST batch-64 throughput in
/// the scale process from ~42,000 to ~9,000 images/s (ORT's own blocks, which follow ours, lose only 1 ms).
/// </summary>
internal static class IdleCores
{
    /// <summary>
    /// Sleeps until the process used (almost) no CPU time over a 30 ms window, or for at most a second. The kernel
    /// counts CPU time in 10 ms ticks: one spinning thread adds three a window, an idle process none (one allows for
    /// noise).
    /// </summary>
    public static void Wait()
    {
        using var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var used = process.TotalProcessorTime;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            Thread.Sleep(30);
            process.Refresh();
            var now = process.TotalProcessorTime;
            if (now - used <= TimeSpan.FromMilliseconds(10)) return;
            used = now;
        }
    }
}
