namespace ConvNetGen.Generators.Model;

/// <summary>One weight tensor: Keras name and shape, and its place in the model's parameter buffer.</summary>
internal sealed record WeightPlan(string Name, EquatableArray<int> Shape, int Offset, int Length, bool IsTrainableVariable);

/// <summary>
/// A checked layer: its spec, Keras name, the C# identifier the generated code uses for it, every shape, the
/// padding it applies, its weights, and how it runs.
/// </summary>
internal sealed record LayerPlan(
    int Index,
    string Name,
    string Identifier,
    LayerSpec Spec,
    string InputFrom,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int PadTop,
    int PadLeft,
    EquatableArray<WeightPlan> Weights)
{
    public LayerKind Kind => Spec.Kind;

    /// <summary>How this layer runs (a Conv2D's algorithm, what a MaxPooling2D reads), decided once by <c>ConvPlanning</c>.</summary>
    public LayerStrategy Strategy { get; init; } = LayerStrategy.Plain;

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

    /// <summary>Every array of the workspace, with its length and mode, decided once when the plan is made.</summary>
    public WorkspacePlan Workspace { get; init; } = null!;
}

/// <summary>The shape stage's result: a plan when the model is sound, and the diagnostics either way.</summary>
internal sealed record ModelResult(ModelSpec Spec, ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
