using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Winograd F(3×3, 3×3) forward, kernel gradient and input gradient, composed with the GEMMs block by block as the
/// generated code composes them, against a naive double-precision 3×3 convolution with a plain NHWC output, on every
/// path this machine runs: outputs tiled exactly, outputs the last tiles overhang, and same padding's zero border.
/// </summary>
public class WinogradF3Tests
{
    /// <summary>(batch, input height, width, channels, filters, padding each side); tiles = ⌈conv output / 3⌉ each way.</summary>
    private static readonly (int B, int H, int W, int C, int F, int Pad)[] Shapes =
    [
        (2, 5, 5, 64, 128, 0), // the reference model's conv2d_2: one tile per sample
        (3, 8, 5, 3, 5, 0),
        (1, 11, 8, 17, 20, 0),
        (2, 5, 5, 1, 1, 0),
        (1, 8, 11, 8, 33, 0),
        (2, 8, 8, 16, 24, 1),  // same padding, 8×8: the last row and column of tiles keep 2 of their 3
        (1, 7, 10, 5, 9, 1),   // same, 7×10: keeping 1 of 3 rows
        (1, 9, 6, 8, 8, 0),    // valid 7×4: tiles overhang the far edges only
        (1, 2, 2, 8, 8, 1),    // same, one tile reaching past every edge
    ];

    public static TheoryData<int, int, bool> Cases
    {
        get
        {
            var data = new TheoryData<int, int, bool>();
            foreach (int width in Widths)
            for (int shape = 0; shape < Shapes.Length; shape++)
                data.Add(width, shape, shape % 2 == 0);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_both_gradients_match_a_naive_convolution(int width, int shapeIndex, bool useBias)
    {
        var (batch, h, w, c, f, pad) = Shapes[shapeIndex];
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2, th = (oh + 2) / 3, tw = (ow + 2) / 3, tiles = batch * th * tw;
        var input = Random(batch * h * w * c, seed: 1);
        var kernel = Random(9 * c * f, seed: 2);
        var bias = useBias ? Random(f, seed: 3) : [];
        var outputGradient = Random(batch * oh * ow * f, seed: 4);
        var kernelGradient = Random(9 * c * f, seed: 5); // accumulated onto
        var kernelGradientBefore = (float[])kernelGradient.Clone();

        const int Block = 4; // a short last block in most shapes
        const int P = WinogradF3.Positions;
        int uPlane = Winograd.Plane(c, f), utPlane = Winograd.Plane(f, c);
        var u = new float[P * uPlane];
        var ut = new float[P * utPlane];
        var v = new float[(tiles + Block - 1) / Block * P * Winograd.Plane(Block, c)];
        var m = new float[P * Winograd.Plane(Block, f)];
        var du = new float[P * uPlane];
        var output = new float[batch * oh * ow * f];
        var inputGradient = new float[batch * h * w * c];
        using (Force(width))
        {
            WinogradF3.TransformKernel(kernel, u, c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * P * Winograd.Plane(Block, c), P * vPlane);
                WinogradF3.TransformInput(input, vb, batch, h, w, c, th, tw, first, n, pad, pad);
                for (int p = 0; p < P; p++)
                    Gemm.MultiplyBiasActivation(vb.Slice(p * vPlane, n * c), u.AsSpan(p * uPlane, c * f), default, m.AsSpan(p * mPlane, n * f), n, f, c, Activation.Linear);
                WinogradF3.TransformOutput(m.AsSpan(0, P * mPlane), bias, output, batch, th, tw, f, first, n, outputHeight: oh, outputWidth: ow);
            }

            for (int p = 0; p < P; p++)
                Gemm.Transpose(u.AsSpan(p * uPlane, c * f), ut.AsSpan(p * utPlane, f * c), c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * P * Winograd.Plane(Block, c), P * vPlane);
                WinogradF3.TransformOutputGradient(outputGradient, m.AsSpan(0, P * mPlane), batch, th, tw, f, first, n, oh, ow);
                for (int p = 0; p < P; p++)
                    Gemm.MultiplyTransposedAAdd(vb.Slice(p * vPlane, n * c), m.AsSpan(p * mPlane, n * f), du.AsSpan(p * uPlane, c * f), c, f, n);
                for (int p = 0; p < P; p++)
                    Gemm.MultiplyBiasActivation(m.AsSpan(p * mPlane, n * f), ut.AsSpan(p * utPlane, f * c), default, vb.Slice(p * vPlane, n * c), n, c, f, Activation.Linear);
                WinogradF3.AddInputGradient(vb, inputGradient, batch, h, w, c, th, tw, first, n, pad, pad);
            }
            WinogradF3.AddKernelGradient(du, kernelGradient, c, f);
        }

        // Plain NHWC: output row (b·OH + y)·OW + x is pixel (y, x). F(3, 3)'s transforms scale values by up to 4 and
        // 1/6, so the bound is looser than F(2, 3)'s, still far below any real error.
        var pixels = Enumerable.Range(0, batch * oh * ow).Select(row => (row / (oh * ow), row / ow % oh, row % ow)).ToArray();
        NaiveConv3x3.AssertMatches(input, kernel, bias, outputGradient, kernelGradientBefore, output, kernelGradient, inputGradient,
            h, w, c, f, pixels, scale: 256, pad);
    }

    [Fact]
    public void Tiles_that_do_not_fit_the_input_are_refused()
    {
        // A tile may overhang the input (it reads zeros there), but not start past it; tiles must cover the output.
        var e = Assert.Throws<ArgumentException>(() => WinogradF3.TransformInput(new float[25], new float[25 * Winograd.Plane(3, 1)], 1, 5, 5, 1, 1, 3, 0, 3));
        Assert.Contains("start past a 5×5 input; it needs at least 1×7", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradF3.TransformOutput(new float[25 * Winograd.Plane(4, 1)], [], new float[100], 1, 2, 2, 1, 0, 4, outputHeight: 7, outputWidth: 6));
        Assert.Contains("2×2 tiles of 3×3 do not cover a 7×6 output", e.Message);
    }
}
