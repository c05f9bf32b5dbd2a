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
/// <param name="Inputs">
/// The indices of the layers it reads, in order (-1 for the model's input), for layers of a graph model (Add,
/// Concatenate, a residual branch); null for the sequential default, where layer i reads layer i - 1 and layer 0 the
/// input. <see cref="InputIndices"/> gives the resolved list either way. <see cref="InputShape"/> is the first input's.
/// </param>
/// <param name="Config">Its settings (window, strides, padding, epsilon, …); null for a kind that has none (see <see cref="Settings"/>).</param>
public sealed record LayerInfo(
    int Index,
    string Name,
    LayerKind Kind,
    TensorShape InputShape,
    TensorShape OutputShape,
    Activation Activation,
    IReadOnlyList<WeightInfo> Weights,
    IReadOnlyList<int>? Inputs = null,
    LayerConfig? Config = null)
{
    /// <summary>Its settings: <see cref="Config"/>, or <see cref="LayerConfig.None"/> for a kind that has none.</summary>
    public LayerConfig Settings => Config ?? LayerConfig.None;

    /// <summary>The layers it reads, in order (-1 for the model's input): <see cref="Inputs"/>, or <c>[Index - 1]</c> when that is null.</summary>
    /// <remarks>
    /// Computed on each call (not cached in a field, which would take part in the record's equality and go stale
    /// under <c>with</c>); the model precomputes what its passes need from it.
    /// </remarks>
    public IReadOnlyList<int> InputIndices => Inputs ?? [Index - 1]; // Index 0 gives [-1], the input

    /// <summary>Whether the layer merges several inputs (Add, Concatenate); every other kind reads exactly one.</summary>
    public bool IsMerge => Kind is LayerKind.Add or LayerKind.Concatenate;

    /// <summary>The index of the layer's first weight in the parameter buffer (its weights are contiguous).</summary>
    public int ParameterOffset => Weights.Count == 0 ? 0 : Weights[0].Offset;

    /// <summary>The number of parameters, as Keras counts them (BatchNormalization's moving statistics included).</summary>
    public int ParameterCount => Weights.Sum(w => w.Length);

    /// <summary>The parameters an optimizer may change when the layer is trainable (the moving statistics excluded).</summary>
    public int TrainableVariableCount => Weights.Where(w => w.IsTrainableVariable).Sum(w => w.Length);

    /// <summary>The layer's type as Keras prints it in a summary, e.g. <c>Conv2D</c>.</summary>
    public string TypeName => Kind.ToString();
}
