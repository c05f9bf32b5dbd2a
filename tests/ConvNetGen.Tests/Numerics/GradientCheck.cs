using System.Globalization;

namespace ConvNetGen.Tests.Numerics;

/// <summary>
/// Gradient checks of L = Σ r·output for a fixed random r: the generated BackwardPass (float32) against central
/// differences of the float64 reference, for every parameter. The reference's own analytic backward is checked
/// against the same differences, much more tightly, so it can stand in where differences are too costly (MNIST).
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// Generated vs. numeric: |g − n| ≤ RelativeTolerance·|n| + AbsoluteTolerance·S, with S the largest |n| of the
    /// parameter's weight tensor (at least 1e-2 of the largest |n| in the model). Correct float32 passes use at most
    /// 8 % of this tolerance on every SIMD path (Vector512/256/128, scalar). Each of these generator corruptions, tried
    /// one at a time, fails it: BatchNormalization's input gradient without its x̂·Σ(dy·x̂) term; average-pool backward
    /// dividing by the full window; a conv bias gradient missing one pixel; sigmoid' as y(1.01 − y); col2im dropping
    /// one tap. Forward-side corruptions of the reference (same padding's extra row on top, average pooling counting
    /// the padding) fail the forward comparisons.
    /// </summary>
    public const double RelativeTolerance = 1e-3, AbsoluteTolerance = 1e-4;

    /// <summary>Reference analytic vs. numeric (both float64; the differences' truncation error is ~1e-10).</summary>
    public const double ReferenceTolerance = 1e-6;

    /// <summary>Kinks (ReLU at 0, max-pool ties) closer than this to the evaluation point could fall inside a difference step.</summary>
    public const double MinimumKinkMargin = 1e-4;

    public sealed record Result(
        ModelArchitecture Architecture, float[] Generated, double[] Numeric, double[] Analytic, double[] Parameters, KinkMargins Margins);

    /// <summary>
    /// Randomises the model's parameters, runs the generated backward on a batch of random inputs with random r, and
    /// the reference's numeric and analytic gradients at the same point. Leaves the parameters as they were before
    /// the training-mode pass (it updates moving statistics).
    /// </summary>
    public static Result Run(Model model, ReferenceModel reference, int batch = 3, int seed = 1, ISet<int>? frozen = null)
    {
        NumericsKit.Randomize(model, seed);
        var x = NumericsKit.Uniform(batch * reference.InputSize, seed + 1);
        var r = NumericsKit.Uniform(batch * reference.OutputSize, seed + 2);
        var before = model.Parameters.ToArray();
        var p = NumericsKit.ToDouble(before);
        var xd = NumericsKit.ToDouble(x);
        var rd = NumericsKit.ToDouble(r);

        var generated = new float[p.Length];
        model.BackwardPass(x, r, generated);
        before.CopyTo(model.Parameters);

        var margins = new KinkMargins();
        reference.Forward(xd, batch, p, training: true, margins);
        var numeric = reference.NumericGradient(xd, batch, p, rd);
        var analytic = reference.Gradient(xd, batch, p, rd, frozen: frozen);
        return new Result(reference.Architecture, generated, numeric, analytic, p, margins);
    }

    /// <summary>Runs <see cref="Run"/> and asserts every gradient, generated and reference, against the differences.</summary>
    public static Result Check(Model model, ReferenceModel reference, int batch = 3, int seed = 1)
    {
        var result = Run(model, reference, batch, seed);
        Assert.True(result.Margins.Smallest > MinimumKinkMargin,
            $"the evaluation point lies {result.Margins.Smallest:G3} from a kink (ReLU {result.Margins.Relu:G3}, " +
            $"max-pool gap {result.Margins.MaxPoolGap:G3}); pick another seed");
        AssertReferenceAgrees(result);
        AssertAgrees(result.Architecture, result.Generated, result.Numeric, "generated vs. central differences");
        return result;
    }

    public static void AssertReferenceAgrees(Result result)
    {
        double scale = Math.Max(1, result.Numeric.Max(Math.Abs));
        for (int i = 0; i < result.Numeric.Length; i++)
            Assert.True(Math.Abs(result.Analytic[i] - result.Numeric[i]) <= ReferenceTolerance * scale,
                $"reference analytic vs. numeric at {NumericsKit.ParameterName(result.Architecture, i)}: {result.Analytic[i]} vs {result.Numeric[i]}");
    }

    /// <summary>
    /// Asserts generated ≈ expected for every parameter (see <see cref="RelativeTolerance"/>), exactly 0 where the
    /// expected gradient is exactly 0 (non-trainable statistics, frozen layers), and returns the worst error as a
    /// fraction of its tolerance.
    /// </summary>
    public static double AssertAgrees(ModelArchitecture architecture, float[] generated, double[] expected, string what)
    {
        Assert.Equal(expected.Length, generated.Length);
        double global = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        double worstRatio = 0;
        int worst = -1;
        foreach (var layer in architecture.Layers)
            foreach (var weight in layer.Weights)
            {
                double scale = Math.Max(1e-2 * global, Enumerable.Range(weight.Offset, weight.Length).Max(i => Math.Abs(expected[i])));
                for (int i = weight.Offset; i < weight.Offset + weight.Length; i++)
                {
                    if (!weight.IsTrainableVariable)
                    {
                        Assert.True(generated[i] == 0, $"{what}: {NumericsKit.ParameterName(architecture, i)} is not trainable but has gradient {generated[i]}");
                        continue;
                    }
                    double tolerance = Math.Max(RelativeTolerance * Math.Abs(expected[i]) + AbsoluteTolerance * scale, double.Epsilon);
                    double ratio = Math.Abs(generated[i] - expected[i]) / tolerance;
                    if (!(ratio <= worstRatio)) { worstRatio = ratio; worst = i; }
                }
            }
        if (worst >= 0)
            Assert.True(worstRatio <= 1,
                $"{what}: {NumericsKit.ParameterName(architecture, worst)} is {generated[worst].ToString("R", CultureInfo.InvariantCulture)}, " +
                $"expected {expected[worst].ToString("R", CultureInfo.InvariantCulture)} ({worstRatio:F1}× the tolerance)");
        return worstRatio;
    }
}
