using System.Collections.Generic;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>
/// What the augmentation kinds (RandomFlip, the affine warps of AffineWarpLayer, RandomCrop, RandomContrast,
/// RandomBrightness) share: a (height, width, channels) input; while training, uniform [0, 1) draws from the workspace's seeded stream
/// (<c>AugmentationDraws</c>, the stream Dropout's masks come from) kept in <c>{Id}Draws</c> for the backward; the
/// identity at inference unless the kind says otherwise. Forward and backward run image by image through
/// <c>ConvNetGen.Kernels.Augmentation</c>.
/// </summary>
internal abstract class AugmentationLayer : LayerDefinition
{
    /// <summary>How many uniform draws one image takes (or the whole pass, when <see cref="DrawsPerPass"/>).</summary>
    protected abstract int Draws { get; }

    /// <summary>Whether the draws are one set per pass (Keras' RandomCrop crops a batch at one place) rather than per image.</summary>
    protected virtual bool DrawsPerPass => false;

    public override int[]? OutputShape(ShapeContext c) => c.RequireImage() ? c.Input : null;

    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        yield return Buffer(c, "Draws", "float", DrawsPerPass ? BufferSize.Constant(Draws) : BufferSize.Samples(Draws), true,
            DrawsPerPass ? "this pass's draws, from the last training pass" : "each image's draws, from the last training pass",
            DrawsPerPass ? $"{Draws} per pass" : $"{Draws} per image");
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c, null);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, batch * IH * IW * IC);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, batch * OH * OW * OC);");
        using (w.Block($"if (IsTrainingMode({c.Layer.Index}, training))"))
        {
            w.Line($"global::System.Span<float> draws = ws.{c.Id}Draws.AsSpan(0, {(DrawsPerPass ? Draws.ToString() : $"batch * {Draws}")});");
            w.Line("AugmentationDraws(ws, draws);");
            TrainingForward(w, c);
        }
        using (w.Block("else"))
            InferenceForward(w, c);
    }

    /// <summary>The training-mode forward, with <c>input</c>, <c>output</c> and this pass's <c>draws</c> in scope.</summary>
    protected abstract void TrainingForward(SourceWriter w, LayerContext c);

    /// <summary>The inference forward: the identity.</summary>
    protected virtual void InferenceForward(SourceWriter w, LayerContext c) => w.Line("input.CopyTo(output);");

    public override void Backward(SourceWriter w, LayerContext c)
    {
        if (c.Previous is null) return;
        Constants(w, c, null);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, batch * IH * IW * IC);");
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer}.AsSpan(0, batch * OH * OW * OC);");
        w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * IH * IW * IC);");
        w.Line($"global::System.ReadOnlySpan<float> draws = ws.{c.Id}Draws;");
        BackwardBody(w, c);
    }

    /// <summary>The backward after a training-mode forward, with <c>input</c>, <c>gradient</c>, <c>inputGradient</c> and <c>draws</c> in scope.</summary>
    protected abstract void BackwardBody(SourceWriter w, LayerContext c);

    /// <summary>A factor as the messages print it.</summary>
    protected static string Num(double value) => Number(value);

    /// <summary>Whether a value is a finite number.</summary>
    protected static bool Finite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    protected const string Kernels = "global::ConvNetGen.Kernels.Augmentation";
}
