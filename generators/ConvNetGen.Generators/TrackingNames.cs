namespace ConvNetGen.Generators;

/// <summary>Names of the pipeline steps, so tests can check each one stays cached after an unrelated edit.</summary>
public static class TrackingNames
{
    /// <summary>Classes with [Input] read into plain model specs.</summary>
    public const string ReadModels = nameof(ReadModels);
    /// <summary>Classes with [Block] read into plain specs.</summary>
    public const string ReadBlocks = nameof(ReadBlocks);
    /// <summary>[Include(typeof(Other))] replaced by Other's layers.</summary>
    public const string ResolveIncludes = nameof(ResolveIncludes);
    /// <summary>Specs checked and planned (shapes, names, parameter layout, diagnostics).</summary>
    public const string PlanModels = nameof(PlanModels);
    /// <summary>Classes with layer attributes but no [Input].</summary>
    public const string FindModelsWithoutInput = nameof(FindModelsWithoutInput);
}
