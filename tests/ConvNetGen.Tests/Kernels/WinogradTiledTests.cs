using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Winograd F(3×3, 3×3) and F(4×4, 3×3) forward, kernel gradient and input gradient, composed with the GEMMs block by
/// block as the generated code composes them, against a naive double-precision 3×3 convolution with a plain NHWC
/// output, on every path this machine runs: outputs tiled exactly, outputs the last tiles overhang, and same padding's
/// zero border. The transform matrices themselves are checked against the identity they must satisfy.
/// </summary>
public class WinogradTiledTests
{
    /// <summary>(batch, input height, width, channels, filters, padding each side); tiles = ⌈conv output / Out⌉ each way.</summary>
    private static readonly (int B, int H, int W, int C, int F, int Pad)[] Shapes =
    [
        (2, 5, 5, 64, 128, 0), // the reference model's conv2d_2: one F(3×3) tile per sample
        (3, 8, 5, 3, 5, 0),
        (1, 11, 8, 17, 20, 0),
        (2, 5, 5, 1, 1, 0),
        (1, 8, 11, 8, 33, 0),
        (2, 8, 8, 16, 24, 1),  // same padding, 8×8: F(4×4) tiles it exactly; F(3×3)'s last tiles keep 2 of their 3
        (1, 7, 10, 5, 9, 1),   // same, 7×10: keeping 1 of 3 rows, 3 of 4
        (1, 9, 6, 8, 8, 0),    // valid 7×4: tiles overhang the far edges only
        (1, 2, 2, 8, 8, 1),    // same, one tile reaching past every edge
        (2, 16, 16, 32, 32, 1), // a CIFAR-like same conv, 4×4 F(4×4) tiles a sample
    ];

    /// <summary>
    /// How far either flavour may stray from the exact result, in units of 2⁻²³ · Σ|terms|: F(3×3)'s transforms scale
    /// values by up to 4 and 1/6, F(4×4)'s by up to 8 and 1/24, yet both stay within this bound on every shape and path
    /// (F(4×4) within half of it when this was written; at 8 both fail), a small fraction of one percent of the terms'
    /// magnitude and far below any error in the indexing or the matrices.
    /// </summary>
    private const double Scale = 256;

