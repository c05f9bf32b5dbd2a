using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[RandomFlip(mode)] as written: 0 horizontal, 1 vertical, 2 both (ConvNetGen.RandomFlipMode).</summary>
internal sealed record RandomFlipArguments(int Mode) : LayerArguments;

/// <summary>
/// RandomFlip: while training, each image is flipped when its draw is at most 0.5 (Keras: <c>uniform() &lt;= 0.5</c>;
/// in horizontal-and-vertical mode the one draw flips both axes or neither, as Keras does). Backward flips the gradient
/// the same way (a flip is its own transpose).
/// </summary>
internal sealed class RandomFlip : AugmentationLayer
{
    public override LayerKind Kind => LayerKind.RandomFlip;

    public override string Prefix => "random_flip";

    protected override int Draws => 1;

    public override LayerArguments Read(AttributeArguments args) => new RandomFlipArguments(args.Int("mode", 2));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        int mode = layer.Args<RandomFlipArguments>().Mode;
        if (mode is < 0 or > 2) check.Invalid($"{mode} is not a RandomFlipMode");
    }

    public override string Describe(LayerPlan layer) =>
        $"RandomFlip {(layer.Spec.Args<RandomFlipArguments>().Mode switch { 0 => "horizontal", 1 => "vertical", _ => "horizontal and vertical" })}; {Shapes(layer)}.";

    private static void Flips(SourceWriter w, LayerContext c)
    {
        int mode = c.Layer.Spec.Args<RandomFlipArguments>().Mode;
        w.Line($"const bool Horizontal = {(mode != 1 ? "true" : "false")}, Vertical = {(mode != 0 ? "true" : "false")};");
    }

    protected override void TrainingForward(SourceWriter w, LayerContext c)
    {
        Flips(w, c);
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("bool flip = draws[b] <= 0.5f;");
            w.Line($"{Kernels}.Flip(input.Slice(b * IH * IW * IC, IH * IW * IC), output.Slice(b * OH * OW * OC, OH * OW * OC), IH, IW, IC, flip && Horizontal, flip && Vertical);");
        }
    }

    protected override void BackwardBody(SourceWriter w, LayerContext c)
    {
        Flips(w, c);
        using (w.Block("for (int b = 0; b < batch; b++)"))
        {
            w.Line("bool flip = draws[b] <= 0.5f;");
            w.Line($"{Kernels}.Flip(gradient.Slice(b * OH * OW * OC, OH * OW * OC), inputGradient.Slice(b * IH * IW * IC, IH * IW * IC), IH, IW, IC, flip && Horizontal, flip && Vertical);");
        }
    }
}
