using ConvNetGen.Generators.Layers;

namespace ConvNetGen.Generators.Model;

/// <summary>One weight tensor: Keras name and shape, and its place in the model's parameter buffer.</summary>
internal sealed record WeightPlan(string Name, EquatableArray<int> Shape, int Offset, int Length, bool IsTrainableVariable);

/// <summary>
/// A checked layer: its spec, Keras name, the C# identifier the generated code uses for it, what it reads (each
/// input's producer, -1 for the model's input, with its name and shape), its output shape, the padding it applies,
/// its weights, and — decided once for the whole graph — who reads it and how it runs.
/// </summary>
internal sealed record LayerPlan(
    int Index,
    string Name,
    string Identifier,
    LayerSpec Spec,
    EquatableArray<int> Inputs,
    EquatableArray<string> InputNames,
    EquatableArray<EquatableArray<int>> InputShapes,
    EquatableArray<int> OutputShape,
    int PadTop,
    int PadLeft,
    EquatableArray<WeightPlan> Weights)
{
    public LayerKind Kind => Spec.Kind;

    public LayerDefinition Definition => LayerDefinitions.For(Spec.Kind);

    /// <summary>The (first) input's shape: every input's, except a Concatenate's channels.</summary>
    public EquatableArray<int> InputShape => InputShapes[0];

    /// <summary>How this layer runs (a Conv2D's algorithm, what a MaxPooling2D reads), decided once by <c>ConvPlanning</c>.</summary>
    public LayerStrategy Strategy { get; init; } = LayerStrategy.Plain;

    /// <summary>
    /// The layers that read this one's output and reach the model's output, one entry per read, in source order
    /// (<c>Add(x, x)</c> reads twice). Decided by <c>GraphPlanning</c>.
    /// </summary>
    public EquatableArray<int> Consumers { get; init; } = EquatableArray<int>.Empty;

    /// <summary>
    /// Per input: which of the producer's gradient buffers this layer's backward writes — 0 its own <c>Gradient</c>,
    /// k ≥ 1 its k-th branch buffer, added into it before the producer's backward (a tensor read twice gets both gradients).
    /// </summary>
    public EquatableArray<int> InputGradientBranches { get; init; } = EquatableArray<int>.Empty;

    /// <summary>
    /// This is the model's output and applies Softmax, which the loss takes over: its backward starts from the
    /// gradient with respect to the logits (Softmax with cross-entropy, fused by the runtime's loss).
    /// </summary>
    public bool SoftmaxFusedIntoLoss { get; init; }

    /// <summary>Whether the output reaches the model's output; a layer that does not is computed but never back-propagated.</summary>
    public bool IsLive { get; init; } = true;

    public int ParameterOffset => Weights.Count == 0 ? 0 : Weights[0].Offset;

    public int ParameterCount
    {
        get
        {
            int n = 0;
            foreach (var w in Weights) n += w.Length;
            return n;
        }
    }

    public int TrainableVariableCount
    {
        get
        {
            int n = 0;
            foreach (var w in Weights) if (w.IsTrainableVariable) n += w.Length;
            return n;
        }
    }
}

/// <summary>A model whose every shape checked out: what the emitters work from, and nothing else.</summary>
internal sealed record ModelPlan(
    string? Namespace,
    string ClassName,
    string HintName,
    string InputName,
    EquatableArray<int> InputShape,
    EquatableArray<LayerPlan> Layers)
{
    public int ParameterCount
    {
        get
        {
            int n = 0;
            foreach (var l in Layers) n += l.ParameterCount;
            return n;
        }
    }

    public int TrainableVariableCount
    {
        get
        {
            int n = 0;
            foreach (var l in Layers) n += l.TrainableVariableCount;
            return n;
        }
    }

    public LayerPlan Output => Layers[Layers.Count - 1];

    /// <summary>
    /// Every layer reads exactly the one before it (Keras' "sequential-like"): emitted as a plain stack, summarised
    /// without the "Connected to" column.
    /// </summary>
    public bool IsSequential
    {
        get
        {
            foreach (var l in Layers)
                if (l.Inputs.Count != 1 || l.Inputs[0] != l.Index - 1) return false;
            return true;
        }
    }

    /// <summary>Every array of the workspace, with its length and mode, decided once when the plan is made.</summary>
    public WorkspacePlan Workspace { get; init; } = null!;
}

/// <summary>The shape stage's result: a plan when the model is sound, and the diagnostics either way.</summary>
internal sealed record ModelResult(ModelSpec Spec, ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
