namespace ConvNetGen.Generators.Model;

/// <summary>The layer kinds the generator knows; the names match the runtime's <c>ConvNetGen.LayerKind</c>.</summary>
internal enum LayerKind
{
    Input,
    Conv2D,
    MaxPooling2D,
    AveragePooling2D,
    GlobalAveragePooling2D,
    Flatten,
    Dense,
    Dropout,
    BatchNormalization,
    Rescaling,
    ZeroPadding2D,
    Activation,
    Add,
    Concatenate,
    GlobalMaxPooling2D,
    RandomFlip,
    RandomTranslation,
    RandomCrop,
    RandomContrast,
    RandomBrightness,
    RandomRotation,
    RandomZoom,
    /// <summary>[Include(typeof(Other))]: replaced by the other model's layers before shapes are inferred.</summary>
    Include,
}

/// <summary>Mirrors <c>ConvNetGen.Activation</c>; the numeric values are the attribute's.</summary>
internal enum ActivationKind
{
    Linear = 0,
    ReLU = 1,
    Sigmoid = 2,
    Tanh = 3,
    Softmax = 4,
}

/// <summary>Mirrors <c>ConvNetGen.Padding</c>.</summary>
internal enum PaddingKind
{
    Valid = 0,
    Same = 1,
}

/// <summary>
/// A tensor a layer reads, as written: by <see cref="Name"/>, or (names null) the output of layer <see cref="Layer"/>
/// of the list it stands in, -1 being that list's input (a block's <c>Block.Input</c>, or what arrives at an [Include]).
/// </summary>
internal readonly record struct TensorRef(string? Name, int Layer)
{
    public static TensorRef Named(string name) => new(name, 0);

    public static TensorRef At(int layer) => new(null, layer);

    /// <summary>The input of the list the reference stands in.</summary>
    public static readonly TensorRef ListInput = At(-1);

    public override string ToString() => Name ?? (Layer < 0 ? "(input)" : "#" + Layer);
}

/// <summary>
/// One layer attribute as written, before any checking: its kind, name, where it stands, what it reads (empty: the
/// layer above), and its kind's own arguments (<see cref="LayerArguments"/>, one record per kind, defined next to the
/// kind's <c>LayerDefinition</c>). Layers included from another model carry that model's name and input shape, checked
/// where they are included.
/// </summary>
internal sealed record LayerSpec(
    LayerKind Kind,
    string? Name,
    LocationInfo? Location,
    LayerArguments Arguments)
{
    /// <summary>The tensors it reads, in order; empty for the layer above (or the list's input for the first layer).</summary>
    public EquatableArray<TensorRef> Inputs { get; init; } = EquatableArray<TensorRef>.Empty;

    /// <summary>The model whose first layer this is, when included from one (not a block): checked against its input shape.</summary>
    public string? IncludedFrom { get; init; }

    /// <summary>With <see cref="IncludedFrom"/>: that model's input shape.</summary>
    public EquatableArray<int> IncludedInput { get; init; }

    /// <summary>Named <c>scope/name</c> by a named [Include] (so the name holds a '/', which user-written names may not).</summary>
    public bool IsScoped { get; init; }

    /// <summary>Names this layer's output also answers to: the Name of each named [Include] it ends.</summary>
    public EquatableArray<string> Aliases { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The activation the layer applies (Linear for kinds without one).</summary>
    public ActivationKind Activation => Arguments.Activation;

    /// <summary>The kind's arguments, typed.</summary>
    public T Args<T>() where T : LayerArguments => (T)Arguments;
}

/// <summary>A kind's arguments as written (a record per kind, so specs compare by value and the pipeline stays cached).</summary>
internal abstract record LayerArguments
{
    /// <summary>The activation the layer applies; Linear unless the kind has one.</summary>
    public virtual ActivationKind Activation => ActivationKind.Linear;
}

/// <summary>For kinds with nothing to set (Flatten, the global poolings, Add, Concatenate).</summary>
internal sealed record NoArguments : LayerArguments
{
    public static readonly NoArguments Instance = new();
}

/// <summary>A sliding window: size, strides and padding (Conv2D's kernel, a pooling's pool).</summary>
internal sealed record Window(int Height, int Width, int StrideHeight, int StrideWidth, PaddingKind Padding);

/// <summary>[Include(typeof(Other), Name = …, Input = …, Filters = …, Strides = …)], before it is expanded.</summary>
internal sealed record IncludeArguments(string? Model, string? Scope, int Filters, int Strides) : LayerArguments;
