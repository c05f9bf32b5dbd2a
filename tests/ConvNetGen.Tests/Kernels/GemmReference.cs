using ConvNetGen.Kernels;

namespace ConvNetGen.Tests.Kernels;

/// <summary>Naive double-precision GEMMs, random operands, and an error bound, for the kernel tests.</summary>
internal static class GemmReference
{
    /// <summary>The paths this machine can run: 512, 256, 128 bits, and 32 (scalar), widest first.</summary>
    public static IEnumerable<int> Widths => new[] { 512, 256, 128, 32 }.Where(Gemm.IsSupported);

    /// <summary><see cref="Widths"/> as a theory's cases, for the kernel tests that run on every path.</summary>
    public static TheoryData<int> WidthCases
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int width in Widths) data.Add(width);
            return data;
        }
    }

    /// <summary>Forces <paramref name="width"/> on the calling thread until disposed.</summary>
    public static IDisposable Force(int width)
    {
        int previous = Gemm.ForcedWidth;
        Gemm.ForcedWidth = width;
        return new Restore(previous);
    }

    private sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => Gemm.ForcedWidth = previous;
    }

    public static float[] Random(int length, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    /// <summary>Element (i, p) of A, for A stored m×k or (transposed) k×m.</summary>
    public static float A(float[] a, int i, int p, int m, int k, bool transposed) => transposed ? a[p * m + i] : a[i * k + p];

    /// <summary>Element (p, j) of B, for B stored k×n or (transposed) n×k.</summary>
    public static float B(float[] b, int p, int j, int n, int k, bool transposed) => transposed ? b[j * k + p] : b[p * n + j];

    /// <summary>
    /// <c>c0 + A·B (+ bias)</c> in double, and for each element a bound on a float computation's error in any order
    /// of summation: (k + 2)·2⁻²³·(|c0| + Σ|a·b| + |bias|).
    /// </summary>
    public static (double[] Exact, double[] Bound) Multiply(float[] a, float[] b, float[]? c0, float[]? bias, int m, int n, int k,
                                                            bool aTransposed = false, bool bTransposed = false)
    {
        var exact = new double[m * n];
        var bound = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, abs = 0;
            if (c0 is not null) { sum += c0[i * n + j]; abs += Math.Abs(c0[i * n + j]); }
            if (bias is not null && bias.Length > 0) { sum += bias[j]; abs += Math.Abs(bias[j]); }
            for (int p = 0; p < k; p++)
            {
                double product = (double)A(a, i, p, m, k, aTransposed) * B(b, p, j, n, k, bTransposed);
                sum += product;
                abs += Math.Abs(product);
            }
            exact[i * n + j] = sum;
            bound[i * n + j] = (k + 2) * Math.Pow(2, -23) * abs + 1e-30;
        }
        return (exact, bound);
    }

    public static double Activate(Activation activation, double x) => activation switch
    {
        Activation.ReLU => x < 0 ? 0 : x,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        _ => x,
    };

    public static void AssertWithin(ReadOnlySpan<float> actual, double[] expected, double[] bound, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= bound[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > bound {bound[i]:E2}).");
        }
    }

    /// <summary>Asserts the sentinel values after <paramref name="used"/> elements are untouched.</summary>
    public static void AssertUntouched(float[] buffer, int used, float sentinel, string what)
    {
        for (int i = used; i < buffer.Length; i++)
            if (BitConverter.SingleToInt32Bits(buffer[i]) != BitConverter.SingleToInt32Bits(sentinel))
                Assert.Fail($"{what}: wrote element {i}, past the {used} of C.");
    }
}
