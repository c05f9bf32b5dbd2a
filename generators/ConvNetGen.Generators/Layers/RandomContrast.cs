using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomContrast(factor)] as written, with its value range.</summary>
internal sealed record RandomContrastArguments(double Factor, double Low, double High) : LayerArguments;

/// <summary>
/// RandomContrast: while training, each image's channels scaled about their means by f = 1 − factor + u·2·factor
/// (its one draw), then clipped to the value range; backward is that affine map's transpose where nothing was clipped.
/// </summary>
internal sealed class RandomContrast : AugmentationLayer
{
    public override LayerKind Kind => LayerKind.RandomContrast;

    public override string Prefix => "random_contrast";

    protected override int Draws => 1;

    public override LayerArguments Read(AttributeArguments args) =>
        new RandomContrastArguments(args.Double("factor", 0), args.Double("ValueRangeLow", 0), args.Double("ValueRangeHigh", 255));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomContrastArguments>();
        if (!(a.Factor >= 0 && a.Factor <= 1)) check.Invalid($"factor must be in [0, 1] but is {Num(a.Factor)}");
        if (!Finite(a.Low) || !Finite(a.High) || !(a.Low < a.High))
            check.Invalid($"the value range must be two finite numbers, low below high, but is [{Num(a.Low)}, {Num(a.High)}]");
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<RandomContrastArguments>();
        return $"RandomContrast ±{Num(a.Factor)}, clipped to [{Num(a.Low)}, {Num(a.High)}]; {Shapes(layer)}.";
    }

    private static void Factor(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<RandomContrastArguments>();
        w.Line($"const float Factor = {SourceWriter.Float(a.Factor)}, Low = {SourceWriter.Float(a.Low)}, High = {SourceWriter.Float(a.High)};");
        w.Line("float factor = 1 - Factor + draws[b] * (2 * Factor);");
    }

    protected override void TrainingForward(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Factor(w, c);
            w.Line($"{Kernels}.Contrast(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), IH * IW, IC, factor, Low, High);");
        }
    }

    protected override void BackwardBody(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Factor(w, c);
            w.Line($"{Kernels}.ContrastBackward(input.Slice(b * IH * IW * IC, IH * IW * IC), gradient.Slice(b * OH * OW * OC, OH * OW * OC), inputGradient.Slice(b * IH * IW * IC, IH * IW * IC), IH * IW, IC, factor, Low, High);");
        }
    }
}
