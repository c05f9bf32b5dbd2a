using System.Collections.Generic;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>[BatchNormalization(Momentum = …, Epsilon = …)] as written.</summary>
internal sealed record BatchNormalizationArguments(double Momentum, double Epsilon) : LayerArguments;

/// <summary>
/// BatchNormalization over the last axis. Training mode: batch mean and (biased) variance, moving statistics
/// updated with Keras' momentum. Inference mode (evaluation, prediction, or a frozen layer): moving statistics.
/// </summary>
internal sealed class BatchNormalization : LayerDefinition
{
    public override LayerKind Kind => LayerKind.BatchNormalization;

    public override string Prefix => "batch_normalization";

    public override LayerArguments Read(AttributeArguments args) =>
        new BatchNormalizationArguments(args.Double("Momentum", 0.99), args.Double("Epsilon", 0.001));

    public override void CheckArguments(LayerSpec layer, ArgumentCheck check)
    {
        var a = layer.Args<BatchNormalizationArguments>();
        if (!(a.Momentum >= 0 && a.Momentum <= 1)) check.Invalid($"momentum must be in [0, 1] but is {Number(a.Momentum)}");
        if (!(a.Epsilon > 0) || double.IsInfinity(a.Epsilon)) check.Invalid($"epsilon must be positive but is {Number(a.Epsilon)}");
    }

    public override int[]? OutputShape(ShapeContext c) => c.Input;

    public override IEnumerable<(string Property, string Value)> Config(LayerPlan layer)
    {
        var a = layer.Spec.Args<BatchNormalizationArguments>();
        return new[] { ("Momentum", Double(a.Momentum)), ("Epsilon", Double(a.Epsilon)) };
    }

    /// <summary>Keras' four per channel; the moving statistics are not trainable variables.</summary>
    public override IEnumerable<WeightShape> Weights(LayerSpec layer, int[] input)
    {
        int channels = input[input.Length - 1];
        yield return new WeightShape("gamma", true, channels);
        yield return new WeightShape("beta", true, channels);
        yield return new WeightShape("moving_mean", false, channels);
        yield return new WeightShape("moving_variance", false, channels);
    }

    /// <summary>
    /// An inference forward (<c>training: false</c>: moving statistics) uses only the mean, σ⁻¹ and the mode flag; x̂
    /// goes straight to the output there, since nothing reads it back. Batch statistics and everything the backward
    /// pass keeps are training-only.
    /// </summary>
    public override IEnumerable<BufferPlan> ExtraBuffers(LayerContext c)
    {
        long channels = c.Layer.InputShape[c.Layer.InputShape.Count - 1];
        string ch = $"{channels} channels";
        yield return Buffer(c, "Normalized", "float", BufferSize.Samples(c.OutputSize), true, "x̂ = (x - mean) / sqrt(var + ε), for backward", ShapeInference.Format(c.Layer.OutputShape));
        yield return Buffer(c, "InverseStd", "float", BufferSize.Constant(channels), false, "1 / sqrt(var + ε) per channel, of the last pass", ch);
        yield return Buffer(c, "Mean", "float", BufferSize.Constant(channels), false, "per-channel mean of the last training pass", ch);
        yield return Buffer(c, "Sums", "double", BufferSize.Constant(2 * channels), true, "this chunk's per-channel Σx and Σx², read by the step's other chunks", "2 × " + ch);
        yield return Buffer(c, "GradientSums", "double", BufferSize.Constant(2 * channels), true, "this chunk's per-channel Σdy and Σdy·x̂, read by the step's other chunks", "2 × " + ch);
        yield return Buffer(c, "Totals", "double", BufferSize.Constant(2 * channels), true, "those sums over the whole batch", "2 × " + ch);
        yield return Buffer(c, "Coefficients", "float", BufferSize.Constant(3 * channels), true, "per channel a, b, c of the input gradient a·dy + b·x̂ + c", "3 × " + ch);
        yield return Buffer(c, "TrainingMode", "bool", BufferSize.Constant(1), false, "whether the last forward pass used batch statistics", "one flag");
    }

