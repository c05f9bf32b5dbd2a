namespace ConvNetGen;

/// <summary>
/// Puts another model's layers (all but its input) at this point of the model, under the names they have there, so
/// a trained base's weights load by name (<c>LoadWeights(path, byName: true)</c> or <c>CopyWeightsFrom</c>).
/// The included model must be declared in the same project; the generator checks that the shape arriving here is the
/// included model's input shape.
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
    /// <summary>The model whose layers are included.</summary>
    public Type Model { get; } = model;
}
