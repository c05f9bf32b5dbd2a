using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomRotation(factor)] as written, with its fill mode (0 reflect, 1 constant) and value.</summary>
internal sealed record RandomRotationArguments(double Factor, int FillMode, double FillValue) : LayerArguments;

/// <summary>
/// RandomRotation: while training, each image rotated about its centre ((W − 1)/2, (H − 1)/2) by θ = u·2π, u uniform in
/// [−|factor|, |factor|] (one draw), read with bilinear interpolation and Keras' fill: output (y, x) reads column
/// cos θ·x − sin θ·y + a2 and row sin θ·x + cos θ·y + b2, Keras' <c>_compute_affine_matrix</c> with no shear, scale 1 and
/// no translation. Backward is the warp's transpose.
/// </summary>
internal sealed class RandomRotation : AffineWarpLayer
{
    public override LayerKind Kind => LayerKind.RandomRotation;

    public override string Prefix => "random_rotation";

    protected override int Draws => 1;

    public override LayerArguments Read(AttributeArguments args) =>
        new RandomRotationArguments(args.Double("factor", 0), args.Int("FillMode", 0), args.Double("FillValue", 0));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<RandomRotationArguments>();
        if (!(a.Factor >= -1 && a.Factor <= 1)) check.Invalid($"factor must be in [-1, 1] (a fraction of a full turn) but is {Num(a.Factor)}");
        if (a.FillMode is < 0 or > 1) check.Invalid($"{a.FillMode} is not a FillMode");
        if (!Finite(a.FillValue)) check.Invalid($"FillValue must be finite but is {Num(a.FillValue)}");
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<RandomRotationArguments>();
        return $"RandomRotation ±{Num(System.Math.Abs(a.Factor))} of a turn, {(a.FillMode == 0 ? "reflect" : "constant")} fill, bilinear; {Shapes(layer)}.";
    }

    protected override void Matrix(SourceWriter w, LayerContext c)
    {
        var a = c.Layer.Spec.Args<RandomRotationArguments>();
        w.Line($"const float Factor = {SourceWriter.Float(System.Math.Abs(a.Factor))}, FillValue = {SourceWriter.Float(a.FillValue)};");
        w.Line($"const global::ConvNetGen.FillMode Fill = global::ConvNetGen.FillMode.{(a.FillMode == 0 ? "Reflect" : "Constant")};");
        w.Line("const float Cx = (IW - 1) / 2f, Cy = (IH - 1) / 2f;");
        w.Line("float angle = (-Factor + draws[b] * (2 * Factor)) * (2 * global::System.MathF.PI);");
        w.Line("float cos = global::System.MathF.Cos(angle), sin = global::System.MathF.Sin(angle);");
    }

    protected override string Coefficients(LayerContext c) => "cos, -sin, Cx - Cx * cos + Cy * sin, sin, cos, Cy - Cx * sin - Cy * cos";
}