    public static TheoryData<int, int, int, bool> Cases
    {
        get
        {
            var data = new TheoryData<int, int, int, bool>();
            foreach (int tile in new[] { 3, 4 })
            foreach (int width in Widths)
            for (int shape = 0; shape < Shapes.Length; shape++)
                data.Add(tile, width, shape, shape % 2 == 0);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_both_gradients_match_a_naive_convolution(int tile, int width, int shapeIndex, bool useBias)
    {
        var (batch, h, w, c, f, pad) = Shapes[shapeIndex];
        var k = Flavour.Of(tile);
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2, th = (oh + tile - 1) / tile, tw = (ow + tile - 1) / tile, tiles = batch * th * tw;
        var input = Random(batch * h * w * c, seed: 1);
        var kernel = Random(9 * c * f, seed: 2);
        var bias = useBias ? Random(f, seed: 3) : [];
        var outputGradient = Random(batch * oh * ow * f, seed: 4);
        var kernelGradient = Random(9 * c * f, seed: 5); // accumulated onto
        var kernelGradientBefore = (float[])kernelGradient.Clone();

        const int Block = 4; // a short last block in most shapes
        int p = k.Positions;
        int uPlane = Winograd.Plane(c, f), utPlane = Winograd.Plane(f, c);
        var u = new float[p * uPlane];
        var ut = new float[p * utPlane];
        var v = new float[(tiles + Block - 1) / Block * p * Winograd.Plane(Block, c)];
        var m = new float[p * Winograd.Plane(Block, f)];
        var du = new float[p * uPlane];
        var output = new float[batch * oh * ow * f];
        var inputGradient = new float[batch * h * w * c];
        using (Force(width))
        {
            k.TransformKernel(kernel, u, c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * p * Winograd.Plane(Block, c), p * vPlane);
                k.TransformInput(input, vb, batch, h, w, c, th, tw, first, n, pad, pad);
                for (int q = 0; q < p; q++)
                    Gemm.MultiplyBiasActivation(vb.Slice(q * vPlane, n * c), u.AsSpan(q * uPlane, c * f), default, m.AsSpan(q * mPlane, n * f), n, f, c, Activation.Linear);
                k.TransformOutput(m.AsSpan(0, p * mPlane), bias, output, batch, th, tw, f, first, n, Activation.Linear, oh, ow);
            }

            for (int q = 0; q < p; q++)
                Gemm.Transpose(u.AsSpan(q * uPlane, c * f), ut.AsSpan(q * utPlane, f * c), c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * p * Winograd.Plane(Block, c), p * vPlane);
                k.TransformOutputGradient(outputGradient, m.AsSpan(0, p * mPlane), batch, th, tw, f, first, n, oh, ow);
                for (int q = 0; q < p; q++)
                    Gemm.MultiplyTransposedAAdd(vb.Slice(q * vPlane, n * c), m.AsSpan(q * mPlane, n * f), du.AsSpan(q * uPlane, c * f), c, f, n);
                for (int q = 0; q < p; q++)
                    Gemm.MultiplyBiasActivation(m.AsSpan(q * mPlane, n * f), ut.AsSpan(q * utPlane, f * c), default, vb.Slice(q * vPlane, n * c), n, c, f, Activation.Linear);
                k.AddInputGradient(vb, inputGradient, batch, h, w, c, th, tw, first, n, pad, pad);
            }
            k.AddKernelGradient(du, kernelGradient, c, f);
        }

        // Plain NHWC: output row (b·OH + y)·OW + x is pixel (y, x).
        var pixels = Enumerable.Range(0, batch * oh * ow).Select(row => (row / (oh * ow), row / ow % oh, row % ow)).ToArray();
        NaiveConv3x3.AssertMatches(input, kernel, bias, outputGradient, kernelGradientBefore, output, kernelGradient, inputGradient,
            h, w, c, f, pixels, scale: Scale, pad);
    }

    public static TheoryData<int, int, int, Activation> ExactCases
    {
        get
        {
            var data = new TheoryData<int, int, int, Activation>();
            foreach (int tile in new[] { 3, 4 })
            foreach (int width in Widths)
            for (int shape = 0; shape < Shapes.Length; shape++)
            {
                var (_, h, w, _, _, pad) = Shapes[shape];
                if ((h + 2 * pad - 2) % tile == 0 && (w + 2 * pad - 2) % tile == 0)
                    data.Add(tile, width, shape, shape % 2 == 0 ? Activation.ReLU : Activation.Linear);
            }
            return data;
        }
    }

