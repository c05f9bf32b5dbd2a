using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomBrightness(factor, low, high)] as written.</summary>
internal sealed record RandomBrightnessArguments(double Factor, double Low, double High) : LayerArguments;

/// <summary>
/// RandomBrightness: while training, each image plus delta = (−|factor| + u·2|factor|)·(high − low) (its one draw),
/// clipped to [low, high]; backward passes the gradient where nothing was clipped.
/// </summary>
internal sealed class RandomBrightness : AugmentationLayer
{
    public override LayerKind Kind => LayerKind.RandomBrightness;

    public override string Prefix => "random_brightness";

    protected override int Draws => 1;

    public override LayerArguments Read(AttributeArguments args) =>
        new RandomBrightnessArguments(args.Double("factor", 0), args.Double("valueRangeLow", 0), args.Double("valueRangeHigh", 255));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomBrightnessArguments>();
        if (!(a.Factor >= -1 && a.Factor <= 1)) check.Invalid($"factor must be in [-1, 1] but is {Num(a.Factor)}");
        if (!Finite(a.Low) || !Finite(a.High) || !(a.Low < a.High))
            check.Invalid($"the value range must be two finite numbers, low below high, but is [{Num(a.Low)}, {Num(a.High)}]");
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<RandomBrightnessArguments>();
        return $"RandomBrightness ±{Num(System.Math.Abs(a.Factor))} of [{Num(a.Low)}, {Num(a.High)}], clipped to it; {Shapes(layer)}.";
    }

    private static void Delta(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<RandomBrightnessArguments>();
        w.Line($"const float Factor = {SourceWriter.Float(System.Math.Abs(a.Factor))}, Low = {SourceWriter.Float(a.Low)}, High = {SourceWriter.Float(a.High)};");
        w.Line("float delta = (-Factor + draws[b] * (2 * Factor)) * (High - Low);");
    }

    protected override void TrainingForward(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Delta(w, c);
            w.Line($"{Kernels}.Brightness(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), delta, Low, High);");
        }
    }

    protected override void BackwardBody(SourceWriter w, LayerContext c)
    {
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            Delta(w, c);
            w.Line($"{Kernels}.BrightnessBackward(input.Slice(b * IH * IW * IC, IH * IW * IC), gradient.Slice(b * OH * OW * OC, OH * OW * OC), inputGradient.Slice(b * IH * IW * IC, IH * IW * IC), delta, Low, High);");
        }
    }
}
