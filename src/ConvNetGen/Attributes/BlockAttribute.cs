namespace ConvNetGen;

/// <summary>
/// Declares a block: layers written once and put into models with <see cref="IncludeAttribute"/>, as often as needed,
/// each time under its own <see cref="IncludeAttribute.Name"/> (so <c>layer1_0/conv1</c> and <c>layer1_1/conv1</c>
/// are two layers with their own weights). A block has no <see cref="InputAttribute"/>: it takes the shape that
/// arrives where it is included, and it is checked there. Its layers may read <see cref="Block.Input"/> and use
/// <see cref="Block.Filters"/> and <see cref="Block.Strides"/>, which each [Include] sets.
/// </summary>
/// <example>
/// <code>
/// [Block]
/// [Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
/// [BatchNormalization(Name = "bn1")]
/// [Activation(Activation.ReLU, Name = "relu1")]
/// [Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
/// [BatchNormalization(Name = "bn2")]
/// [Add("bn2", Block.Input, Name = "add")]
/// [Activation(Activation.ReLU, Name = "relu2")]
/// public partial class BasicBlock;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute;

/// <summary>What a block's layers refer to: its input, and the numbers each [Include] of it gives.</summary>
public static class Block
{
    /// <summary>The name of the tensor a block receives (use it as a layer's <c>Input</c> or in Add/Concatenate).</summary>
    public const string Input = "block_input";

    /// <summary>
    /// As a Conv2D's or Dense's filter/unit count: the <see cref="IncludeAttribute.Filters"/> the block is included with.
    /// A multiple of it (<c>4 * Block.Filters</c>) means that multiple, as in a bottleneck block's expansion.
    /// </summary>
    public const int Filters = -1;

    /// <summary>As a Conv2D's or pooling's <c>Strides</c>: the <see cref="IncludeAttribute.Strides"/> the block is included with.</summary>
    public const int Strides = -1;
}
