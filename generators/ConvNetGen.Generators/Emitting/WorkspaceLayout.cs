using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Emitting;

/// <summary>
/// Decides, once per model, every array of its workspace: the base class's (input, labels, parameter gradients),
/// each layer's output and output gradient, and the buffers its emitter keeps — each with its length as data and
/// whether an inference workspace needs it. The constructor, the byte count, the largest capacity and the build-time
/// size check all read this one list.
/// </summary>
internal static class WorkspaceLayout
{
    public static WorkspacePlan Build(ModelPlan plan)
    {
        var buffers = new List<BufferPlan>
        {
            new(-1, "Input", "float", BufferKind.Allocated, BufferSize.Samples(ShapesEmitter.Product(plan.InputShape)), false, "the samples of the pass"),
            new(-1, "Labels", "int", BufferKind.Allocated, BufferSize.Samples(1), true, "the labels of the pass"),
            new(-1, "Gradients", "float", BufferKind.Allocated, BufferSize.Constant(plan.ParameterCount), true, "the pass's parameter gradients"),
        };
        foreach (var c in PassEmitter.Contexts(plan))
        {
            int i = c.Layer.Index;
            var emitter = c.Layer.Definition;
            string output = c.Id + "Output", gradient = c.Id + "Gradient";
            if (emitter.AliasesInput)
            {
                buffers.Add(new(i, output, "float", BufferKind.Alias, BufferSize.None, false, "same data, read flat",
                    AliasOf: c.Previous is null ? "Input" : c.Previous.Identifier + "Output"));
                buffers.Add(c.Previous is null
                    ? new(i, gradient, "float", BufferKind.Allocated, BufferSize.Samples(c.OutputSize), true, "", ShapeInference.Format(c.Layer.OutputShape))
                    : new(i, gradient, "float", BufferKind.Alias, BufferSize.None, true, "", AliasOf: c.InputGradientBuffer.Substring("ws.".Length)));
            }
            else if (c.FusesNextPool)
            {
                string comment = $"never written: fused with {SourceWriter.Xml(c.Next!.Name)}";
                buffers.Add(new(i, output, "float", BufferKind.Unused, BufferSize.None, false, comment));
                buffers.Add(new(i, gradient, "float", BufferKind.Unused, BufferSize.None, true, ""));
            }
            else
            {
                string shape = ShapeInference.Format(c.Layer.OutputShape);
                buffers.Add(c.OutputOnlyInTraining
                    ? new(i, output, "float", BufferKind.Allocated, BufferSize.Samples(c.OutputSize), true, "",
                        $"{shape}; training only: at inference {SourceWriter.Xml((c.FoldedInto ?? c.Layer).Name)} writes {SourceWriter.Xml(plan.Layers[c.FoldTakenPartIn!.Writes].Name)}'s output instead")
                    : new(i, output, "float", BufferKind.Allocated, BufferSize.Samples(c.OutputSize), false, "", shape));
                buffers.Add(new(i, gradient, "float", BufferKind.Allocated, BufferSize.Samples(c.OutputSize), true, "", shape));
            }
            // A tensor read by several layers: each read but the last writes its gradient into a branch of its own.
            for (int branch = 1; branch < c.Layer.Consumers.Count; branch++)
                buffers.Add(new(i, LayerContext.GradientName(c.Layer, branch), "float", BufferKind.Allocated, BufferSize.Samples(c.OutputSize), true,
                    $"the gradient from {SourceWriter.Xml(plan.Layers[c.Layer.Consumers[branch - 1]].Name)}, added into {gradient}", ShapeInference.Format(c.Layer.OutputShape)));
            buffers.AddRange(emitter.ExtraBuffers(c));
        }

        ShareInferenceScratch(buffers);
        var (maxTraining, trainingLimit) = MaxCapacity(plan, buffers, training: true);
        var (maxInference, inferenceLimit) = MaxCapacity(plan, buffers, training: false);
        return new WorkspacePlan(buffers.ToEquatableArray(), maxTraining, trainingLimit, maxInference, inferenceLimit);
    }

