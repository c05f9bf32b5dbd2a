namespace ConvNetGen;

/// <summary>
/// A layer of a model instance: its build-time description and whether training may change it
/// (Keras' <c>layer.trainable</c>).
/// </summary>
/// <remarks>Thread-safe as its model is: setting <see cref="Trainable"/> is refused while the model trains.</remarks>
public sealed class Layer
{
    private readonly Model _model;

    internal Layer(Model model, LayerInfo info)
    {
        _model = model;
        Info = info;
    }

    /// <summary>The layer's build-time description: kind, shapes, weights.</summary>
    public LayerInfo Info { get; }

    /// <summary>The layer's name, e.g. <c>conv2d_1</c>.</summary>
    public string Name => Info.Name;

    /// <summary>
    /// Whether training updates this layer's weights. A frozen layer computes no weight gradient; a frozen
    /// BatchNormalization layer also runs in inference mode (moving statistics, none updated), as in Keras.
    /// Takes effect at the next training step; no recompile is needed.
    /// </summary>
    public bool Trainable
    {
        get => _model.IsTrainable(Info.Index);
        set => _model.SetTrainable(Info.Index, value);
    }

    /// <summary>The layer's weights as a span over the model's parameter buffer, by weight name (<c>kernel</c>, <c>bias</c>, …).</summary>
    /// <exception cref="KeyNotFoundException">The layer has no such weight; the message lists the ones it has.</exception>
    public Span<float> Weights(string weightName)
    {
        ArgumentNullException.ThrowIfNull(weightName);
        // Looked up in this layer directly: joining "{Name}/{weightName}" and splitting it again could land on another
        // layer once names contain '/' (layer "a", weight "b/kernel" would read layer "a/b").
        return _model.WeightsOf(Info, weightName);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Info.TypeName}){(Trainable ? "" : ", frozen")}";
}
