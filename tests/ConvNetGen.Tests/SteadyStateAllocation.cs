namespace ConvNetGen.Tests;

/// <summary>
/// Bytes a piece of code allocates on the calling thread once warm. The JIT's background tier-up can charge a few
/// hundred bytes to whichever thread is running when it swaps code in, so one measurement can be off while other
/// tests run: this measures several rounds and keeps the smallest. Code that really allocates per call shows in
/// every round.
/// </summary>
internal static class SteadyStateAllocation
{
    public static long Measure(Action round, int rounds = 20)
    {
        round(); // warm up: JIT, static constructors, buffers grown on first use
        long smallest = long.MaxValue;
        for (int i = 0; i < rounds && smallest > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return smallest;
    }
}
