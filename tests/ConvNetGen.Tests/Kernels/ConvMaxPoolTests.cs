using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// The fused Conv2D + 2×2 max pooling kernels against a naive double-precision conv, activation and pooling, on
/// every path this machine runs: register pairs, single registers and the scalar filters left over, odd conv
/// outputs (a row or column pooling drops), several input channels, with and without bias.
/// </summary>
public class ConvMaxPoolTests
{
    /// <summary>(batch, input height, width, channels, kernel height, width, filters).</summary>
    private static readonly (int B, int H, int W, int C, int KH, int KW, int F)[] Shapes =
    [
        (2, 28, 28, 1, 3, 3, 32), // the reference model's first block
        (3, 9, 8, 3, 3, 3, 5),    // conv 7×6: the odd row is never computed
        (2, 7, 10, 2, 2, 3, 20),  // rectangular kernel; 20 filters = a register and a remainder
        (1, 6, 6, 1, 1, 1, 48),
        (2, 5, 5, 4, 3, 3, 17),   // a single pooled pixel
        (1, 4, 4, 1, 3, 3, 1),
        (1, 8, 9, 1, 3, 3, 40),   // nine-value windows: register pairs, then a single register or scalar filters
        (2, 7, 6, 9, 1, 1, 20),   // nine values from nine channels of one pixel
    ];

    public static TheoryData<int, int, Activation, bool> Cases
    {
        get
        {
            var data = new TheoryData<int, int, Activation, bool>();
            foreach (int width in Widths)
            for (int shape = 0; shape < Shapes.Length; shape++)
            {
                data.Add(width, shape, Activation.ReLU, true);
                data.Add(width, shape, Activation.Linear, shape % 2 == 0);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_weight_gradients_match_the_unfused_layers(int width, int shapeIndex, Activation activation, bool useBias)
    {
        var (batch, h, w, c, kh, kw, f) = Shapes[shapeIndex];
        int ph = (h - kh + 1) / 2, pw = (w - kw + 1) / 2, pooledCount = batch * ph * pw * f, taps = kh * kw * c;
        var input = Random(batch * h * w * c, seed: 1);
        var kernel = Random(taps * f, seed: 2);
        var bias = useBias ? Random(f, seed: 3) : [];
        var pooledGradient = Random(pooledCount, seed: 4);
        var (expectedPooled, expectedWinner, pooledBound) = Reference(input, kernel, bias, batch, h, w, c, kh, kw, f, activation);

        var pooled = new float[pooledCount + 3];
        var winners = new float[pooledCount + 3];
        pooled.AsSpan(pooledCount).Fill(12345f);
        var kernelGradient = Random(taps * f, seed: 5); // accumulated onto
        var biasGradient = useBias ? Random(f, seed: 6) : [];
        var kernelGradientBefore = (float[])kernelGradient.Clone();
        var biasGradientBefore = (float[])biasGradient.Clone();
        using (Force(width))
        {
            ConvMaxPool.Forward(input, kernel, bias, pooled, winners, batch, h, w, c, kh, kw, f, activation);
            ConvMaxPool.BackwardWeights(input, pooled, winners, pooledGradient, kernelGradient, biasGradient, batch, h, w, c, kh, kw, f, activation);
        }

        AssertWithin(pooled.AsSpan(0, pooledCount), expectedPooled, pooledBound, "pooled");
        AssertUntouched(pooled, pooledCount, 12345f, "pooled");

        // The weight gradients, from the reference's winners: d(pooled)/d(conv pixel) is 1 at the winner (if the
        // activation passes it) and 0 elsewhere.
        var expectedKernel = kernelGradientBefore.Select(v => (double)v).ToArray();
        var kernelAbs = kernelGradientBefore.Select(v => (double)Math.Abs(v)).ToArray();
        var expectedBias = biasGradientBefore.Select(v => (double)v).ToArray();
        var biasAbs = biasGradientBefore.Select(v => (double)Math.Abs(v)).ToArray();
        for (int b = 0; b < batch; b++)
        for (int py = 0; py < ph; py++)
        for (int px = 0; px < pw; px++)
        for (int o = 0; o < f; o++)
        {
            int index = ((b * ph + py) * pw + px) * f + o;
            Assert.True(expectedWinner[index] < 0 || winners[index] == expectedWinner[index],
                $"winner of pooled value {index}: {winners[index]}, expected {expectedWinner[index]}");
            if (expectedWinner[index] < 0) continue; // ReLU at a non-positive maximum passes no gradient
            double g = pooledGradient[index];
            int cy = 2 * py + expectedWinner[index] / 2, cx = 2 * px + expectedWinner[index] % 2;
            if (useBias) { expectedBias[o] += g; biasAbs[o] += Math.Abs(g); }
            for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            for (int ch = 0; ch < c; ch++)
            {
                double product = input[((b * h + cy + ky) * w + cx + kx) * c + ch] * g;
                int k = ((ky * kw + kx) * c + ch) * f + o;
                expectedKernel[k] += product;
                kernelAbs[k] += Math.Abs(product);
            }
        }
        int terms = batch * ph * pw + 2;
        AssertWithin(kernelGradient, expectedKernel, kernelAbs.Select(a => terms * Math.Pow(2, -23) * a + 1e-30).ToArray(), "kernel gradient");
        if (useBias)
            AssertWithin(biasGradient, expectedBias, biasAbs.Select(a => terms * Math.Pow(2, -23) * a + 1e-30).ToArray(), "bias gradient");
    }

    [Fact]
    public void Activations_other_than_relu_and_linear_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ConvMaxPool.Forward(new float[16], new float[9], [], new float[1], new float[1], 1, 4, 4, 1, 3, 3, 1, Activation.Tanh));

    [Fact]
    public void Short_spans_are_refused_with_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ConvMaxPool.Forward(new float[15], new float[9], [], new float[1], new float[1], 1, 4, 4, 1, 3, 3, 1, Activation.ReLU));
        Assert.Contains("input 15 of 16", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            ConvMaxPool.BackwardWeights(new float[16], new float[1], new float[1], new float[1], new float[9], new float[2], 1, 4, 4, 1, 3, 3, 1, Activation.ReLU));
        Assert.Contains("bias 2 of 1 or 0", e.Message);
    }