    private static string Channels(LayerContext c) => c.Layer.InputShape[c.Layer.InputShape.Count - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override void Forward(SourceWriter w, LayerContext c)
    {
        w.Line($"const int C = {Channels(c)};");
        w.Line($"const float Momentum = {SourceWriter.Float(c.Layer.Spec.Args<BatchNormalizationArguments>().Momentum)}, Epsilon = {SourceWriter.Float(c.Layer.Spec.Args<BatchNormalizationArguments>().Epsilon)};");
        w.Line($"int rows = batch * ({c.Shapes}.OutputSize / C);");
        w.Line($"global::System.ReadOnlySpan<float> input = {c.InputBuffer}.AsSpan(0, rows * C);");
        w.Line($"global::System.Span<float> output = {c.OutputBuffer}.AsSpan(0, rows * C);");
        w.Line($"global::System.Span<float> xhat = ws.IsTraining ? ws.{c.Id}Normalized.AsSpan(0, rows * C) : output; // an inference workspace keeps no x̂: nothing reads it back");
        w.Line($"global::System.ReadOnlySpan<float> gamma = ParameterBuffer.Slice({Weight(c, "gamma")});");
        w.Line($"global::System.ReadOnlySpan<float> beta = ParameterBuffer.Slice({Weight(c, "beta")});");
        w.Line($"global::System.Span<float> movingMean = ParameterBuffer.Slice({Weight(c, "moving_mean")});");
        w.Line($"global::System.Span<float> movingVariance = ParameterBuffer.Slice({Weight(c, "moving_variance")});");
        w.Line($"global::System.Span<float> mean = ws.{c.Id}Mean;");
        w.Line($"global::System.Span<float> inverseStd = ws.{c.Id}InverseStd;");
        w.Line($"bool trainingMode = IsTrainingMode({c.Layer.Index}, training);");
        w.Line($"ws.{c.Id}TrainingMode[0] = trainingMode;");
        using (w.Block("if (trainingMode)"))
        {
            w.Line($"global::System.Span<double> sum = ws.{c.Id}Sums.AsSpan(0, C), sumSquares = ws.{c.Id}Sums.AsSpan(C, C);");
            w.Line("sum.Clear();");
            w.Line("sumSquares.Clear();");
            w.Line($"global::ConvNetGen.Kernels.BatchNorm.AddStatistics(input, C, ws.{c.Id}Sums.AsSpan(0, 2 * C)); // Σx, Σx² in double");
            w.Line("// The statistics span the whole batch: add up every training thread's sums (in chunk order, so all agree).");
            w.Line($"global::System.Span<double> totals = ws.{c.Id}Totals;");
            w.Line($"int totalRows = SumAcrossChunks(ws, batch, static w => ((Workspace)w).{c.Id}Sums, totals) * ({c.Shapes}.OutputSize / C);");
            w.Line("bool updatesMovingStatistics = IsFirstChunk(ws); // once per step");
            using (w.Block("for (int ch = 0; ch < C; ch++)"))
            {
                w.Line("double m = totals[ch] / totalRows;");
                w.Line("double variance = global::System.Math.Max(totals[C + ch] / totalRows - m * m, 0.0);");
                w.Line("mean[ch] = (float)m;");
                w.Line("inverseStd[ch] = (float)(1.0 / global::System.Math.Sqrt(variance + Epsilon));");
                using (w.Block("if (updatesMovingStatistics)"))
                {
                    w.Line("movingMean[ch] = movingMean[ch] * Momentum + (float)m * (1f - Momentum);");
                    w.Line("movingVariance[ch] = movingVariance[ch] * Momentum + (float)variance * (1f - Momentum);");
                }
            }
        }
        using (w.Block("else"))
        using (w.Block("for (int ch = 0; ch < C; ch++)"))
        {
            w.Line("mean[ch] = movingMean[ch];");
            w.Line("inverseStd[ch] = 1f / global::System.MathF.Sqrt(movingVariance[ch] + Epsilon);");
        }
        w.Line("global::ConvNetGen.Kernels.BatchNorm.Normalize(input, mean, inverseStd, gamma, beta, xhat, output); // x̂ = (x − mean)·σ⁻¹, y = γ·x̂ + β");
    }

    public override void Backward(SourceWriter w, LayerContext c)
    {
        w.Line($"const int C = {Channels(c)};");
        w.Line($"int rows = batch * ({c.Shapes}.OutputSize / C);");
        w.Line($"global::System.ReadOnlySpan<float> gradient = {c.GradientBuffer}.AsSpan(0, rows * C);");
        w.Line($"global::System.ReadOnlySpan<float> xhat = ws.{c.Id}Normalized.AsSpan(0, rows * C);");
        w.Line($"global::System.ReadOnlySpan<float> gamma = ParameterBuffer.Slice({Weight(c, "gamma")});");
        w.Line($"global::System.ReadOnlySpan<float> inverseStd = ws.{c.Id}InverseStd;");
        w.Line($"global::System.Span<double> sumGradient = ws.{c.Id}GradientSums.AsSpan(0, C), sumGradientXhat = ws.{c.Id}GradientSums.AsSpan(C, C);");
        w.Line("sumGradient.Clear();");
        w.Line("sumGradientXhat.Clear();");
        w.Line($"global::ConvNetGen.Kernels.BatchNorm.AddGradientSums(gradient, xhat, C, ws.{c.Id}GradientSums.AsSpan(0, 2 * C)); // Σdy, Σdy·x̂ in double");
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            w.Line($"global::System.Span<float> gammaGradient = ws.Gradients.AsSpan({Weight(c, "gamma")});");
            w.Line($"global::System.Span<float> betaGradient = ws.Gradients.AsSpan({Weight(c, "beta")});");
            w.Line("for (int ch = 0; ch < C; ch++) { gammaGradient[ch] += (float)sumGradientXhat[ch]; betaGradient[ch] += (float)sumGradient[ch]; }");
        }
        if (c.Previous is null) return;
        using (w.Block($"if (ComputesInputGradient({c.Layer.Index}))"))
        {
            w.Line($"global::System.Span<float> inputGradient = {c.InputGradientBuffer}.AsSpan(0, rows * C);");
            w.Line($"global::System.Span<float> a = ws.{c.Id}Coefficients.AsSpan(0, C), b = ws.{c.Id}Coefficients.AsSpan(C, C), shift = ws.{c.Id}Coefficients.AsSpan(2 * C, C);");
            using (w.Block($"if (ws.{c.Id}TrainingMode[0])"))
            {
                w.Line("// Batch statistics depend on every input of the batch, across threads: dx = γ·σ⁻¹/N · (N·dy − Σdy − x̂·Σ(dy·x̂))");
                w.Line($"global::System.Span<double> totals = ws.{c.Id}Totals;");
                w.Line($"int totalRows = SumAcrossChunks(ws, batch, static w => ((Workspace)w).{c.Id}GradientSums, totals) * ({c.Shapes}.OutputSize / C);");
                using (w.Block("for (int ch = 0; ch < C; ch++)"))
                {
                    w.Line("double scale = (double)gamma[ch] * inverseStd[ch];");
                    w.Line("a[ch] = (float)scale;");
                    w.Line("b[ch] = (float)(-scale * totals[C + ch] / totalRows);");
                    w.Line("shift[ch] = (float)(-scale * totals[ch] / totalRows);");
                }
            }
            using (w.Block("else"))
            {
                w.Line("// Moving statistics are constants: dx = dy · γ · σ⁻¹");
                using (w.Block("for (int ch = 0; ch < C; ch++)"))
                {
                    w.Line("a[ch] = gamma[ch] * inverseStd[ch];");
                    w.Line("b[ch] = 0f;");
                    w.Line("shift[ch] = 0f;");
                }
            }
            w.Line("global::ConvNetGen.Kernels.BatchNorm.InputGradient(gradient, xhat, a, b, shift, inputGradient);");
        }
    }
}
