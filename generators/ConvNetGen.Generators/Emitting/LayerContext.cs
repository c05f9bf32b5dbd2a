using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Emitting;

/// <summary>
/// Where a layer reads and writes: the names of its inputs', output and gradient buffers in the workspace, resolved
/// once from the plan's graph so each layer's definition only writes its own loops.
/// </summary>
internal sealed class LayerContext
{
    public LayerContext(ModelPlan model, LayerPlan layer)
    {
        Model = model;
        Layer = layer;
    }

    public ModelPlan Model { get; }
    public LayerPlan Layer { get; }

    /// <summary>The layer whose output input <paramref name="slot"/> is, or null for the model's input.</summary>
    public LayerPlan? ProducerOf(int slot) => Layer.Inputs[slot] < 0 ? null : Model.Layers[Layer.Inputs[slot]];

    /// <summary>The layer this one reads (its first input's producer), or null when it reads the model's input.</summary>
    public LayerPlan? Previous => ProducerOf(0);

    /// <summary>The one layer reading this one's output, when exactly one does (what fusing with it needs).</summary>
    public LayerPlan? Next => ConvNetGen.Generators.Shapes.GraphPlanning.SoleConsumer(Model.Layers, Layer.Index);

    /// <summary>How this layer runs, as the plan decided it (<see cref="Shapes.ConvPlanning"/>); the flags below only read it.</summary>
    public LayerStrategy Strategy => Layer.Strategy;

    /// <summary>This Conv2D computes the MaxPooling2D after it too.</summary>
    public bool FusesNextPool => Strategy.Conv == ConvAlgorithm.FusedWithMaxPool;

    /// <summary>This MaxPooling2D is computed by the Conv2D before it.</summary>
    public bool FusedIntoPrevious => Strategy.PoolingInput == MaxPoolingInput.ComputedByConv;

    /// <summary>This Conv2D writes only the pixels the pooling after it reads, window by window (im2col or Winograd).</summary>
    public bool RowsByPoolWindow => Strategy.Conv is ConvAlgorithm.PoolOrderedRows or ConvAlgorithm.WinogradF2PoolOrdered;

    /// <summary>This Conv2D runs as Winograd F(2×2, 3×3), one output tile per pooling window.</summary>
    public bool Winograd => Strategy.Conv == ConvAlgorithm.WinogradF2PoolOrdered;

    /// <summary>This Conv2D runs as Winograd F(3×3, 3×3) or F(4×4, 3×3) over its whole NHWC output.</summary>
    public bool WinogradTiled => Strategy.Conv is ConvAlgorithm.WinogradF3 or ConvAlgorithm.WinogradF4;

    /// <summary>
    /// This Conv2D's backward reads its output gradient through ReLU's derivative (or as it is) while transforming it,
    /// and takes the bias gradient from the transformed tiles' sums: no separate pass over the gradient. F(4×4) only,
    /// whose tiles divide the output exactly, and only for ReLU or no activation.
    /// </summary>
    public bool ActivationBackwardInTransform =>
        Strategy.Conv == ConvAlgorithm.WinogradF4 && !SoftmaxFusedIntoLoss && Layer.Spec.Activation is ActivationKind.Linear or ActivationKind.ReLU;

    /// <summary>This MaxPooling2D reads a conv output ordered window by window.</summary>
    public bool ReadsRowsByPoolWindow => Strategy.PoolingInput == MaxPoolingInput.PoolOrderedRows;

    /// <summary>At inference this Conv2D (or Add) also computes the layers the fold names, writing the last one's output (<see cref="Shapes.FoldPlanning"/>).</summary>
    public InferenceFold? Fold => Strategy.Fold;

    /// <summary>The Conv2D (or Add) that computes this layer at inference, when one folds it in.</summary>
    public LayerPlan? FoldedInto => Strategy.FoldedInto >= 0 ? Model.Layers[Strategy.FoldedInto] : null;

    /// <summary>The fold this layer takes part in: its own, or the one of the layer it is folded into.</summary>
    public InferenceFold? FoldTakenPartIn => Fold ?? FoldedInto?.Strategy.Fold;

    /// <summary>
    /// Only a training workspace holds this layer's output: a fold computes it at inference straight into a later
    /// layer's output (a folded conv's own, and a folded BatchNormalization's when the ReLU after it is folded too).
    /// </summary>
    public bool OutputOnlyInTraining => FoldTakenPartIn is { } fold && fold.Writes != Layer.Index;

    /// <summary>The context of another layer of the same model (a fold's layers, whose weights and buffers the conv reads).</summary>
    public LayerContext Of(int layer) => new(Model, Model.Layers[layer]);

    public string Id => Layer.Identifier;
    public string Shapes => "Shapes." + Layer.Identifier;

    /// <summary>The model's output applies Softmax and the loss already gave the gradient with respect to the logits (decided on the plan).</summary>
    public bool SoftmaxFusedIntoLoss => Layer.SoftmaxFusedIntoLoss;

    public int InputSize => ShapesEmitter.Product(Layer.InputShape);
    public int OutputSize => ShapesEmitter.Product(Layer.OutputShape);

    /// <summary>The buffer holding input <paramref name="slot"/>: the model's input or its producer's output.</summary>
    public string InputBufferOf(int slot) => ProducerOf(slot) is { } p ? $"ws.{p.Identifier}Output" : "ws.Input";

    /// <summary>The buffer holding this layer's (first) input.</summary>
    public string InputBuffer => InputBufferOf(0);

    /// <summary>The buffer receiving dL/d(input <paramref name="slot"/>): its producer's gradient, or the branch of it this read writes.</summary>
    public string InputGradientBufferOf(int slot) => ProducerOf(slot) is { } p
        ? "ws." + GradientName(p, Layer.InputGradientBranches.Count > slot ? Layer.InputGradientBranches[slot] : 0)
        : "/* the input has no gradient */";

    /// <summary>The buffer receiving dL/d(input): the previous layer's output gradient.</summary>
    public string InputGradientBuffer => InputGradientBufferOf(0);

    public string OutputBuffer => $"ws.{Id}Output";
    public string GradientBuffer => $"ws.{Id}Gradient";

    /// <summary>The field of <paramref name="layer"/>'s gradient branch <paramref name="branch"/> (0: its own gradient).</summary>
    public static string GradientName(LayerPlan layer, int branch) =>
        layer.Identifier + "Gradient" + (branch == 0 ? "" : branch.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
