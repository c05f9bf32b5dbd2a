namespace ConvNetGen;

/// <summary>
/// Adds two or more tensors of the same shape element by element, e.g. a residual block's branch and its shortcut.
/// Keras' <c>layers.Add</c>.
/// </summary>
/// <example><c>[Add("bn2", Block.Input)]</c></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute(params string[] inputs) : LayerAttribute
{
    /// <summary>The layers whose outputs are added, by name (at least two, all of one shape).</summary>
    public string[] Inputs { get; } = inputs;
}

/// <summary>
/// Joins two or more (height, width, channels) tensors along the channels axis, in the order given; their heights and
/// widths must match. Keras' <c>layers.Concatenate</c> with its default <c>axis=-1</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatenateAttribute(params string[] inputs) : LayerAttribute
{
    /// <summary>The layers whose outputs are joined, by name (at least two).</summary>
    public string[] Inputs { get; } = inputs;
}
