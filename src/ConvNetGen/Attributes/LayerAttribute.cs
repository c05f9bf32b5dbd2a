namespace ConvNetGen;

/// <summary>
/// Base of every layer attribute. Layers are read in source order, top to bottom, after the model's
/// <see cref="InputAttribute"/>.
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>The layer's name. Defaults to Keras' naming: <c>conv2d</c>, <c>conv2d_1</c>, <c>max_pooling2d</c>, …</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The layer whose output this layer reads, by name (or <see cref="InputAttribute.Name"/> for the model's input,
    /// <see cref="Block.Input"/> for a block's). Defaults to the layer written above it, so a model without any names
    /// is a plain stack. Only layers above can be named: source order is the order the layers run in.
    /// </summary>
    public string? Input { get; set; }
}
