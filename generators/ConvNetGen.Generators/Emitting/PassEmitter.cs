using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Emitting.Layers;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Emitting;

/// <summary>
/// Emits the workspace (one named buffer per layer output, gradient and backward state), the constructor, and the
/// forward and backward passes: one method per layer and direction, called in order.
/// </summary>
internal static class PassEmitter
{
    public static void Emit(SourceWriter w, ModelPlan plan)
    {
        var contexts = Contexts(plan);

        w.Line("/// <summary>Creates the model with Keras' initialisers (glorot_uniform kernels, zero biases), seeded.</summary>");
        w.Line($"public {plan.ClassName}(int seed = 0) : base(Architecture, seed) {{ }}");
        w.Line();
        foreach (var c in contexts)
        {
            w.Line($"/// <summary>The layer <c>{SourceWriter.Xml(c.Layer.Name)}</c> ({c.Layer.Kind}): its trainable flag and weights.</summary>");
            w.Line($"public global::ConvNetGen.Layer {c.Id} => Layers[{c.Layer.Index}];");
        }
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("protected override global::ConvNetGen.ModelWorkspace CreateWorkspace(int capacity) => new Workspace(capacity);");
        w.Line();
        EmitWorkspace(w, contexts);

        w.Line();
        w.Line("/// <inheritdoc />");
        using (w.Block("protected override void Forward(global::ConvNetGen.ModelWorkspace workspace, int batch, bool training)"))
        {
            w.Line("var ws = (Workspace)workspace;");
            foreach (var c in contexts)
                w.Line($"{c.Id}Forward(ws, batch, training);");
        }
        w.Line();
        w.Line("/// <inheritdoc />");
        using (w.Block("protected override void Backward(global::ConvNetGen.ModelWorkspace workspace, int batch)"))
        {
            w.Line("var ws = (Workspace)workspace;");
            for (int i = contexts.Count - 1; i >= 0; i--)
            {
                if (i < contexts.Count - 1)
                    w.Line($"if (!ComputesInputGradient({i + 1})) return; // nothing below needs a gradient");
                w.Line($"{contexts[i].Id}Backward(ws, batch);");
            }
        }

        foreach (var c in contexts)
        {
            var emitter = LayerEmitters.For(c.Layer.Kind);
            string summary = Describe(c.Layer);
            w.Line();
            w.Line($"/// <summary>{SourceWriter.Xml(c.Layer.Name)} forward: {summary}</summary>");
            w.Line(AggressiveOptimization);
            using (w.Block($"private void {c.Id}Forward(Workspace ws, int batch, bool training)"))
                emitter.Forward(w, c);
            w.Line();
            w.Line($"/// <summary>{SourceWriter.Xml(c.Layer.Name)} backward: {summary}</summary>");
            w.Line(AggressiveOptimization);
            using (w.Block($"private void {c.Id}Backward(Workspace ws, int batch)"))
                emitter.Backward(w, c);
        }
    }

    /// <summary>
    /// On every layer method: compiled optimised at once, since each runs only once per step and its loops would
    /// otherwise run unoptimised (several times slower) for the first hundred or so steps of training.
    /// </summary>
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    private static List<LayerContext> Contexts(ModelPlan plan)
    {
        var contexts = new List<LayerContext>();
        LayerPlan? previous = null;
        foreach (var layer in plan.Layers)
        {
            contexts.Add(new LayerContext(plan, layer, previous));
            previous = layer;
        }
        return contexts;
    }

    private static void EmitWorkspace(SourceWriter w, List<LayerContext> contexts)
    {
        w.Line("/// <summary>Every buffer one pass over up to <c>capacity</c> samples needs, allocated once.</summary>");
        using (w.Block("private sealed class Workspace : global::ConvNetGen.ModelWorkspace"))
        {
            foreach (var c in contexts)
            {
                w.Line($"// {SourceWriter.Xml(c.Layer.Name)} ({c.Layer.Kind})");
                w.Line($"public readonly float[] {c.Id}Output, {c.Id}Gradient;");
                foreach (var buffer in LayerEmitters.For(c.Layer.Kind).ExtraBuffers(c))
                    w.Line($"public readonly {buffer.ElementType}[] {buffer.Name}; // {buffer.Comment}");
            }
            w.Line();
            using (w.Block("public Workspace(int capacity) : base(capacity, Shapes.InputSize, Shapes.OutputSize, Shapes.ParameterCount)"))
            {
                foreach (var c in contexts)
                {
                    if (LayerEmitters.For(c.Layer.Kind).AliasesInput)
                    {
                        w.Line($"{c.Id}Output = {(c.Previous is null ? "Input" : c.Previous.Identifier + "Output")}; // same data, read flat");
                        w.Line(c.Previous is null
                            ? $"{c.Id}Gradient = new float[capacity * {c.Shapes}.OutputSize];"
                            : $"{c.Id}Gradient = {c.Previous.Identifier}Gradient;");
                    }
                    else if (c.FusesNextPool)
                    {
                        w.Line($"{c.Id}Output = global::System.Array.Empty<float>(); // never written: fused with {SourceWriter.Xml(c.Next!.Name)}");
                        w.Line($"{c.Id}Gradient = global::System.Array.Empty<float>();");
                    }
                    else
                    {
                        w.Line($"{c.Id}Output = new float[capacity * {c.Shapes}.OutputSize];");
                        w.Line($"{c.Id}Gradient = new float[capacity * {c.Shapes}.OutputSize];");
                    }
                    foreach (var buffer in LayerEmitters.For(c.Layer.Kind).ExtraBuffers(c))
                        w.Line($"{buffer.Name} = new {buffer.ElementType}[{buffer.Size}];");
                }
                var last = contexts[contexts.Count - 1];
                w.Line($"Output = {last.Id}Output;");
                w.Line($"OutputGradient = {last.Id}Gradient;");
            }
        }
    }

    /// <summary>One line on what the layer does, for the doc comment above its methods.</summary>
    private static string Describe(LayerPlan layer)
    {
        var s = layer.Spec;
        string shapes = $"{ShapeInference.Format(layer.InputShape)} → {ShapeInference.Format(layer.OutputShape)}";
        string activation = s.Activation == ActivationKind.Linear ? "" : $", {s.Activation}";
        string window = $"{s.WindowHeight}×{s.WindowWidth}, stride {s.StrideHeight}×{s.StrideWidth}, {s.Padding.ToString().ToLowerInvariant()} padding";
        return layer.Kind switch
        {
            LayerKind.Conv2D => $"Conv2D {s.Units} filters {window}{activation}; {shapes}.",
            LayerKind.MaxPooling2D => $"MaxPooling2D {window}; {shapes}.",
            LayerKind.AveragePooling2D => $"AveragePooling2D {window}; {shapes}.",
            LayerKind.Dense => $"Dense {s.Units} units{activation}; {shapes}.",
            _ => $"{layer.Kind}; {shapes}.",
        };
    }
}
