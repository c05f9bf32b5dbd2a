using System.Collections.Generic;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;

namespace ConvNetGen.Generators.Layers;

/// <summary>[Dense(units, …)] as written; <see cref="Units"/> below 0 is a multiple of a block's Filters.</summary>
internal sealed record DenseArguments(int Units, ActivationKind Activation, bool UseBias) : LayerArguments
{
    public override ActivationKind Activation { get; } = Activation;
}

/// <summary>Dense: <c>output[batch×Units] = input[batch×Inputs] · kernel[Inputs×Units] + bias</c>, then the activation.</summary>
internal sealed class Dense : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Dense;

    public override string Prefix => "dense";

    public override LayerArguments Read(AttributeArguments args) =>
        new DenseArguments(args.Int("units", 0), (ActivationKind)args.Int("Activation", 0), args.Bool("UseBias", true));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<DenseArguments>();
        check.Activation(a.Activation);
        if (a.Units <= 0) check.Invalid($"units must be positive but is {a.Units}{Conv2D.BlockHint(a.Units)}");
    }

    public override int[]? OutputShape(ShapeContext c)
    {
        if (c.Input.Length == 1) return new[] { c.Layer.Args<DenseArguments>().Units };
        c.Report(Descriptors.DenseOnUnflattenedInput, c.Name, Format(c.Input), c.From);
        return null;
    }

    public override IEnumerable<WeightShape> Weights(LayerSpec layer, int[] input)
    {
        var a = layer.Args<DenseArguments>();
        yield return new WeightShape("kernel", true, input[input.Length - 1], a.Units);
        if (a.UseBias) yield return new WeightShape("bias", true, a.Units);
    }

    public override string Describe(LayerPlan layer)
    {
        var a = layer.Spec.Args<DenseArguments>();
        string activation = a.Activation == ActivationKind.Linear ? "" : $", {a.Activation}";
        return $"Dense {a.Units} units{activation}; {Shapes(layer)}.";
    }

    private static bool HasBias(LayerContext c) => c.Layer.Spec.Args<DenseArguments>().UseBias;

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, batch * Inputs);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, batch * Units);");
        string bias = HasBias(c) ? $"ParameterBuffer.Slice({Weight(c, "bias")})" : "default";
        w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(input, ParameterBuffer.Slice({Weight(c, "kernel")}), {bias}, output, batch, Units, Inputs, global::ConvNetGen.Activation.{c.Layer.Spec.Activation});");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, batch * Units);");
        ActivationAndBiasBackward(w, c, HasBias(c), "batch", "Units", () =>
        {
            w.Line("// dKernel[Inputs×Units] += inputᵀ · gradient");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd({c.InputBuffer}.AsSpan(0, batch * Inputs), gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), Inputs, Units, batch);");
        });
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line("// dInput[batch×Inputs] = gradient · kernelᵀ");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedB(gradient, ParameterBuffer.Slice({Weight(c, "kernel")}), {c.InputGradientBuffer}.AsSpan(0, batch * Inputs), batch, Inputs, Units);");
        }
    }

    private static void Constants(SourceWriter w, LayerContext c) =>
        w.Line($"const int Inputs = {c.InputSize}, Units = {c.OutputSize};");
}
