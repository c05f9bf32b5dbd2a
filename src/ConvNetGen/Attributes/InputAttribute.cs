namespace ConvNetGen;

/// <summary>
/// Declares a model and the shape of one input sample, channels last as in Keras:
/// <c>[Input(28, 28, 1)]</c> for height 28, width 28 and one channel, or <c>[Input(784)]</c> for a flat vector.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the input shape of one sample (without the batch dimension).</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The input shape of one sample (height, width, channels) or (features).</summary>
    public int[] Shape { get; }

    /// <summary>The input layer's name in the summary; defaults to <c>input_layer</c>.</summary>
    public string? Name { get; set; }
}