    /// <summary>
    /// The arrays the layers' forward scratch buffers share in an inference workspace: im2col patches (per sample);
    /// Winograd's transformed input (one block) and products (fixed). (Transformed kernels are the model's, not a workspace's.)
    /// </summary>
    public const string InferenceScratch = "InferenceScratch", InferenceInputScratch = "InferenceInputScratch",
        InferenceProductScratch = "InferenceProductScratch";

    /// <summary>
    /// In an inference workspace the layers run one after another and no backward pass reads their scratch buffers
    /// (im2col patches; Winograd's one block of transformed input, products), so two or more of a kind share one
    /// array, as long as the longest of them: VGG16's convs' such buffers become three arrays.
    /// </summary>
    private static void ShareInferenceScratch(List<BufferPlan> buffers)
    {
        foreach (string share in new[] { InferenceProductScratch, InferenceInputScratch, InferenceScratch })
            ShareInferenceScratch(buffers, share);
    }

    private static void ShareInferenceScratch(List<BufferPlan> buffers, string share)
    {
        var scratch = buffers.Where(b => b.ForwardScratch && b.ScratchShare == share && b.Kind == BufferKind.Allocated && !b.TrainingOnly).ToList();
        if (scratch.Count < 2) return;
        // One kind of length per share (all per sample, or all fixed), so the longest is the longest at every capacity.
        var sizes = scratch.Select(b => b.Size).ToList();
        if (sizes.Any(s => s.Fixed != 0 && s.PerSample != 0) || (sizes.Any(s => s.Fixed != 0) && sizes.Any(s => s.PerSample != 0)))
            throw new System.InvalidOperationException($"{share}: its buffers' lengths must all be per sample or all fixed.");
        long fixedPart = sizes.Max(s => s.Fixed), perSample = sizes.Max(s => s.PerSample);
        int longest = sizes.FindIndex(s => s.Fixed == fixedPart && s.PerSample == perSample);
        string derivation = $"as {scratch[longest].Name}";
        foreach (var b in scratch)
            buffers[buffers.IndexOf(b)] = b with { InferenceAliasOf = share };
        // Before the layers' buffers, so the constructor allocates it before they take it.
        buffers.Insert(3, new BufferPlan(BufferPlan.Shared, share, "float", BufferKind.Allocated,
            new BufferSize(fixedPart, perSample), false, $"inference only: {scratch.Count} convs' {What(share)}, one array ({derivation})",
            derivation, InferenceOnly: true));
    }

    private static string What(string share) => share switch
    {
        InferenceInputScratch => "transformed input blocks",
        InferenceProductScratch => "Winograd products",
        _ => "im2col patches",
    };

    /// <summary>The buffers of one layer, in declaration order.</summary>
    public static IEnumerable<BufferPlan> Of(WorkspacePlan workspace, int layer) => workspace.Buffers.Where(b => b.Layer == layer);

    /// <summary>
    /// The largest capacity for which every array allocated in that mode has at most Array.MaxLength elements (0 when
    /// even one sample does not fit, which the build reports), and the array that sets it.
    /// </summary>
    private static (int Capacity, string Limit) MaxCapacity(ModelPlan plan, List<BufferPlan> buffers, bool training)
    {
        long best = int.MaxValue;
        string limit = "the int capacity";
        foreach (var b in buffers.Where(b => b.AllocatedIn(training)))
        {
            if (b.Size.PerSample == 0) continue; // fixed: fits at every capacity or at none
            long low = 0, high = int.MaxValue; // largest capacity in [low, high] that fits: binary search, lengths grow with capacity
            while (low < high)
            {
                long mid = low + (high - low + 1) / 2;
                if (b.Size.Elements(mid) <= WorkspacePlan.MaxArrayLength) low = mid;
                else high = mid - 1;
            }
            if (low < best)
            {
                best = low;
                limit = Describe(plan, b);
            }
        }
        return ((int)best, limit);
    }

    /// <summary>How the generated comments name a buffer: <c>conv2d's Conv2dPatches</c>, or the base class's <c>Input</c>.</summary>
    public static string Describe(ModelPlan plan, BufferPlan b) =>
        b.Layer < 0 ? b.Name : $"{plan.Layers[b.Layer].Name}'s {b.Name}";
}
