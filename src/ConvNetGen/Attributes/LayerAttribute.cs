namespace ConvNetGen;

/// <summary>
/// Base of every layer attribute. Layers are read in source order, top to bottom, after the model's
/// <see cref="InputAttribute"/>.
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>The layer's name. Defaults to Keras' naming: <c>conv2d</c>, <c>conv2d_1</c>, <c>max_pooling2d</c>, …</summary>
    public string? Name { get; set; }
}
