namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>Dense: <c>output[batch×Units] = input[batch×Inputs] · kernel[Inputs×Units] + bias</c>, then the activation.</summary>
internal sealed class DenseEmitter : LayerEmitter
{
    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, batch * Inputs);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, batch * Units);");
        string bias = HasBias(c) ? $"Parameters.Slice({Weight(c, "bias")})" : "default";
        w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyBiasActivation(input, Parameters.Slice({Weight(c, "kernel")}), {bias}, output, batch, Units, Inputs, global::ConvNetGen.Activation.{c.Layer.Spec.Activation});");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, batch * Units);");
        ActivationAndBiasBackward(w, c, "batch", "Units", () =>
        {
            w.Line("// dKernel[Inputs×Units] += inputᵀ · gradient");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedAAdd({c.InputBuffer}.AsSpan(0, batch * Inputs), gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), Inputs, Units, batch);");
        });
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line("// dInput[batch×Inputs] = gradient · kernelᵀ");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyTransposedB(gradient, Parameters.Slice({Weight(c, "kernel")}), {c.InputGradientBuffer}.AsSpan(0, batch * Inputs), batch, Inputs, Units);");
        }
    }

    private static void Constants(SourceWriter w, LayerContext c) =>
        w.Line($"const int Inputs = {c.InputSize}, Units = {c.OutputSize};");
}
