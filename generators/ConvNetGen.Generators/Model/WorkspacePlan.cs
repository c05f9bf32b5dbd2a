namespace ConvNetGen.Generators.Model;

/// <summary>
/// A buffer's length for a workspace of <c>capacity</c> samples, as data:
/// <c>Fixed + PerSample · capacity</c> elements. The constructor, the byte count and the largest capacity are all
/// written from this, so they cannot disagree.
/// </summary>
internal readonly record struct BufferSize(long Fixed, long PerSample)
{
    public static BufferSize Constant(long elements) => new(elements, 0);

    public static BufferSize Samples(long perSample) => new(0, perSample);

    public static readonly BufferSize None = Constant(0);

    /// <summary>Elements for <paramref name="capacity"/> samples, in decimal so no capacity up to int.MaxValue can overflow it.</summary>
    public decimal Elements(long capacity) => Fixed + (decimal)PerSample * capacity;
}

/// <summary>What a workspace field is: an array of its own, another buffer's array, or never used (an empty array).</summary>
internal enum BufferKind
{
    Allocated,
    Alias,
    Unused,
}

/// <summary>
/// One array of a model's workspace: its field name, element type and length, and whether an inference workspace
/// needs it — <see cref="TrainingOnly"/> when only the backward pass or a training-mode forward (dropout masks,
/// batch statistics) touches it, so a forward with <c>training: false</c> never does.
/// </summary>
/// <param name="Layer">The layer that owns it, or -1 for the base class's arrays (input, labels, parameter gradients), which are counted but not emitted.</param>
/// <param name="AliasOf">For <see cref="BufferKind.Alias"/>: the field whose array this one is.</param>
/// <param name="Derivation">How the per-sample or fixed count comes about, for the constructor's comment (e.g. <c>26×26×32</c>).</param>
/// <param name="ForwardScratch">
/// The layer's forward pass writes it and is done with it before returning (im2col patches): in an inference
/// workspace nothing else reads it, so every such buffer can share one array (<see cref="InferenceAliasOf"/>).
/// </param>
/// <param name="InferenceAliasOf">In an inference workspace, the shared array this buffer is instead of its own.</param>
/// <param name="ScratchShare">
/// For <see cref="ForwardScratch"/> buffers: the shared inference array this one joins. A layer's buffers that are in
/// use at the same time (Winograd's kernel, input and products) join different ones.
/// </param>
/// <param name="InferenceOnly">Allocated only in inference workspaces (the shared scratch array).</param>
internal sealed record BufferPlan(
    int Layer,
    string Name,
    string ElementType,
    BufferKind Kind,
    BufferSize Size,
    bool TrainingOnly,
    string Comment,
    string Derivation = "",
    string? AliasOf = null,
    bool ForwardScratch = false,
    string? InferenceAliasOf = null,
    bool InferenceOnly = false,
    string ScratchShare = "InferenceScratch")
{
    /// <summary>The owner of the base class's arrays (input, labels, parameter gradients), counted but not emitted.</summary>
    public const int BaseClass = -1;

    /// <summary>The owner of arrays the whole workspace shares (the inference scratch array).</summary>
    public const int Shared = -2;

    public bool AllocatedIn(bool training) => Kind == BufferKind.Allocated
        && (training ? !InferenceOnly : !TrainingOnly && InferenceAliasOf is null);

    /// <summary>Emitted by the generated workspace (not one of the base class's arrays).</summary>
    public bool IsGenerated => Layer != BaseClass;

    /// <summary>Bytes per element: 8 for double, 1 for bool, 4 for float and int.</summary>
    public int ElementBytes => ElementType switch { "double" => 8, "bool" => 1, _ => 4 };
}

/// <summary>
/// Every array of a model's workspace, decided once from the plan (see <c>WorkspaceLayout</c>), and the largest
/// capacity in each mode for which every array holds at most <see cref="MaxArrayLength"/> elements.
/// </summary>
internal sealed record WorkspacePlan(
    EquatableArray<BufferPlan> Buffers,
    int MaxTrainingCapacity,
    string TrainingLimit,
    int MaxInferenceCapacity,
    string InferenceLimit)
{
    /// <summary>
    /// The most elements one buffer holds: .NET's <c>Array.MaxLength</c> (2,147,483,591) less the 15 floats an
    /// <c>AlignedFloats</c> array keeps spare to start its floats on a 64-byte line (the same bound for every buffer).
    /// </summary>
    public const long MaxArrayLength = 2_147_483_591 - 15;

    public int MaxCapacity(bool training) => training ? MaxTrainingCapacity : MaxInferenceCapacity;
}
