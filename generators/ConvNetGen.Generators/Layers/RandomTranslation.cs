using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomTranslation(heightFactor, widthFactor)] as written, with its fill mode (0 reflect, 1 constant) and value.</summary>
internal sealed record RandomTranslationArguments(double HeightFactor, double WidthFactor, int FillMode, double FillValue) : LayerArguments;

/// <summary>
/// RandomTranslation: while training, each image shifted by dy = u·H and dx = v·W rows and columns, u and v uniform
/// in [−|heightFactor|, |heightFactor|] and [−|widthFactor|, |widthFactor|] (its two draws, height first), read with
/// bilinear interpolation at (y − dy, x − dx) and Keras' fill; backward is the warp's transpose.
/// </summary>
internal sealed class RandomTranslation : AffineWarpLayer
{
    public override LayerKind Kind => LayerKind.RandomTranslation;

    public override string Prefix => "random_translation";

    protected override int Draws => 2;

    public override LayerArguments Read(AttributeArguments args) =>
        new RandomTranslationArguments(args.Double("heightFactor", 0), args.Double("widthFactor", 0), args.Int("FillMode", 0), args.Double("FillValue", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomTranslationArguments>();
        if (!(a.HeightFactor >= -1 && a.HeightFactor <= 1)) check.Invalid($"heightFactor must be in [-1, 1] but is {Num(a.HeightFactor)}");
        if (!(a.WidthFactor >= -1 && a.WidthFactor <= 1)) check.Invalid($"widthFactor must be in [-1, 1] but is {Num(a.WidthFactor)}");
        if (a.FillMode is < 0 or > 1) check.Invalid($"{a.FillMode} is not a FillMode");
        if (!Finite(a.FillValue)) check.Invalid($"FillValue must be finite but is {Num(a.FillValue)}");
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<RandomTranslationArguments>();
        return $"RandomTranslation height ±{Num(System.Math.Abs(a.HeightFactor))}, width ±{Num(System.Math.Abs(a.WidthFactor))}, {(a.FillMode == 0 ? "reflect" : "constant")} fill, bilinear; {Shapes(layer)}.";
    }

    protected override void Matrix(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<RandomTranslationArguments>();
        w.Line($"const float HeightFactor = {SourceWriter.Float(System.Math.Abs(a.HeightFactor))}, WidthFactor = {SourceWriter.Float(System.Math.Abs(a.WidthFactor))}, FillValue = {SourceWriter.Float(a.FillValue)};");
        w.Line($"const global::ConvNetGen.FillMode Fill = global::ConvNetGen.FillMode.{(a.FillMode == 0 ? "Reflect" : "Constant")};");
        w.Line("float dy = (-HeightFactor + draws[2 * b] * (2 * HeightFactor)) * IH, dx = (-WidthFactor + draws[2 * b + 1] * (2 * WidthFactor)) * IW;");
    }

    protected override string Coefficients(LayerContext c) => "1f, 0f, -dx, 0f, 1f, -dy";
}
