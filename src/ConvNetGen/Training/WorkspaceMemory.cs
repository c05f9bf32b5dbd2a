namespace ConvNetGen;

/// <summary>
/// Checks a workspace request against what this process can really get, before anything is allocated, so a batch
/// that cannot fit is a clear error naming the batch and the memory instead of an OutOfMemoryException mid-way.
/// </summary>
internal static class WorkspaceMemory
{
    /// <summary>
    /// The bytes this process may still allocate: the machine's (or container's) memory limit less the managed heap
    /// in use, plus <paramref name="released"/>, memory about to be freed to make room.
    /// </summary>
    public static long Available(long released)
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Max(0, limit - GC.GetTotalMemory(forceFullCollection: false) + released);
    }

    /// <summary>Throws when <paramref name="needed"/> bytes are more than <see cref="Available"/>; <paramref name="what"/> says for what.</summary>
    /// <exception cref="InsufficientMemoryException">The request does not fit.</exception>
    public static void EnsureFits(long needed, long released, Func<long, string> what)
    {
        long available = Available(released);
        if (needed > available)
            throw new InsufficientMemoryException(
                $"{what(available)} needs {SummaryTable.Bytes(needed)} of buffers, but this process can get about {SummaryTable.Bytes(available)}.");
    }
}
