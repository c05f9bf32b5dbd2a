namespace ConvNetGen.Generators.Model;

/// <summary>
/// What the reading stage found on one model class: where to emit it, its input and layers in source order, and the
/// declaration problems found while reading (not partial, generic, …). Plain data only.
/// </summary>
internal sealed record ModelSpec(
    string FullName,
    string? Namespace,
    string ClassName,
    string HintName,
    bool CanEmit,
    string InputName,
    EquatableArray<int> InputShape,
    LocationInfo? InputLocation,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>A [Block]: no input of its own, checked and emitted only where it is included.</summary>
    public bool IsBlock { get; init; }
}
