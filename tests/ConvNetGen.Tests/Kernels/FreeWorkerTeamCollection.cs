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
