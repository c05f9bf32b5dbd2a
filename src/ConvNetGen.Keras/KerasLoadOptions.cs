namespace ConvNetGen.Keras;

/// <summary>How <see cref="KerasWeights.Load"/> matches a file's layers to a model's, as Keras' <c>load_weights</c> options.</summary>
/// <remarks>Immutable, so thread-safe.</remarks>
/// <param name="ByName">
/// Match layers by their Keras names and skip the layers only one side has (Keras' <c>by_name=True</c>), as when a
/// bigger model reuses a trained base. Without it the match is Keras' own: by position among the layers with weights
/// (legacy <c>.h5</c>) or by the layer's path <c>layers/conv2d_1</c> (Keras 3), and every layer must be matched.
/// </param>
/// <param name="SkipMismatch">
/// Skip a layer whose weights differ in count or shape instead of failing (Keras' <c>skip_mismatch=True</c>); the
/// skipped layers are listed in <see cref="KerasLoadResult.Skipped"/>.
/// </param>
/// <param name="AllowNonFinite">Load NaN and infinite values too; by default a weight holding one is refused.</param>
public sealed record KerasLoadOptions(bool ByName = false, bool SkipMismatch = false, bool AllowNonFinite = false)
{
    /// <summary>Strict: every weight of the model must be in the file and the file must hold no other layer with weights.</summary>
    public static KerasLoadOptions Strict { get; } = new();
}
