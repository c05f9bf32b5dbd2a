namespace ConvNetGen;

/// <summary>
/// Puts another model's layers (all but its input), or a <see cref="BlockAttribute">block</see>'s, at this point of
/// the model. Without a <see cref="Name"/> they keep the names they have there, so a trained base's weights load by
/// name (<c>LoadWeights(path, byName: true)</c> or <c>CopyWeightsFrom</c>); with one, each is scoped under it
/// (<c>layer1_0/conv1</c>) and the name itself refers to the included layers' output. The included model must be
/// declared in the same project; the generator checks that the shape arriving here is the included model's input shape
/// (a block takes whatever arrives, and is checked with it).
/// </summary>
/// <example>
/// <code>
/// [Input(28, 28, 1)]
/// [Include(typeof(ConvBase))]
/// [Dense(5, Activation = Activation.Softmax)]
/// public partial class Classifier;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IncludeAttribute(Type model) : Attribute
{
    /// <summary>The model or block whose layers are included.</summary>
    public Type Model { get; } = model;

    /// <summary>The scope of the included layers' names (<c>layer1_0</c> → <c>layer1_0/conv1</c>); by default none.</summary>
    public string? Name { get; set; }

    /// <summary>The layer whose output the included layers read, by name; defaults to the layer above.</summary>
    public string? Input { get; set; }

    /// <summary>What <see cref="Block.Filters"/> stands for in the included block (0: not given).</summary>
    public int Filters { get; set; }

    /// <summary>What <see cref="Block.Strides"/> stands for in the included block (default 1).</summary>
    public int Strides { get; set; } = 1;
}
