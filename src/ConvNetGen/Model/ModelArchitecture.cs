namespace ConvNetGen;

/// <summary>
/// A generated model's architecture as the generator inferred it at build time: every layer's shapes and weights,
/// and the parameter counts Keras prints. Each generated model exposes one as its static <c>Architecture</c>.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class ModelArchitecture
{
    /// <summary>Creates an architecture; generated code calls this once per model type.</summary>
    public ModelArchitecture(string name, string inputName, TensorShape inputShape, IReadOnlyList<LayerInfo> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        Name = name;
        InputName = inputName;
        InputShape = inputShape;
        Layers = layers;
        ParameterCount = layers.Sum(l => l.ParameterCount);
        NonTrainableParameterCount = layers.Sum(l => l.ParameterCount - l.TrainableVariableCount);
    }

    /// <summary>The model's name (its class name).</summary>
    public string Name { get; }

    /// <summary>The input layer's name (<c>input_layer</c> unless the model names it).</summary>
    public string InputName { get; }

    /// <summary>The shape of one input sample.</summary>
    public TensorShape InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    public TensorShape OutputShape => Layers[^1].OutputShape;

    /// <summary>The layers after the input, in order.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>All parameters, as Keras' "Total params".</summary>
    public int ParameterCount { get; }

    /// <summary>Parameters no gradient updates when every layer is trainable (BatchNormalization's moving statistics).</summary>
    public int NonTrainableParameterCount { get; }

    /// <summary>Keras' "Trainable params" when every layer is trainable.</summary>
    public int TrainableParameterCount => ParameterCount - NonTrainableParameterCount;

    /// <summary>Finds a layer by its name.</summary>
    /// <exception cref="KeyNotFoundException">No layer has that name; the message lists the names there are.</exception>
    public LayerInfo this[string layerName] =>
        Layers.FirstOrDefault(l => l.Name == layerName)
        ?? throw new KeyNotFoundException($"Model '{Name}' has no layer '{layerName}'. Its layers: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>Keras' summary table, with the given number of parameters per layer counted as not trainable.</summary>
    internal string FormatSummary(Func<LayerInfo, int> trainableCount)
    {
        var rows = new List<SummaryTable.Row> { new($"{InputName} (InputLayer)", InputShape.ToBatchString(), 0) };
        long trainable = 0;
        foreach (var layer in Layers)
        {
            rows.Add(new($"{layer.Name} ({layer.TypeName})", layer.OutputShape.ToBatchString(), layer.ParameterCount));
            trainable += trainableCount(layer);
        }
        return SummaryTable.Format(Name, rows, trainable, ParameterCount - trainable);
    }

    /// <summary>Keras' summary table with every layer trainable, as the generator prints it.</summary>
    public override string ToString() => FormatSummary(l => l.TrainableVariableCount);
}
