using System.Collections.Generic;
using System.Linq;
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
        w.Line("protected override global::ConvNetGen.ModelWorkspace CreateWorkspace(int capacity, bool training) => new Workspace(capacity, training);");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("protected override long WorkspaceBytes(int capacity, bool training) => Workspace.Bytes(capacity, training);");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("protected override int MaxWorkspaceCapacity(bool training) => training ? Workspace.MaxTrainingCapacity : Workspace.MaxInferenceCapacity;");
        w.Line();
        EmitWorkspace(w, plan, contexts);

        w.Line();
        w.Line("/// <inheritdoc />");
        using (w.Block("protected override void Forward(global::ConvNetGen.ModelWorkspace workspace, int batch, bool training)"))
        {
            w.Line("var ws = (Workspace)workspace;");
            foreach (var c in contexts)
                w.Line(c.Layer.IsLive
                    ? $"{c.Id}Forward(ws, batch, training);"
                    : $"// {SourceWriter.Xml(c.Layer.Name)}: its output reaches no output (CNG0023), so it does not run.");
        }
        w.Line();
        w.Line("/// <inheritdoc />");
        using (w.Block("protected override void Backward(global::ConvNetGen.ModelWorkspace workspace, int batch)"))
        {
            w.Line("var ws = (Workspace)workspace;");
            if (plan.IsSequential)
            {
                for (int i = contexts.Count - 1; i >= 0; i--)
                {
                    if (i < contexts.Count - 1)
                        w.Line($"if (!ComputesInputGradient({i + 1})) return; // nothing below needs a gradient");
                    w.Line($"{contexts[i].Id}Backward(ws, batch);");
                }
            }
            else
            {
                w.Line("// In reverse source order, so every layer has its output's whole gradient before it runs; a layer runs when it");
                w.Line("// trains or some layer it depends on does.");
                for (int i = contexts.Count - 1; i >= 0; i--)
                    if (contexts[i].Layer.IsLive)
                        w.Line($"if (RunsBackward({i})) {contexts[i].Id}Backward(ws, batch);");
            }
        }

        foreach (var c in contexts)
        {
            var definition = c.Layer.Definition;
            string summary = definition.Describe(c.Layer);
            w.Line();
            w.Line($"/// <summary>{SourceWriter.Xml(c.Layer.Name)} forward: {summary}</summary>");
            w.Line(AggressiveOptimization);
            using (w.Block($"private void {c.Id}Forward(Workspace ws, int batch, bool training)"))
            {
                if (c.FoldedInto is { } computedBy)
                    w.Line($"if (!ws.IsTraining) return; // at inference {SourceWriter.Xml(computedBy.Name)} computes this layer too (folded in)");
                definition.Forward(w, c);
            }
            w.Line();
            w.Line($"/// <summary>{SourceWriter.Xml(c.Layer.Name)} backward: {summary}</summary>");
            w.Line(AggressiveOptimization);
            using (w.Block($"private void {c.Id}Backward(Workspace ws, int batch)"))
            {
                SumGradientBranches(w, c);
                definition.Backward(w, c);
            }
        }
    }

    /// <summary>
    /// On every layer method: compiled optimised at once, since each runs only once per step and its loops would
    /// otherwise run unoptimised (several times slower) for the first hundred or so steps of training.
    /// </summary>
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    internal static List<LayerContext> Contexts(ModelPlan plan)
    {
        var contexts = new List<LayerContext>();
        foreach (var layer in plan.Layers)
            contexts.Add(new LayerContext(plan, layer));
        return contexts;
    }

    /// <summary>
    /// A tensor several layers read gets all their gradients: each read but the last wrote a branch buffer of its own,
    /// added here into the layer's gradient before its backward uses it.
    /// </summary>
    private static void SumGradientBranches(SourceWriter w, LayerContext c)
    {
        int reads = c.Layer.Consumers.Count;
        if (reads < 2) return;
        var readers = c.Layer.Consumers.Select(i => c.Model.Layers[i].Name).Distinct();
        w.Line($"// Read by {reads} layers ({SourceWriter.Xml(string.Join(", ", readers))}): their gradients add up.");
        w.Line($"global::System.Span<float> gradientTotal = {c.GradientBuffer}.AsSpan(0, batch * {c.Shapes}.OutputSize);");
        for (int branch = 1; branch < reads; branch++)
            w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Add(gradientTotal, ws.{LayerContext.GradientName(c.Layer, branch)}.AsSpan(0, gradientTotal.Length), gradientTotal);");
    }

    private static void EmitWorkspace(SourceWriter w, ModelPlan plan, List<LayerContext> contexts)
    {
        var workspace = plan.Workspace;
        w.Line("/// <summary>");
        w.Line("/// Every buffer one pass over up to <c>capacity</c> samples needs, allocated once. An inference workspace");
        w.Line("/// (<c>training: false</c>) allocates only what a forward pass with <c>training: false</c> reads or writes; the");
        w.Line("/// gradients, and what only the backward pass or a training-mode layer uses, stay empty.");
        w.Line("/// </summary>");
        using (w.Block("private sealed class Workspace : global::ConvNetGen.ModelWorkspace"))
        {
            foreach (bool training in new[] { true, false })
            {
                int max = workspace.MaxCapacity(training);
                string limit = max == int.MaxValue ? "the capacity would pass int.MaxValue" : $"{(training ? workspace.TrainingLimit : workspace.InferenceLimit)} would pass the {WorkspacePlan.MaxArrayLength.ToString("N0", global::System.Globalization.CultureInfo.InvariantCulture)} elements a buffer holds";
                w.Line($"/// <summary>The most samples {(training ? "a training" : "an inference")} workspace holds: beyond it, {SourceWriter.Xml(limit)}.</summary>");
                w.Line($"public const int Max{(training ? "Training" : "Inference")}Capacity = {SourceWriter.Number(max)};");
            }
            w.Line();
            foreach (var shared in WorkspaceLayout.Of(workspace, BufferPlan.Shared))
                w.Line($"public readonly {FieldType(shared)} {shared.Name}; // {shared.Comment}");
            foreach (var c in contexts)
            {
                var buffers = WorkspaceLayout.Of(workspace, c.Layer.Index).ToList();
                w.Line($"// {SourceWriter.Xml(c.Layer.Name)} ({c.Layer.Kind})");
                w.Line($"public readonly {FieldType(buffers[0])} {buffers[0].Name}, {buffers[1].Name};");
                foreach (var buffer in buffers.Skip(2))
                    w.Line($"public readonly {FieldType(buffer)} {buffer.Name}; // {buffer.Comment}");
            }
            w.Line();
            w.Line("// The capacity is checked before the base class allocates anything: past the largest, some array would not fit.");
            w.Line("public Workspace(int capacity, bool training)");
            w.Indent();
            w.Line(": base(CheckCapacity(capacity, training ? MaxTrainingCapacity : MaxInferenceCapacity, training), Shapes.InputSize, Shapes.OutputSize, Shapes.ParameterCount, training)");
            w.Unindent();
            w.Line("{");
            w.Indent();
            foreach (var b in workspace.Buffers.Where(b => b.IsGenerated))
                w.Line(Allocation(b));
            var last = WorkspaceLayout.Of(workspace, plan.Output.Index).ToList();
            w.Line($"Output = {last[0].Name};");
            w.Line($"OutputGradient = {last[1].Name};");
            w.Unindent();
            w.Line("}");
            w.Line();
            EmitBytes(w, workspace);
        }
    }

    /// <summary>
    /// A buffer's field type: floats start on a cache line (an AlignedFloats), so the kernels' vector loads and stores
    /// never straddle two; the few others (argmax indices, BatchNormalization's sums and mode) are plain arrays.
    /// </summary>
    private static string FieldType(BufferPlan b) => b.ElementType == "float" ? AlignedFloats : $"{b.ElementType}[]";

    private const string AlignedFloats = "global::ConvNetGen.Kernels.AlignedFloats";

    /// <summary>
    /// One field's assignment: an array of its length (in checked arithmetic, which the capacity check keeps from
    /// overflowing), the buffer it aliases, or an empty one; training-only ones empty when not training.
    /// </summary>
    private static string Allocation(BufferPlan b)
    {
        string empty = b.ElementType == "float" ? "default" : $"global::System.Array.Empty<{b.ElementType}>()";
        switch (b.Kind)
        {
            case BufferKind.Alias:
                return $"{b.Name} = {b.AliasOf};" + (b.Comment.Length > 0 ? $" // {b.Comment}" : "");
            case BufferKind.Unused:
                return $"{b.Name} = {empty};" + (b.Comment.Length > 0 ? $" // {b.Comment}" : "");
        }
        string array = b.ElementType == "float" ? $"{AlignedFloats}.Allocate({Length(b.Size)})" : $"new {b.ElementType}[{Length(b.Size)}]";
        string value = b.TrainingOnly ? $"training ? {array} : {empty}"
            : b.InferenceOnly ? $"training ? {empty} : {array}"
            : b.InferenceAliasOf is { } shared ? $"training ? {array} : {shared}"
            : array;
        return $"{b.Name} = {value};" + (b.Derivation.Length > 0 ? $" // {b.Derivation}" : "");
    }

    /// <summary>A length from its <see cref="BufferSize"/>: the constant, <c>checked(capacity * n)</c>, or a checked long sum of both.</summary>
    private static string Length(BufferSize s)
    {
        var terms = new List<string>();
        if (s.Fixed != 0) terms.Add(SourceWriter.Number(s.Fixed));
        if (s.PerSample != 0) terms.Add(s.Fixed == 0 ? $"capacity * {SourceWriter.Number(s.PerSample)}" : $"(long)capacity * {SourceWriter.Number(s.PerSample)}");
        if (terms.Count == 0) return "0";
        if (s.PerSample == 0) return terms[0];
        if (s.Fixed == 0) return $"checked({terms[0]})";
        return $"checked((int)({string.Join(" + ", terms)}))";
    }

    /// <summary>
    /// <c>Bytes(capacity, training)</c>: the base class's arrays plus, per mode, the fixed bytes and the bytes per
    /// sample, summed from the same lengths the constructor allocates. In long when every capacity up to int.MaxValue
    /// fits; otherwise in Int128, capped at long.MaxValue.
    /// </summary>
    private static void EmitBytes(SourceWriter w, WorkspacePlan workspace)
    {
        decimal Total(bool training, long capacity) =>
            4m * capacity * workspace.Buffers[0].Size.PerSample + (training ? 4m * workspace.Buffers[2].Size.Fixed + 4m * capacity : 0)
            + workspace.Buffers.Where(b => b.IsGenerated && b.AllocatedIn(training)).Sum(b => b.ElementBytes * b.Size.Elements(capacity));
        bool wide = Total(true, int.MaxValue) > long.MaxValue || Total(false, int.MaxValue) > long.MaxValue;
        string type = wide ? "global::System.Int128" : "long";

        string Expression(bool training)
        {
            var mine = workspace.Buffers.Where(b => b.IsGenerated && b.AllocatedIn(training)).ToList();
            long fixedBytes = mine.Sum(b => b.ElementBytes * b.Size.Fixed);
            long sampleBytes = mine.Sum(b => b.ElementBytes * b.Size.PerSample);
            return $"{SourceWriter.Number(sampleBytes)} * ({type})capacity + {SourceWriter.Number(fixedBytes)}";
        }

        w.Line("/// <summary>");
        w.Line("/// The bytes of the arrays a workspace for <paramref name=\"capacity\"/> samples allocates, the base class's included:");
        w.Line("/// per sample and fixed, from the lengths the constructor allocates.");
        w.Line(wide
            ? "/// Summed in Int128 and capped at long.MaxValue, which the largest capacities would pass."
            : "/// In long: no capacity up to int.MaxValue can overflow it.");
        w.Line("/// </summary>");
        string sum = $"BaseBytes(capacity, Shapes.InputSize, Shapes.ParameterCount, training) + (training";
        if (!wide)
        {
            w.Line("public static long Bytes(int capacity, bool training) =>");
            w.Indent();
            w.Line(sum);
            w.Indent();
            w.Line($"? {Expression(true)}");
            w.Line($": {Expression(false)});");
            w.Unindent();
            w.Unindent();
            return;
        }
        using (w.Block("public static long Bytes(int capacity, bool training)"))
        {
            w.Line($"global::System.Int128 bytes = {sum}");
            w.Indent();
            w.Line($"? {Expression(true)}");
            w.Line($": {Expression(false)});");
            w.Unindent();
            w.Line("return bytes > long.MaxValue ? long.MaxValue : (long)bytes;");
        }
    }
}
