using System.Globalization;

namespace ConvNetGen.Tests.Numerics;

/// <summary>Seeded data, parameter randomisation, and the comparisons the numerics tests share.</summary>
internal static class NumericsKit
{
    /// <summary>Forward passes: |generated − reference| ≤ this × (1 + |reference|).</summary>
    public const double ForwardTolerance = 1e-4;

    public static float[] Uniform(int count, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        return values;
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>
    /// Moves every parameter off its initial value, so biases, gammas, betas and moving statistics all matter:
    /// kernels keep their seeded glorot values; biases and betas U(-0.3, 0.3); gammas U(0.5, 1.5); moving means
    /// U(-0.3, 0.3); moving variances U(0.5, 1.5).
    /// </summary>
    public static void Randomize(Model model, int seed)
    {
        var random = new Random(seed);
        var parameters = model.Parameters;
        foreach (var layer in model.Definition.Layers)
            foreach (var weight in layer.Weights)
            {
                var values = parameters.Slice(weight.Offset, weight.Length);
                (double low, double high) = weight.Name switch
                {
                    "kernel" => (double.NaN, double.NaN),
                    "gamma" or "moving_variance" => (0.5, 1.5),
                    _ => (-0.3, 0.3),
                };
                if (double.IsNaN(low)) continue;
                for (int i = 0; i < values.Length; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
            }
    }

    /// <summary>|actual − expected| ≤ tolerance × (1 + |expected|) everywhere; the message names the worst element.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, double[] expected, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double ratio = Math.Abs(actual[i] - expected[i]) / (tolerance * (1 + Math.Abs(expected[i])));
            if (!(ratio <= worstRatio)) { worst = i; worstRatio = ratio; } // NaN counts as worst
        }
        if (worst < 0 || worstRatio <= 1) return;
        Assert.Fail(
            $"{what}: element {worst} is {actual[worst].ToString("R", CultureInfo.InvariantCulture)}, the reference " +
            $"{expected[worst].ToString("R", CultureInfo.InvariantCulture)} ({worstRatio:F1}× the tolerance {tolerance})");
    }

    /// <summary>The weight that holds parameter <paramref name="index"/>, as <c>layer/weight[i]</c>.</summary>
    public static string ParameterName(ModelArchitecture architecture, int index)
    {
        foreach (var layer in architecture.Layers)
            foreach (var weight in layer.Weights)
                if (index >= weight.Offset && index < weight.Offset + weight.Length)
                    return $"{layer.Name}/{weight.Name}[{index - weight.Offset}]";
        return $"parameter {index}";
    }
}
