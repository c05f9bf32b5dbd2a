using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// A 3×3, stride-1 convolution in double precision, valid or zero-padded by <c>pad</c> on each side, for the Winograd tests: the outputs at the given pixels
/// (one output row per pixel, in the order given), and the kernel and input gradients from an output gradient laid
/// out the same way, each with an error bound of <c>scale · 2⁻²³ · Σ|terms|</c>.
/// </summary>
internal static class NaiveConv3x3
{
    /// <summary>
    /// Checks <paramref name="output"/>, <paramref name="kernelGradient"/> (accumulated onto
    /// <paramref name="kernelGradientBefore"/>) and <paramref name="inputGradient"/> against the naive convolution.
    /// </summary>
    public static void AssertMatches(float[] input, float[] kernel, float[] bias, float[] outputGradient, float[] kernelGradientBefore,
                                     float[] output, float[] kernelGradient, float[] inputGradient,
                                     int h, int w, int c, int f, IReadOnlyList<(int B, int Y, int X)> pixels, double scale, int pad = 0)
    {
        double Tolerance(double absoluteSum) => scale * Math.Pow(2, -23) * absoluteSum + 1e-30;
        var expectedOutput = new double[pixels.Count * f];
        var outputBound = new double[pixels.Count * f];
        var expectedKernel = kernelGradientBefore.Select(x => (double)x).ToArray();
        var kernelAbs = kernelGradientBefore.Select(x => (double)Math.Abs(x)).ToArray();
        var expectedInput = new double[inputGradient.Length];
        var inputAbs = new double[inputGradient.Length];
        for (int row = 0; row < pixels.Count; row++)
        {
            var (b, y, x) = pixels[row];
            for (int o = 0; o < f; o++)
            {
                double sum = bias.Length > 0 ? bias[o] : 0, abs = Math.Abs(sum), g = outputGradient[row * f + o];
                for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++)
                for (int ch = 0; ch < c; ch++)
                {
                    int iy = y + ky - pad, ix = x + kx - pad;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // same padding's zeros
                    int i = ((b * h + iy) * w + ix) * c + ch, k = ((ky * 3 + kx) * c + ch) * f + o;
                    sum += (double)input[i] * kernel[k];
                    abs += Math.Abs((double)input[i] * kernel[k]);
                    expectedKernel[k] += input[i] * g;
                    kernelAbs[k] += Math.Abs(input[i] * g);
                    expectedInput[i] += kernel[k] * g;
                    inputAbs[i] += Math.Abs(kernel[k] * g);
                }
                expectedOutput[row * f + o] = sum;
                outputBound[row * f + o] = Tolerance(abs);
            }
        }
        AssertWithin(output, expectedOutput, outputBound, "output");
        AssertWithin(kernelGradient, expectedKernel, kernelAbs.Select(Tolerance).ToArray(), "kernel gradient");
        AssertWithin(inputGradient, expectedInput, inputAbs.Select(Tolerance).ToArray(), "input gradient");
    }
}
