using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>
/// [RandomZoom(heightFactor[, widthFactor])] as written, with its fill mode (0 reflect, 1 constant) and value;
/// <see cref="HasWidthFactor"/> false when the width follows the height (Keras' <c>width_factor=None</c>).
/// </summary>
internal sealed record RandomZoomArguments(double HeightFactor, double WidthFactor, bool HasWidthFactor, int FillMode, double FillValue) : LayerArguments;

/// <summary>
/// RandomZoom: while training, each image scaled about its centre: output (y, x) reads row zy·y + (H − 1)/2·(1 − zy) and
/// column zx·x + (W − 1)/2·(1 − zx) (Keras' <c>_get_zoom_matrix</c>), zy = 1 + u·|heightFactor| and zx likewise with u
/// uniform in [−1, 1] (two draws, height first; without a width factor zx = zy, as Keras). A zoom above 1 reads a larger
/// area, so positive factors zoom out, as in Keras. Bilinear with Keras' fill; backward is the warp's transpose.
/// </summary>
internal sealed class RandomZoom : AffineWarpLayer
{
    public override LayerKind Kind => LayerKind.RandomZoom;

    public override string Prefix => "random_zoom";

    protected override int Draws => 2;

    public override LayerArguments Read(AttributeArguments args) =>
        new RandomZoomArguments(args.Double("heightFactor", 0), args.Double("widthFactor", 0), args.Has("widthFactor"),
            args.Int("FillMode", 0), args.Double("FillValue", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomZoomArguments>();
        // Keras: (-1, 1]; a zoom of 1 − 1 = 0 would read one point for the whole image.
        if (!(a.HeightFactor > -1 && a.HeightFactor <= 1)) check.Invalid($"heightFactor must be in (-1, 1] but is {Num(a.HeightFactor)}");
        if (a.HasWidthFactor && !(a.WidthFactor > -1 && a.WidthFactor <= 1)) check.Invalid($"widthFactor must be in (-1, 1] but is {Num(a.WidthFactor)}");
        if (a.FillMode is < 0 or > 1) check.Invalid($"{a.FillMode} is not a FillMode");
        if (!Finite(a.FillValue)) check.Invalid($"FillValue must be finite but is {Num(a.FillValue)}");
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<RandomZoomArguments>();
        string width = a.HasWidthFactor ? $"width ±{Num(System.Math.Abs(a.WidthFactor))}" : "width as height";
        return $"RandomZoom height ±{Num(System.Math.Abs(a.HeightFactor))}, {width}, {(a.FillMode == 0 ? "reflect" : "constant")} fill, bilinear; {Shapes(layer)}.";
    }

    protected override void Matrix(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<RandomZoomArguments>();
        w.Line($"const float HeightFactor = {SourceWriter.Float(System.Math.Abs(a.HeightFactor))}, FillValue = {SourceWriter.Float(a.FillValue)};");
        w.Line($"const global::ConvNetGen.FillMode Fill = global::ConvNetGen.FillMode.{(a.FillMode == 0 ? "Reflect" : "Constant")};");
        w.Line("float zy = 1 - HeightFactor + draws[2 * b] * (2 * HeightFactor);");
        if (a.HasWidthFactor)
        {
            w.Line($"const float WidthFactor = {SourceWriter.Float(System.Math.Abs(a.WidthFactor))};");
            w.Line("float zx = 1 - WidthFactor + draws[2 * b + 1] * (2 * WidthFactor);");
        }
        else
            w.Line("float zx = zy; // no width factor: the aspect ratio is kept");
    }

    protected override string Coefficients(LayerContext c) => "zx, 0f, (IW - 1) / 2f * (1 - zx), 0f, zy, (IH - 1) / 2f * (1 - zy)";
}