    /// <summary>
    /// Taking ReLU's derivative while transforming the output gradient, and dBias from the transformed tiles' sums, gives
    /// exactly the dM that masking the gradient first and transforming it gives (the same arithmetic), a bias gradient
    /// within rounding of the double sum of the masked gradient, and leaves the gradient as it was.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExactCases))]
    public void The_activation_gradient_transform_matches_masking_first(int tile, int width, int shapeIndex, Activation activation)
    {
        var (batch, h, w, _, f, pad) = Shapes[shapeIndex];
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2, th = oh / tile, tw = ow / tile, tiles = batch * th * tw;
        int p = (tile + 2) * (tile + 2);
        var gradient = Random(batch * oh * ow * f, seed: 6);
        var output = Random(batch * oh * ow * f, seed: 7);
        for (int i = 0; i < output.Length; i += 5) output[i] = 0f; // ReLU's output is often exactly zero: no gradient there
        var before = (float[])gradient.Clone();
        var masked = gradient.Select((g, i) => activation == Activation.ReLU && output[i] <= 0f ? 0f : g).ToArray();
        var biasGradient = Random(f, seed: 8); // added to
        var expectedBias = biasGradient.Select(b => (double)b).ToArray();
        for (int i = 0; i < masked.Length; i++) expectedBias[i % f] += masked[i];

        const int Block = 3;
        var m = new float[p * Winograd.Plane(Block, f)];
        var reference = new float[m.Length];
        var k = Flavour.Of(tile);
        using (Force(width))
        {
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), mPlane = Winograd.Plane(n, f);
                k.TransformOutputGradient(masked, reference.AsSpan(0, p * mPlane), batch, th, tw, f, first, n, 0, 0);
                if (tile == 3) WinogradF3.TransformActivationGradient(gradient, output, activation, biasGradient, m.AsSpan(0, p * mPlane), batch, th, tw, f, first, n);
                else WinogradF4.TransformActivationGradient(gradient, output, activation, biasGradient, m.AsSpan(0, p * mPlane), batch, th, tw, f, first, n);
                Assert.Equal(reference.AsSpan(0, p * mPlane).ToArray(), m.AsSpan(0, p * mPlane).ToArray());
            }
        }
        Assert.Equal(before, gradient);
        for (int i = 0; i < f; i++)
            Assert.True(Math.Abs(biasGradient[i] - expectedBias[i]) <= 1e-5 * (1 + masked.Length / f), $"bias gradient {i}: {biasGradient[i]} vs {expectedBias[i]}");
    }

    [Fact]
    public void The_activation_gradient_transform_rejects_what_it_cannot_do()
    {
        // It takes whole tiles only: 2×2 tiles of 4×4 need an 8×8 gradient, and a shorter one (a 7×8 output) is refused.
        var e = Assert.Throws<ArgumentException>(() => WinogradF4.TransformActivationGradient(new float[56], new float[56], Activation.ReLU, [], new float[36 * Winograd.Plane(4, 1)], 1, 2, 2, 1, 0, 4));
        Assert.Contains("WinogradF4.TransformActivationGradient", e.Message);
        Assert.Contains("the gradient has 56 values; it needs 64", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WinogradF4.TransformActivationGradient(new float[64], new float[64], Activation.Sigmoid, [], new float[36 * Winograd.Plane(4, 1)], 1, 2, 2, 1, 0, 4));
        e = Assert.Throws<ArgumentException>(() => WinogradF3.TransformActivationGradient(new float[36], new float[36], Activation.ReLU, new float[2], new float[25 * Winograd.Plane(4, 1)], 1, 2, 2, 1, 0, 4));
        Assert.Contains("bias gradient of 2", e.Message);
    }

    /// <summary>
    /// The three matrices, read back from the kernels one unit vector at a time (one input channel and filter, so the
    /// scalar path), satisfy Winograd's identity: Σₚ Aᵀ[i, p] G[p, k] Bᵀ[p, j] = 1 exactly where j = i + k (a 1-D
    /// correlation), 0 elsewhere — in both dimensions at once, as the 2-D transforms compose them.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void The_transforms_compute_a_correlation_exactly(int tile)
    {
        var k = Flavour.Of(tile);
        int size = tile + 2, positions = size * size;
        // Input tile d = a unit at (j1, j2), kernel g = a unit at (k1, k2): the output at (i1, i2) must be 1 where
        // (j1, j2) = (i1 + k1, i2 + k2), else 0. One channel, one filter, one tile, no padding.
        var u = new float[positions * Winograd.Plane(1, 1)];
        var v = new float[positions * Winograd.Plane(1, 1)];
        var m = new float[positions * Winograd.Plane(1, 1)];
        var output = new float[tile * tile];
        int uPlane = Winograd.Plane(1, 1), vPlane = Winograd.Plane(1, 1);
        double worst = 0;
        using (Force(32))
            for (int kk = 0; kk < 9; kk++)
            {
                var g = new float[9];
                g[kk] = 1;
                k.TransformKernel(g, u, 1, 1);
                for (int jj = 0; jj < positions; jj++)
                {
                    var d = new float[positions];
                    d[jj] = 1;
                    k.TransformInput(d, v, 1, size, size, 1, 1, 1, 0, 1, 0, 0);
                    for (int q = 0; q < positions; q++) m[q * vPlane] = v[q * vPlane] * u[q * uPlane];
                    k.TransformOutput(m, [], output, 1, 1, 1, 1, 0, 1, Activation.Linear, 0, 0);
                    for (int i = 0; i < tile * tile; i++)
                    {
                        bool hit = jj / size == i / tile + kk / 3 && jj % size == i % tile + kk % 3;
                        worst = Math.Max(worst, Math.Abs(output[i] - (hit ? 1.0 : 0.0)));
                    }
                }
            }
        Assert.True(worst < 1e-5, $"F({tile}×{tile}, 3×3): an entry of the identity is off by {worst}");
    }

    [Fact]
    public void Tiles_that_do_not_fit_the_input_are_refused()
    {
        // A tile may overhang the input (it reads zeros there), but not start past it; tiles must cover the output.
        var e = Assert.Throws<ArgumentException>(() => WinogradF3.TransformInput(new float[25], new float[25 * Winograd.Plane(3, 1)], 1, 5, 5, 1, 1, 3, 0, 3));
        Assert.Contains("start past a 5×5 input; it needs at least 1×7", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradF3.TransformOutput(new float[25 * Winograd.Plane(4, 1)], [], new float[100], 1, 2, 2, 1, 0, 4, outputHeight: 7, outputWidth: 6));
        Assert.Contains("2×2 tiles of 3×3 do not cover a 7×6 output", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradF4.TransformInput(new float[36], new float[36 * Winograd.Plane(3, 1)], 1, 6, 6, 1, 1, 3, 0, 3));
        Assert.Contains("WinogradF4.TransformInput", e.Message);
        Assert.Contains("start past a 6×6 input; it needs at least 1×9", e.Message);
        e = Assert.Throws<ArgumentException>(() => WinogradF4.TransformOutput(new float[36 * Winograd.Plane(4, 1)], [], new float[100], 1, 2, 2, 1, 0, 4, outputHeight: 9, outputWidth: 8));
        Assert.Contains("2×2 tiles of 4×4 do not cover a 9×8 output", e.Message);
    }

    /// <summary>One flavour's public entry points, so one test body runs both.</summary>
    private sealed record Flavour(int Positions,
        TransformKernelCall TransformKernel, TransformInputCall TransformInput, TransformOutputCall TransformOutput,
        TransformOutputGradientCall TransformOutputGradient, AddKernelGradientCall AddKernelGradient, TransformInputCall AddInputGradient)
    {
        public static Flavour Of(int tile) => tile == 3
            ? new(WinogradF3.Positions, WinogradF3.TransformKernel, WinogradF3.TransformInput, WinogradF3.TransformOutput,
                WinogradF3.TransformOutputGradient, WinogradF3.AddKernelGradient, WinogradF3.AddInputGradient)
            : new(WinogradF4.Positions, WinogradF4.TransformKernel, WinogradF4.TransformInput, WinogradF4.TransformOutput,
                WinogradF4.TransformOutputGradient, WinogradF4.AddKernelGradient, WinogradF4.AddInputGradient);
    }

    private delegate void TransformKernelCall(ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters);

    private delegate void TransformInputCall(ReadOnlySpan<float> input, Span<float> transformed, int batch, int inputHeight, int inputWidth,
                                             int inputChannels, int tilesHigh, int tilesWide, int firstTile, int tileCount, int padTop, int padLeft);

    private delegate void TransformOutputCall(ReadOnlySpan<float> products, ReadOnlySpan<float> bias, Span<float> output, int batch, int tilesHigh,
                                              int tilesWide, int filters, int firstTile, int tileCount, Activation activation, int outputHeight, int outputWidth);

    private delegate void TransformOutputGradientCall(ReadOnlySpan<float> gradient, Span<float> transformed, int batch, int tilesHigh, int tilesWide,
                                                      int filters, int firstTile, int tileCount, int outputHeight, int outputWidth);

    private delegate void AddKernelGradientCall(ReadOnlySpan<float> transformedGradient, Span<float> kernelGradient, int inputChannels, int filters);
}
