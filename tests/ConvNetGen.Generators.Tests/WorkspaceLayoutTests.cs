using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Tests.Infrastructure;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The planned workspace itself (the buffer lengths the constructor, WorkspaceBytes and MaxWorkspaceCapacity are
/// written from): its largest capacity is exactly the last one at which every array fits.
/// </summary>
public class WorkspaceLayoutTests
{
    private static IEnumerable<ModelPlan> Plans(params TestSource[] sources) => GeneratorHarness.Run(sources).Plans;

    [Fact]
    public void TheLargestCapacityIsTheLastAtWhichEveryArrayFits()
    {
        var plans = Plans(TestModels.MnistConvNet, new("Zoo.cs", TestModels.LayerZoo), new("Norm.cs", TestModels.BatchNormalized), new("Large.cs", TestModels.LargeButValid)).ToList();
        Assert.Equal(5, plans.Count);
        foreach (var plan in plans)
        foreach (bool training in new[] { true, false })
        {
            int max = plan.Workspace.MaxCapacity(training);
            var arrays = plan.Workspace.Buffers.Where(b => b.AllocatedIn(training)).ToList();
            Assert.All(arrays, b => Assert.True(b.Size.Elements(max) <= WorkspacePlan.MaxArrayLength, $"{plan.ClassName}: {b.Name} at {max}"));
            if (max < int.MaxValue)
                Assert.Contains(arrays, b => b.Size.Elements(max + 1L) > WorkspacePlan.MaxArrayLength);
            // Inference workspaces are a subset of training ones.
            Assert.True(plan.Workspace.MaxCapacity(false) >= plan.Workspace.MaxCapacity(true));
        }
        Assert.Equal(1, plans.Single(p => p.ClassName == "Huge").Workspace.MaxTrainingCapacity);
    }
}
