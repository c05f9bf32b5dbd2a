namespace ConvNetGen.Keras;

/// <summary>What <see cref="KerasWeights.Load"/> did: the format it read, the layers it loaded and those it skipped.</summary>
/// <remarks>Immutable, so thread-safe.</remarks>
/// <param name="Format">The layout found in the file.</param>
/// <param name="Loaded">The model's layers whose weights were loaded, in the model's order.</param>
/// <param name="Skipped">Layers left as they were under <see cref="KerasLoadOptions.SkipMismatch"/>, each with the reason.</param>
public sealed record KerasLoadResult(KerasFileFormat Format, IReadOnlyList<string> Loaded, IReadOnlyList<string> Skipped);
