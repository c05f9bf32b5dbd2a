namespace ConvNetGen;

/// <summary>
/// A layer of a generated model as the generator inferred it at build time: its Keras name and kind, the shapes it
/// takes and gives for one sample, and its weights' places in the model's parameter buffer.
/// </summary>
/// <param name="Index">Its position among the model's layers, the input layer excluded (0 is the first layer after the input).</param>
/// <param name="Name">The Keras name, e.g. <c>conv2d_1</c>.</param>
/// <param name="Kind">The layer's kind.</param>
/// <param name="InputShape">The shape of one input sample.</param>
/// <param name="OutputShape">The shape of one output sample.</param>
/// <param name="Activation">The fused activation (Linear for layers without one).</param>
/// <param name="Weights">The layer's weight tensors, in Keras order (kernel, bias; gamma, beta, moving_mean, moving_variance).</param>
public sealed record LayerInfo(
    int Index,
    string Name,
    LayerKind Kind,
    TensorShape InputShape,
    TensorShape OutputShape,
    Activation Activation,
    IReadOnlyList<WeightInfo> Weights)
{
    /// <summary>The index of the layer's first weight in the parameter buffer (its weights are contiguous).</summary>
    public int ParameterOffset => Weights.Count == 0 ? 0 : Weights[0].Offset;

    /// <summary>The number of parameters, as Keras counts them (BatchNormalization's moving statistics included).</summary>
    public int ParameterCount => Weights.Sum(w => w.Length);

    /// <summary>The parameters an optimizer may change when the layer is trainable (the moving statistics excluded).</summary>
    public int TrainableVariableCount => Weights.Where(w => w.IsTrainableVariable).Sum(w => w.Length);

    /// <summary>The layer's type as Keras prints it in a summary, e.g. <c>Conv2D</c>.</summary>
    public string TypeName => Kind.ToString();
}
