using System.Collections.Generic;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>
/// Where a layer reads and writes: the names of its input, output and gradient buffers in the workspace, resolved
/// once for the whole model so each layer's emitter only writes its own loops.
/// </summary>
internal sealed class LayerContext
{
    public LayerContext(ModelPlan model, LayerPlan layer, LayerPlan? previous)
    {
        Model = model;
        Layer = layer;
        Previous = previous;
        Next = layer.Index + 1 < model.Layers.Count ? model.Layers[layer.Index + 1] : null;
    }

    public ModelPlan Model { get; }
    public LayerPlan Layer { get; }
    public LayerPlan? Previous { get; }
    public LayerPlan? Next { get; }

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

    /// <summary>This Conv2D runs as Winograd F(3×3, 3×3) over its whole output.</summary>
    public bool WinogradF3 => Strategy.Conv == ConvAlgorithm.WinogradF3;

    /// <summary>This MaxPooling2D reads a conv output ordered window by window.</summary>
    public bool ReadsRowsByPoolWindow => Strategy.PoolingInput == MaxPoolingInput.PoolOrderedRows;

    public string Id => Layer.Identifier;
    public string Shapes => "Shapes." + Layer.Identifier;
    public bool IsLast => Layer.Index == Model.Layers.Count - 1;
    public int InputSize => ShapesEmitter.Product(Layer.InputShape);
    public int OutputSize => ShapesEmitter.Product(Layer.OutputShape);

    /// <summary>The buffer holding this layer's input: the model's input or the previous layer's output.</summary>
    public string InputBuffer => Previous is null ? "ws.Input" : $"ws.{Previous.Identifier}Output";

    /// <summary>The buffer receiving dL/d(input): the previous layer's output gradient.</summary>
    public string InputGradientBuffer => Previous is null ? "/* the input has no gradient */" : $"ws.{Previous.Identifier}Gradient";

    public string OutputBuffer => $"ws.{Id}Output";
    public string GradientBuffer => $"ws.{Id}Gradient";
}

/// <summary>
/// One layer kind's code: the buffers it keeps, its forward pass, and its backward pass, side by side so reading one
/// tells you the other. Emitted methods take the workspace and the number of samples in the pass.
/// </summary>
internal abstract class LayerEmitter
{
    /// <summary>
    /// Buffers besides the output and its gradient, each with its length as data and whether the forward pass with
    /// <c>training: false</c> touches it (see <see cref="WorkspaceLayout"/>, which collects them once per model).
    /// </summary>
    public virtual IEnumerable<BufferPlan> ExtraBuffers(LayerContext c) => System.Array.Empty<BufferPlan>();

    /// <summary>A buffer of layer <paramref name="c"/>, allocated (in inference workspaces too unless <paramref name="trainingOnly"/>).</summary>
    protected static BufferPlan Buffer(LayerContext c, string suffix, string elementType, BufferSize size, bool trainingOnly, string comment, string derivation, bool forwardScratch = false) =>
        new(c.Layer.Index, c.Id + suffix, elementType, BufferKind.Allocated, size, trainingOnly, comment, derivation, ForwardScratch: forwardScratch);

    /// <summary>Whether the output and its gradient alias the input's (Flatten: no copy).</summary>
    public virtual bool AliasesInput => false;

    /// <summary>Writes the body of <c>{Id}Forward(Workspace ws, int batch, bool training)</c>.</summary>
    public abstract void Forward(SourceWriter w, LayerContext c);

    /// <summary>
    /// Writes the body of <c>{Id}Backward(Workspace ws, int batch)</c>: from <c>{Id}Gradient</c>, add weight gradients
    /// to <c>ws.Gradients</c> when <c>ComputesWeightGradients(index)</c>, and write the input gradient when
    /// <c>ComputesInputGradient(index)</c>.
    /// </summary>
    public abstract void Backward(SourceWriter w, LayerContext c);

    /// <summary>Declares the one-sample shape constants a layer's loops use.</summary>
    internal static void Constants(SourceWriter w, LayerContext c, bool window)
    {
        var s = c.Layer.InputShape;
        var o = c.Layer.OutputShape;
        if (s.Count == 3)
            w.Line($"const int IH = {s[0]}, IW = {s[1]}, IC = {s[2]};");
        if (o.Count == 3)
            w.Line($"const int OH = {o[0]}, OW = {o[1]}, OC = {o[2]};");
        if (window)
        {
            var spec = c.Layer.Spec;
            w.Line($"const int KH = {spec.WindowHeight}, KW = {spec.WindowWidth}, SH = {spec.StrideHeight}, SW = {spec.StrideWidth}, PT = {c.Layer.PadTop}, PL = {c.Layer.PadLeft};");
        }
    }

    /// <summary>
    /// Turns the output gradient into the pre-activation gradient in place (unless the loss already fused a final
    /// Softmax), and, when the layer computes weight gradients and has a bias, adds the bias gradient in the same pass.
    /// Leaves the caller inside <c>if (ComputesWeightGradients(i)) {{</c> … emitted by <paramref name="weightGradients"/>.
    /// </summary>
    internal static void ActivationAndBiasBackward(SourceWriter w, LayerContext c, string rows, string width, System.Action weightGradients)
    {
        var activation = c.Layer.Spec.Activation;
        bool fused = activation == ActivationKind.Softmax && c.IsLast;
        if (fused)
        {
            w.Line("// Softmax feeds the loss, which already gave the gradient with respect to the logits.");
            activation = ActivationKind.Linear;
        }
        string output = $"{c.OutputBuffer}.AsSpan(0, {rows} * {width})";
        string act = $"global::ConvNetGen.Activation.{activation}";
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            if (HasBias(c))
            {
                w.Line($"// The activation's derivative and dBias[{width}] += Σ rows, in one pass over the gradient.");
                w.Line($"global::ConvNetGen.Kernels.Activations.BackwardWithBiasGradient({act}, {output}, gradient, {width}, ws.Gradients.AsSpan({Weight(c, "bias")}));");
            }
            else if (activation != ActivationKind.Linear)
                w.Line($"global::ConvNetGen.Kernels.Activations.Backward({act}, {output}, gradient, {width});");
            weightGradients();
        }
        if (activation != ActivationKind.Linear)
            w.Line($"else global::ConvNetGen.Kernels.Activations.Backward({act}, {output}, gradient, {width});");
    }

    internal static string Weight(LayerContext c, string name)
    {
        foreach (var weight in c.Layer.Weights)
            if (weight.Name == name)
                return $"{c.Shapes}.{ShapesEmitter.Pascal(name)}Offset, {c.Shapes}.{ShapesEmitter.Pascal(name)}Length";
        throw new System.InvalidOperationException($"{c.Layer.Name} has no weight {name}");
    }

    protected static bool HasBias(LayerContext c) => c.Layer.Spec.UseBias;
}
