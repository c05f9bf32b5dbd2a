namespace ConvNetGen;

/// <summary>
/// A generated model's architecture as the generator inferred it at build time: every layer's shapes and weights,
/// and the parameter counts Keras prints. Each generated model exposes one as its static <c>Architecture</c>.
/// The layers form a graph: each reads the input or earlier layers (<see cref="LayerInfo.InputIndices"/>), so index
/// order is an order to run them in, and the last layer is the output.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class ModelArchitecture
{
    private readonly Dictionary<string, LayerInfo> _byName;
    private readonly int[][] _consumers; // per layer, the layers that read it, ascending
    private readonly int[] _inputConsumers;
    private readonly int[][] _ancestors; // per layer, every layer its inputs come from, transitively, ascending

    /// <summary>Creates an architecture; generated code calls this once per model type.</summary>
    /// <exception cref="ArgumentException">
    /// There are no layers; a layer's <see cref="LayerInfo.Index"/> is not its position; two layers (or a layer and the
    /// input) share a name; a weight's name contains '/'; a layer reads nothing, reads a layer that is not before it, or
    /// reads several when it is not a merge layer. The message names the layer. (A layer no one reads is allowed: the
    /// generator warns about it, CNG0023, and never runs it; the last layer is the model's only output.)
    /// </exception>
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

        _byName = new Dictionary<string, LayerInfo>(StringComparer.Ordinal);
        var consumers = new List<int>[layers.Count];
        var inputConsumers = new List<int>();
        _ancestors = new int[layers.Count][];
        bool sequential = true;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i] ?? throw new ArgumentException($"Model '{name}': layer {i} is null.", nameof(layers));
            consumers[i] = [];
            string where = $"Model '{name}', layer {i} '{layer.Name}'";
            if (layer.Index != i)
                throw new ArgumentException($"{where} has Index {layer.Index}; a layer's Index is its position.", nameof(layers));
            if (layer.Name == inputName || !_byName.TryAdd(layer.Name, layer))
                throw new ArgumentException($"{where}: the name is already taken by {(layer.Name == inputName ? "the input layer" : $"layer {_byName[layer.Name].Index}")}; names must be unique.", nameof(layers));
            if (layer.Weights.FirstOrDefault(w => w.Name.Contains('/')) is { } slashed)
                throw new ArgumentException($"{where} has a weight named '{slashed.Name}'; a weight's name may not contain '/' (it separates the layer's name from the weight's).", nameof(layers));

            var inputs = layer.InputIndices;
            if (inputs.Count == 0)
                throw new ArgumentException($"{where} reads no layer; Inputs needs at least one index (-1 for the model's input).", nameof(layers));
            if (inputs.Count > 1 && !layer.IsMerge)
                throw new ArgumentException($"{where} is a {layer.TypeName} and reads one layer, but Inputs lists {inputs.Count}: [{string.Join(", ", inputs)}]; only Add and Concatenate read several.", nameof(layers));
            var ancestors = new SortedSet<int>();
            foreach (int input in inputs)
            {
                // Only earlier layers: the order is a topological one, which keeps the graph acyclic and lets the passes run in index order.
                if (input < -1 || input >= i)
                    throw new ArgumentException($"{where} reads layer {input}; a layer reads -1 (the model's input) or a layer before it (0 to {i - 1}).", nameof(layers));
                if (input == -1)
                {
                    if (!inputConsumers.Contains(i)) inputConsumers.Add(i);
                    continue;
                }
                if (!consumers[input].Contains(i)) consumers[input].Add(i);
                ancestors.Add(input);
                ancestors.UnionWith(_ancestors[input]);
            }
            _ancestors[i] = [.. ancestors];
            sequential &= inputs.Count == 1 && inputs[0] == i - 1;
        }
        _consumers = consumers.Select(c => c.ToArray()).ToArray();
        _inputConsumers = [.. inputConsumers];
        IsSequential = sequential;
    }

    /// <summary>The model's name (its class name).</summary>
    public string Name { get; }

    /// <summary>The input layer's name (<c>input_layer</c> unless the model names it).</summary>
    public string InputName { get; }

    /// <summary>The shape of one input sample.</summary>
    public TensorShape InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    public TensorShape OutputShape => Layers[^1].OutputShape;

    /// <summary>The layers after the input, in order; each reads only the input and layers before it.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>
    /// Whether every layer reads exactly the one before it (the first reads the input), as in a Keras
    /// <c>Sequential</c> model; false for graph models (branches, Add, Concatenate). Keras' summary shows its
    /// "Connected to" column only when this is false.
    /// </summary>
    public bool IsSequential { get; }

    /// <summary>The layers that read layer <paramref name="layerIndex"/>, in ascending order; -1 gives those that read the model's input.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is below -1 or not a layer's index.</exception>
    public IReadOnlyList<int> Consumers(int layerIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layerIndex, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, Layers.Count);
        return layerIndex == -1 ? _inputConsumers : _consumers[layerIndex];
    }

    /// <summary>Every layer whose output reaches layer <paramref name="layerIndex"/> through its inputs, transitively, ascending; the model's input not included.</summary>
    internal ReadOnlySpan<int> Ancestors(int layerIndex) => _ancestors[layerIndex];

    /// <summary>All parameters, as Keras' "Total params".</summary>
    public int ParameterCount { get; }

    /// <summary>Parameters no gradient updates when every layer is trainable (BatchNormalization's moving statistics).</summary>
    public int NonTrainableParameterCount { get; }

    /// <summary>Keras' "Trainable params" when every layer is trainable.</summary>
    public int TrainableParameterCount => ParameterCount - NonTrainableParameterCount;

    /// <summary>Finds a layer by its name.</summary>
    /// <exception cref="KeyNotFoundException">No layer has that name; the message lists the names there are.</exception>
    /// <remarks>Names may contain '/' (layers of an included block, e.g. <c>layer1_0/conv1</c>); the whole name must match.</remarks>
    public LayerInfo this[string layerName] =>
        _byName.GetValueOrDefault(layerName)
        ?? throw new KeyNotFoundException($"Model '{Name}' has no layer '{layerName}'. Its layers: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>Keras' summary table, with the given number of parameters per layer counted as not trainable.</summary>
    internal string FormatSummary(Func<LayerInfo, int> trainableCount)
    {
        var rows = new List<SummaryTable.Row> { new($"{InputName} (InputLayer)", InputShape.ToBatchString(), 0) };
        long trainable = 0;
        foreach (var layer in Layers)
        {
            // Only a graph's summary shows the connections (Keras' "Connected to" column); a sequential one keeps three columns.
            string[]? connections = IsSequential ? null : layer.InputIndices.Select(i => i == -1 ? InputName : Layers[i].Name).ToArray();
            rows.Add(new($"{layer.Name} ({layer.TypeName})", layer.OutputShape.ToBatchString(), layer.ParameterCount, connections));
            trainable += trainableCount(layer);
        }
        return SummaryTable.Format(Name, rows, trainable, ParameterCount - trainable, connected: !IsSequential);
    }

    /// <summary>Keras' summary table with every layer trainable, as the generator prints it.</summary>
    public override string ToString() => FormatSummary(l => l.TrainableVariableCount);
}
