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
/// One layer attribute as written, before any checking (for layers included from another model, also that model's
/// name and input shape, checked where they are included): every argument any kind takes (unused ones keep their
/// defaults), and where the attribute stands in the source.
/// </summary>
internal sealed record LayerSpec(
    LayerKind Kind,
    string? Name,
    LocationInfo? Location,
    int Units = 0,
    int WindowHeight = 0,
    int WindowWidth = 0,
    int StrideHeight = 0,
    int StrideWidth = 0,
    PaddingKind Padding = PaddingKind.Valid,
    ActivationKind Activation = ActivationKind.Linear,
    bool UseBias = true,
    double Rate = 0,
    double Momentum = 0.99,
    double Epsilon = 0.001,
    double Scale = 1,
    double Offset = 0,
    string? Included = null,
    string? IncludedFrom = null,
    EquatableArray<int> IncludedInput = default);
