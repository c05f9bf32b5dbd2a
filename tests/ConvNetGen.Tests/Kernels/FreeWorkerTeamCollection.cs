namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Tests that need the shared worker team free at some moment (a row-split product only splits when no one else holds
/// the team). Run alone, after the parallel tests: on a loaded machine the training tests running beside them could
/// hold the team for the whole of their retries.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FreeWorkerTeamCollection
{
    public const string Name = "Needs the worker team free";
}

/// <summary>Runs a kernel with the worker team's help, as single-image inference does.</summary>
internal static class TeamSplit
{
    /// <summary>
    /// <paramref name="run"/>'s result with <c>GemmRowSplit.Threads</c> = 2, retried until <paramref name="splits"/>
    /// (the calling thread's count of split runs) shows it really was split: other tests may hold the team, and the
    /// kernel then runs whole.
    /// </summary>
    public static T UntilSplit<T>(Func<long> splits, Func<T> run)
    {
        int previous = ConvNetGen.Kernels.GemmRowSplit.Threads;
        ConvNetGen.Kernels.GemmRowSplit.Threads = 2;
        try
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                long before = splits();
                var result = run();
                if (splits() > before) return result;
                Thread.Sleep(1);
            }
            Assert.Fail("the worker team was never free");
            return default!;
        }
        finally
        {
            ConvNetGen.Kernels.GemmRowSplit.Threads = previous;
        }
    }
}
