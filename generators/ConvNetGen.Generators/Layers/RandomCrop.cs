using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomCrop(height, width)] as written.</summary>
internal sealed record RandomCropArguments(int Height, int Width) : LayerArguments;

/// <summary>
/// RandomCrop: (H, W, C) → (height, width, C). While training and when the input is larger on both axes, one window
/// for the whole pass at top = ⌊u·(H − height + 1)⌋, left = ⌊v·(W − width + 1)⌋ (Keras draws once per batch);
/// otherwise, and at inference, the centre window at ⌊(H − height)/2⌋, ⌊(W − width)/2⌋. The window used is kept in
/// <c>{Id}Draws</c>; backward puts the gradient back in it.
/// </summary>
internal sealed class RandomCrop : AugmentationLayer
{
    public override LayerKind Kind => LayerKind.RandomCrop;

    public override string Prefix => "random_crop";

    protected override int Draws => 2;

    protected override bool DrawsPerPass => true;

    public override LayerArguments Read(AttributeArguments args) => new RandomCropArguments(args.Int("height", 0), args.Int("width", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomCropArguments>();
        if (a.Height <= 0 || a.Width <= 0) check.Invalid($"the crop must be positive but is {a.Height}×{a.Width}");
    }

    public override int[]? OutputShape(ShapeContext c)
    {
        if (!c.RequireImage()) return null;
        var a = c.Layer.Args<RandomCropArguments>();
        if (a.Height > c.Input[0] || a.Width > c.Input[1])
        {
            c.Report(Diagnostics.Descriptors.InvalidArgument, c.Kind, c.Name,
                $"the crop {a.Height}×{a.Width} must not be larger than its input '{c.From}', {c.Input[0]}×{c.Input[1]}");
            return null;
        }
        return new[] { a.Height, a.Width, c.Input[2] };
    }

    public override string Describe(LayerPlan layer) => $"RandomCrop; {Shapes(layer)}.";

    private static void Window(SourceWriter w, LayerContext c, bool training)
    {
        if (training)
        {
            w.Line("bool random = IH > OH && IW > OW; // Keras: a random window only when the input is larger on both axes");
            w.Line("int top = random ? global::System.Math.Min((int)(draws[0] * (IH - OH + 1)), IH - OH) : (IH - OH) / 2;");
            w.Line("int left = random ? global::System.Math.Min((int)(draws[1] * (IW - OW + 1)), IW - OW) : (IW - OW) / 2;");
            w.Line("draws[0] = top; draws[1] = left; // the window, for the backward");
        }
        else
            w.Line("int top = (IH - OH) / 2, left = (IW - OW) / 2;");
    }

    protected override void TrainingForward(SourceWriter w, LayerContext c)
    {
        Window(w, c, training: true);
        using (w.Block("for (int b = 0; b < batch; b++)"))
            w.Line($"{Kernels}.Crop(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), IH, IW, IC, top, left, OH, OW);");
    }

    protected override void InferenceForward(SourceWriter w, LayerContext c)
    {
        Window(w, c, training: false);
        using (w.Block("for (int b = 0; b < batch; b++)"))
            w.Line($"{Kernels}.Crop(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), IH, IW, IC, top, left, OH, OW);");
    }

    protected override void BackwardBody(SourceWriter w, LayerContext c)
    {
        w.Line("int top = (int)draws[0], left = (int)draws[1];");
        using (w.Block("for (int b = 0; b < batch; b++)"))
            w.Line($"{Kernels}.CropBackward(gradient.Slice(b * OH * OW * OC, OH * OW * OC), inputGradient.Slice(b * IH * IW * IC, IH * IW * IC), IH, IW, IC, top, left, OH, OW);");
    }
}
