using System.Collections.Generic;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>Dense: <c>output[batch×Units] = input[batch×Inputs] · kernel[Inputs×Units] + bias</c>, then the activation.</summary>
internal sealed class DenseEmitter : LayerEmitter
{
    public override IEnumerable<Buffer> ExtraBuffers(LayerContext c)
    {
        yield return new Buffer($"{c.Id}InputTransposed", "float", $"capacity * {c.Shapes}.InputSize", "inputᵀ for the kernel gradient");
        yield return new Buffer($"{c.Id}KernelTransposed", "float", $"{c.Shapes}.KernelLength", "kernelᵀ for the input gradient");
    }

    public override void Forward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, batch * Inputs);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, batch * Units);");
        if (HasBias(c))
        {
            w.Line($"global::System.ReadOnlySpan<float> bias = Parameters.Slice({Weight(c, "bias")});");
            w.Line("for (int b = 0; b < batch; b++) bias.CopyTo(output.Slice(b * Units, Units));");
        }
        else w.Line("output.Clear();");
        w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyAdd(input, Parameters.Slice({Weight(c, "kernel")}), output, batch, Units, Inputs);");
        if (c.Layer.Spec.Activation != Model.ActivationKind.Linear)
            w.Line($"global::ConvNetGen.Kernels.Activations.Forward(global::ConvNetGen.Activation.{c.Layer.Spec.Activation}, output, Units);");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        Constants(w, c);
        w.Line($"global::System.Span<float> gradient = {c.GradientBuffer}.AsSpan(0, batch * Units);");
        ActivationBackward(w, c, "batch", "Units");
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            w.Line("// dKernel[Inputs×Units] += inputᵀ · gradient");
            w.Line($"global::System.Span<float> inputT = ws.{c.Id}InputTransposed.AsSpan(0, batch * Inputs);");
            w.Line($"global::ConvNetGen.Kernels.Gemm.Transpose({c.InputBuffer}.AsSpan(0, batch * Inputs), inputT, batch, Inputs);");
            w.Line($"global::ConvNetGen.Kernels.Gemm.MultiplyAdd(inputT, gradient, ws.Gradients.AsSpan({Weight(c, "kernel")}), Inputs, Units, batch);");
            if (HasBias(c))
            {
                w.Line($"global::System.Span<float> biasGradient = ws.Gradients.AsSpan({Weight(c, "bias")});");
                w.Line("for (int b = 0; b < batch; b++) global::System.Numerics.Tensors.TensorPrimitives.Add(biasGradient, gradient.Slice(b * Units, Units), biasGradient);");
            }
        }
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line("// dInput[batch×Inputs] = gradient · kernelᵀ");
            w.Line($"global::System.Span<float> kernelT = ws.{c.Id}KernelTransposed;");
            w.Line($"global::ConvNetGen.Kernels.Gemm.Transpose(Parameters.Slice({Weight(c, "kernel")}), kernelT, Inputs, Units);");
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, batch * Inputs);");
            w.Line("inputGradient.Clear();");
            w.Line("global::ConvNetGen.Kernels.Gemm.MultiplyAdd(gradient, kernelT, inputGradient, batch, Inputs, Units);");
        }
    }

    private static void Constants(SourceWriter w, LayerContext c) =>
        w.Line($"const int Inputs = {c.InputSize}, Units = {c.OutputSize};");
}
