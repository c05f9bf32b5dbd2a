using ConvNetGen.Generators.Emitting;

namespace ConvNetGen.Generators.Layers;

/// <summary>
/// What RandomTranslation, RandomRotation and RandomZoom share: per image, a matrix from its draws, then
/// <c>AffineWarp</c> forward and its transpose <c>AffineWarpBackward</c> backward with the same matrix and fill.
/// </summary>
internal abstract class AffineWarpLayer : AugmentationLayer
{
    /// <summary>
    /// The lines that set up image <c>b</c>'s matrix (with <c>Fill</c> and <c>FillValue</c>), inside the per-image loop.
    /// </summary>
    protected abstract void Matrix(SourceWriter w, LayerContext c);

    /// <summary>The six coefficients a0, a1, a2, b0, b1, b2 as C# expressions over what <see cref="Matrix"/> declared.</summary>
    protected abstract string Coefficients(LayerContext c);

    protected sealed override void TrainingForward(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Matrix(w, c);
            w.Line($"{Kernels}.AffineWarp(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), IH, IW, IC, {Coefficients(c)}, Fill, FillValue);");
        }
    }

    protected sealed override void BackwardBody(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Matrix(w, c);
            w.Line($"{Kernels}.AffineWarpBackward(gradient.Slice(b * OH * OW * OC, OH * OW * OC), inputGradient.Slice(b * IH * IW * IC, IH * IW * IC), IH, IW, IC, {Coefficients(c)}, Fill);");
        }
    }
}