    [Fact]
    public void A_kernel_that_leaves_no_window_to_pool_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ConvMaxPool.Forward(new float[9], new float[9], [], new float[1], new float[1], 1, 3, 3, 1, 3, 3, 1, Activation.ReLU));
        Assert.Contains("no 2×2 window", e.Message);
    }

    /// <summary>
    /// The pooled values (after the activation), the winning window pixel (0–3, first of equals; −1 where ReLU's
    /// maximum is not positive, so no gradient flows) and an error bound for each.
    /// </summary>
    private static (double[] Pooled, int[] Winner, double[] Bound) Reference(float[] input, float[] kernel, float[] bias, int batch,
        int h, int w, int c, int kh, int kw, int f, Activation activation)
    {
        int oh = h - kh + 1, ow = w - kw + 1, ph = oh / 2, pw = ow / 2;
        var conv = new double[batch * oh * ow * f];
        var abs = new double[conv.Length];
        for (int b = 0; b < batch; b++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        for (int o = 0; o < f; o++)
        {
            double sum = bias.Length > 0 ? bias[o] : 0, a = Math.Abs(sum);
            for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            for (int ch = 0; ch < c; ch++)
            {
                double product = (double)input[((b * h + y + ky) * w + x + kx) * c + ch] * kernel[((ky * kw + kx) * c + ch) * f + o];
                sum += product;
                a += Math.Abs(product);
            }
            int i = ((b * oh + y) * ow + x) * f + o;
            conv[i] = Activate(activation, sum);
            abs[i] = a;
        }
        var pooled = new double[batch * ph * pw * f];
        var winner = new int[pooled.Length];
        var bound = new double[pooled.Length];
        for (int b = 0; b < batch; b++)
        for (int py = 0; py < ph; py++)
        for (int px = 0; px < pw; px++)
        for (int o = 0; o < f; o++)
        {
            int p = ((b * ph + py) * pw + px) * f + o;
            double best = double.NegativeInfinity, largestAbs = 0;
            for (int q = 0; q < 4; q++)
            {
                int i = ((b * oh + 2 * py + q / 2) * ow + 2 * px + q % 2) * f + o;
                if (conv[i] > best) { best = conv[i]; winner[p] = q; }
                largestAbs = Math.Max(largestAbs, abs[i]);
            }
            pooled[p] = best;
            if (activation == Activation.ReLU && best <= 0) winner[p] = -1;
            bound[p] = (kh * kw * c + 2) * Math.Pow(2, -23) * largestAbs + 1e-30;
        }
        return (pooled, winner, bound);
    }
}

/// <summary>
/// The fused conv + pooling shared by pooled rows between the worker team's threads (single-image inference): in
/// the collection that runs alone, since the split happens only when the team is free.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class ConvMaxPoolSplitTests
{
    [Theory]
    [MemberData(nameof(WidthCases), MemberType = typeof(GemmReference))]
    public void Rows_shared_between_threads_give_the_same_bits_as_one_thread(int width)
    {
        // The reference model's first block on one image (13 pooled rows: 6 and 7), nine-value windows on 40 filters
        // (register pairs, then a single register or scalar filters), and a batch of two whose rows the cut divides
        // mid-sample; values and winners both.
        foreach (var (batch, h, w, c, f) in new[] { (1, 28, 28, 1, 32), (1, 30, 31, 1, 40), (2, 17, 16, 3, 24) })
        {
            int ph = (h - 2) / 2, pw = (w - 2) / 2, count = batch * ph * pw * f;
            var input = Random(batch * h * w * c, seed: 1);
            var kernel = Random(9 * c * f, seed: 2);
            var bias = Random(f, seed: 3);
            (float[], float[]) Run()
            {
                var pooled = new float[count];
                var winners = new float[count];
                ConvMaxPool.Forward(input, kernel, bias, pooled, winners, batch, h, w, c, 3, 3, f, Activation.ReLU);
                return (pooled, winners);
            }
            using (Force(width))
            {
                var (pooled, winners) = Run();
                var (sharedPooled, sharedWinners) = TeamSplit.UntilSplit(() => ConvMaxPoolSplit.t_splits, Run);
                Assert.True(pooled.AsSpan().SequenceEqual(sharedPooled), $"{Gemm.PathName(width)} {batch}×{h}×{w}×{c} → {f}: pooled");
                Assert.True(winners.AsSpan().SequenceEqual(sharedWinners), $"{Gemm.PathName(width)} {batch}×{h}×{w}×{c} → {f}: winners");
            }
        }
    }
}
