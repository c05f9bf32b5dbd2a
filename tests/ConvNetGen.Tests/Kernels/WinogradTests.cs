using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) forward, kernel gradient and input gradient, composed with the GEMMs exactly as the generated
/// code composes them, against a naive double-precision 3×3 convolution, on every path this machine runs: channel
/// counts with whole registers, remainders and single channels; odd conv outputs whose last row or column no tile covers;
/// same padding, whose border tiles read zeros past the edge.
/// </summary>
public class WinogradTests
{
    /// <summary>(batch, input height, width, channels, filters, padding each side); tiles = conv output / 2, rounded down.</summary>
    private static readonly (int B, int H, int W, int C, int F, int Pad)[] Shapes =
    [
        (2, 13, 13, 32, 64, 0), // the reference model's conv2d_1
        (3, 7, 6, 3, 5, 0),     // conv 5×4: the odd row is never computed
        (1, 6, 6, 17, 20, 0),
        (2, 4, 4, 1, 1, 0),
        (1, 9, 8, 8, 33, 0),
        (2, 8, 8, 16, 24, 1),   // same padding: every border tile reads zeros past the edge
        (1, 7, 6, 5, 9, 1),     // same, odd height: the last row is never computed
        (1, 2, 2, 8, 8, 1),     // same, one tile that is all border
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
        int th = (h + 2 * pad - 2) / 2, tw = (w + 2 * pad - 2) / 2, tiles = batch * th * tw;
        var input = Random(batch * h * w * c, seed: 1);
        var kernel = Random(9 * c * f, seed: 2);
        var bias = useBias ? Random(f, seed: 3) : [];
        var outputGradient = Random(tiles * 4 * f, seed: 4);
        var kernelGradient = Random(9 * c * f, seed: 5); // accumulated onto
        var kernelGradientBefore = (float[])kernelGradient.Clone();

        const int Block = 7; // in blocks of tiles, as the generated code runs it (a short last block in most shapes)
        int uPlane = Winograd.Plane(c, f), utPlane = Winograd.Plane(f, c);
        var u = new float[16 * uPlane];
        var v = new float[tiles / Block * 16 * Winograd.Plane(Block, c) + 16 * Winograd.Plane(tiles % Block, c)];
        var m = new float[16 * Winograd.Plane(Block, f)];
        var du = new float[16 * uPlane];
        var output = new float[tiles * 4 * f];
        var inputGradient = new float[batch * h * w * c];
        var ut = new float[16 * utPlane];
        using (Force(width))
        {
            Winograd.TransformKernel(kernel, u, c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * 16 * Winograd.Plane(Block, c), 16 * vPlane);
                Winograd.TransformInput(input, vb, batch, h, w, c, th, tw, first, n, pad, pad);
                for (int p = 0; p < 16; p++)
                    Gemm.MultiplyBiasActivation(vb.Slice(p * vPlane, n * c), u.AsSpan(p * uPlane, c * f), default, m.AsSpan(p * mPlane, n * f), n, f, c, Activation.Linear);
                Winograd.TransformOutput(m.AsSpan(0, 16 * mPlane), bias, output.AsSpan(first * 4 * f, n * 4 * f), n, f);
            }

            for (int p = 0; p < 16; p++)
                Gemm.Transpose(u.AsSpan(p * uPlane, c * f), ut.AsSpan(p * utPlane, f * c), c, f);
            for (int first = 0; first < tiles; first += Block)
            {
                int n = Math.Min(Block, tiles - first), vPlane = Winograd.Plane(n, c), mPlane = Winograd.Plane(n, f);
                var vb = v.AsSpan(first / Block * 16 * Winograd.Plane(Block, c), 16 * vPlane);
                Winograd.TransformOutputGradient(outputGradient.AsSpan(first * 4 * f, n * 4 * f), m.AsSpan(0, 16 * mPlane), n, f);
                for (int p = 0; p < 16; p++)
                    Gemm.MultiplyTransposedAAdd(vb.Slice(p * vPlane, n * c), m.AsSpan(p * mPlane, n * f), du.AsSpan(p * uPlane, c * f), c, f, n);
                for (int p = 0; p < 16; p++)
                    Gemm.MultiplyBiasActivation(m.AsSpan(p * mPlane, n * f), ut.AsSpan(p * utPlane, f * c), default, vb.Slice(p * vPlane, n * c), n, c, f, Activation.Linear);
                Winograd.AddInputGradient(vb, inputGradient, batch, h, w, c, th, tw, first, n, pad, pad);
            }
            Winograd.AddKernelGradient(du, kernelGradient, c, f);
        }

        // Output row t·4 + q is tile t = (b, ty, tx)'s pixel (2·ty + q / 2, 2·tx + q % 2).
        var pixels = Enumerable.Range(0, tiles * 4).Select(row =>
        {
            int t = row / 4, q = row % 4;
            return (t / (th * tw), 2 * (t / tw % th) + q / 2, 2 * (t % tw) + q % 2);
        }).ToArray();
        NaiveConv3x3.AssertMatches(input, kernel, bias, outputGradient, kernelGradientBefore, output, kernelGradient, inputGradient,
            h, w, c, f, pixels, scale: 64, pad);
    }

    [Fact]
    public void Tiles_that_do_not_fit_the_input_are_refused()
    {
        // A tile may overhang the input (it reads zeros there), but not start past it.
        var e = Assert.Throws<ArgumentException>(() => Winograd.TransformInput(new float[36], new float[16 * Winograd.Plane(8, 1)], 1, 6, 6, 1, 2, 4, 0, 8));
        Assert.Contains("start past a 6×6 input; it needs at least 3×7", e.Message);
        e = Assert.Throws<ArgumentException>(() => Winograd.TransformInput(new float[36], new float[16 * Winograd.Plane(4, 1)], 1, 6, 6, 1, 2, 2, 0, 4, padTop: 3));
        Assert.Contains("padding 3 (top) and 0 (left) must be 0, 1 or 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => Winograd.TransformInput(new float[36], new float[16 * Winograd.Plane(4, 1)], 1, 6, 6, 1, 2, 2, 2, 3));
        Assert.Contains("tiles [2, 5) are not among the batch's 4", e.Message);
    }

    [Fact]
    public void Short_spans_are_refused_with_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Winograd.TransformOutput(new float[16 * Winograd.Plane(2, 3)], [], new float[23], 2, 3));
        Assert.Contains("output has 23 values; it needs 24", e.Message);
    }
}

/// <summary>
/// A block's per-position products shared between the worker team's threads (single-image inference): in the
/// collection that runs alone, since the split happens only when the team is free.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class WinogradPositionSplitTests
{
    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Positions_shared_between_threads_and_packed_kernels_give_the_same_bits_as_one_thread(int width)
    {
        // Single-image inference shares a block's per-position products with the worker team; each product is still
        // computed whole by one thread, on the caller's (here forced) path. 25 positions: F(3×3)'s, 13/12 per thread.
        // Inference's prepared kernels are packed in the path's panels: the same products, read in another order.
        // 130 filters: a last panel narrower than the rest; 700 input channels: k cut into two blocks; one tile of 64 × 128
        // (the reference model's conv2d_2): few multiply-adds, but 819 KB of U, which each thread streams half of.
        foreach (var (positions, tiles, ic, oc) in new[] { (16, 96, 32, 32), (25, 9, 128, 128), (25, 7, 64, 130), (16, 3, 700, 40), (25, 1, 64, 128) })
        {
            var v = Random(positions * Winograd.Plane(tiles, ic), 1);
            var u = Random(positions * Winograd.Plane(ic, oc), 2);
            var packed = new float[u.Length];
            var alone = new float[positions * Winograd.Plane(tiles, oc)];
            using (Force(width))
            {
                int panels = Winograd.PackKernel(u, packed, positions, ic, oc);
                Assert.Equal(Gemm.PanelColumns(width), panels);
                Winograd.MultiplyPositions(v, u, alone, positions, tiles, ic, oc);
                var alonePacked = new float[alone.Length];
                Winograd.MultiplyPositions(v, packed, alonePacked, positions, tiles, ic, oc, panels);
                Assert.True(alone.AsSpan().SequenceEqual(alonePacked), $"{Gemm.PathName(width)} {positions} positions of {tiles}×{ic} · {ic}×{oc}, packed U");
                Assert.True(alone.AsSpan().SequenceEqual(Split(v, u, alone.Length, positions, tiles, ic, oc, 0)), $"{Gemm.PathName(width)} {positions} positions of {tiles}×{ic} · {ic}×{oc}, split");
                Assert.True(alone.AsSpan().SequenceEqual(Split(v, packed, alone.Length, positions, tiles, ic, oc, panels)), $"{Gemm.PathName(width)} {positions} positions of {tiles}×{ic} · {ic}×{oc}, split, packed U");
                if (Widths.Any(other => Gemm.PanelColumns(other) != panels))
                {
                    int wrong = Widths.Select(Gemm.PanelColumns).First(other => other != panels);
                    var error = Assert.Throws<ArgumentException>(() => Winograd.MultiplyPositions(v, packed, alonePacked, positions, tiles, ic, oc, wrong));
                    Assert.Contains($"panels of {wrong} columns", error.Message);
                }
            }
            for (int p = 0; p < positions; p++)
            {
                var expected = new float[tiles * oc];
                using (Force(width))
                    Gemm.MultiplyBiasActivation(v.AsSpan(p * Winograd.Plane(tiles, ic), tiles * ic), u.AsSpan(p * Winograd.Plane(ic, oc), ic * oc), default, expected, tiles, oc, ic, Activation.Linear);
                Assert.True(expected.AsSpan().SequenceEqual(alone.AsSpan(p * Winograd.Plane(tiles, oc), tiles * oc)), $"position {p}: one GEMM per position");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Transforms_shared_between_threads_give_the_same_bits_as_one_thread(int width)
    {
        // Single-image inference also shares a block's input and output transforms, cut by tiles; border tiles (same
        // padding), overhanging ones (F(3×3) on 16×16) and a block that does not start at tile 0 included.
        foreach (var (h, w, c, f, first, count) in new[] { (16, 16, 64, 64, 0, 36), (16, 16, 96, 80, 10, 26), (9, 9, 256, 256, 0, 9) })
        {
            int th = (h + 2) / 3, tw = (w + 2) / 3;
            var x = Random(h * w * c, 1);
            var m = Random(WinogradF3.Positions * Winograd.Plane(count, f), 2);
            var bias = Random(f, 3);
            using (Force(width))
            {
                var vAlone = new float[WinogradF3.Positions * Winograd.Plane(count, c)];
                WinogradF3.TransformInput(x, vAlone, 1, h, w, c, th, tw, first, count, padTop: 1, padLeft: 1);
                var vSplit = Shared(() => { var v = new float[vAlone.Length]; WinogradF3.TransformInput(x, v, 1, h, w, c, th, tw, first, count, padTop: 1, padLeft: 1); return v; });
                Assert.True(vAlone.AsSpan().SequenceEqual(vSplit), $"{Gemm.PathName(width)} F(3×3) input {h}×{w}×{c}, tiles [{first}, {first + count})");
                var yAlone = new float[h * w * f];
                WinogradF3.TransformOutput(m, bias, yAlone, 1, th, tw, f, first, count, Activation.ReLU, outputHeight: h, outputWidth: w);
                var ySplit = Shared(() => { var y = new float[yAlone.Length]; WinogradF3.TransformOutput(m, bias, y, 1, th, tw, f, first, count, Activation.ReLU, outputHeight: h, outputWidth: w); return y; });
                Assert.True(yAlone.AsSpan().SequenceEqual(ySplit), $"{Gemm.PathName(width)} F(3×3) output {h}×{w}×{f}, tiles [{first}, {first + count})");

                // F(2×2): each tile is one 2×2 pooling window of the same-padded conv's h×w output.
                int windows = h / 2 * (w / 2);
                var v2Alone = new float[Winograd.Positions * Winograd.Plane(windows, c)];
                Winograd.TransformInput(x, v2Alone, 1, h, w, c, h / 2, w / 2, 0, windows, padTop: 1, padLeft: 1);
                var v2Split = Shared(() => { var v = new float[v2Alone.Length]; Winograd.TransformInput(x, v, 1, h, w, c, h / 2, w / 2, 0, windows, padTop: 1, padLeft: 1); return v; });
                Assert.True(v2Alone.AsSpan().SequenceEqual(v2Split), $"{Gemm.PathName(width)} F(2×2) input {h}×{w}×{c}");
                var m2 = Random(Winograd.Positions * Winograd.Plane(windows, f), 4);
                var y2Alone = new float[windows * 4 * f];
                Winograd.TransformOutput(m2, bias, y2Alone, windows, f, Activation.ReLU);
                var y2Split = Shared(() => { var y = new float[y2Alone.Length]; Winograd.TransformOutput(m2, bias, y, windows, f, Activation.ReLU); return y; });
                Assert.True(y2Alone.AsSpan().SequenceEqual(y2Split), $"{Gemm.PathName(width)} F(2×2) output {windows} windows × {f}");
            }
        }
    }

    /// <summary>A transform with the worker team's help, retried until it really was split.</summary>
    private static float[] Shared(Func<float[]> transform) => TeamSplit.UntilSplit(() => WinogradTransformSplit.t_splits, transform);

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void A_block_shared_by_tiles_through_all_three_steps_gives_the_same_bits_as_the_steps_on_one_thread(int width)
    {
        // Inference's ForwardBlock: where U is small a single image's block is shared by tiles, each thread transforming,
        // multiplying and transforming back its own (cut at six-row tiles). The reference model's conv2d_1 (F(2×2)
        // pool-ordered: 25 windows, 13×13×32 → 64, pooled as it leaves the registers, and plain), F(4×4) on a
        // same-padded 16×16×32 → 32 (16 tiles: 6 and 10), plain and pooled, and F(3×3) on a same-padded 14×14×32 → 24
        // (25 tiles, the last row and column overhanging the output).
        var x2 = Random(13 * 13 * 32, 1);
        var u2 = Random(Winograd.Positions * Winograd.Plane(32, 64), 2);
        var bias2 = Random(64, 3);
        var x4 = Random(16 * 16 * 32, 4);
        var u4 = Random(WinogradF4.Positions * Winograd.Plane(32, 32), 5);
        var bias4 = Random(32, 6);
        var x3 = Random(14 * 14 * 32, 7);
        var u3 = Random(WinogradF3.Positions * Winograd.Plane(32, 24), 8);
        var bias3 = Random(24, 9);
        float[] F2(bool block, bool pool)
        {
            var v = new float[Winograd.Positions * Winograd.Plane(25, 32)];
            var m = new float[Winograd.Positions * Winograd.Plane(25, 64)];
            var y = new float[(pool ? 25 : 100) * 64];
            if (block) Winograd.ForwardBlock(x2, v, u2, m, bias2, y, 1, 13, 13, 32, 5, 5, 64, 0, 25, 0, Activation.ReLU, pool);
            else
            {
                Winograd.TransformInput(x2, v, 1, 13, 13, 32, 5, 5, 0, 25);
                Winograd.MultiplyPositions(v, u2, m, Winograd.Positions, 25, 32, 64);
                if (pool) Winograd.TransformOutputPooled(m, bias2, y, 25, 64, Activation.ReLU);
                else Winograd.TransformOutput(m, bias2, y, 25, 64, Activation.ReLU);
            }
            return y;
        }
        float[] F4(bool block, bool pool)
        {
            var v = new float[WinogradF4.Positions * Winograd.Plane(16, 32)];
            var m = new float[WinogradF4.Positions * Winograd.Plane(16, 32)];
            var y = new float[(pool ? 8 * 8 : 16 * 16) * 32];
            if (block) WinogradF4.ForwardBlock(x4, v, u4, m, bias4, y, 1, 16, 16, 32, 4, 4, 32, 0, 16, 0, Activation.ReLU, pool, padTop: 1, padLeft: 1);
            else
            {
                WinogradF4.TransformInput(x4, v, 1, 16, 16, 32, 4, 4, 0, 16, padTop: 1, padLeft: 1);
                Winograd.MultiplyPositions(v, u4, m, WinogradF4.Positions, 16, 32, 32);
                if (pool) WinogradF4.TransformOutputPooled(m, bias4, y, 1, 4, 4, 32, 0, 16, Activation.ReLU);
                else WinogradF4.TransformOutput(m, bias4, y, 1, 4, 4, 32, 0, 16, Activation.ReLU);
            }
            return y;
        }
        float[] F3(bool block)
        {
            var v = new float[WinogradF3.Positions * Winograd.Plane(25, 32)];
            var m = new float[WinogradF3.Positions * Winograd.Plane(25, 24)];
            var y = new float[14 * 14 * 24];
            if (block) WinogradF3.ForwardBlock(x3, v, u3, m, bias3, y, 1, 14, 14, 32, 5, 5, 24, 0, 25, 0, Activation.Linear, padTop: 1, padLeft: 1, outputHeight: 14, outputWidth: 14);
            else
            {
                WinogradF3.TransformInput(x3, v, 1, 14, 14, 32, 5, 5, 0, 25, padTop: 1, padLeft: 1);
                Winograd.MultiplyPositions(v, u3, m, WinogradF3.Positions, 25, 32, 24);
                WinogradF3.TransformOutput(m, bias3, y, 1, 5, 5, 24, 0, 25, Activation.Linear, outputHeight: 14, outputWidth: 14);
            }
            return y;
        }
        using (Force(width))
        {
            foreach (var (name, run) in new (string, Func<bool, float[]>)[]
                     { ("F(2×2) pooled", b => F2(b, true)), ("F(2×2)", b => F2(b, false)), ("F(4×4)", b => F4(b, false)), ("F(4×4) pooled", b => F4(b, true)), ("F(3×3)", F3) })
            {
                var alone = run(false);
                Assert.True(alone.AsSpan().SequenceEqual(run(true)), $"{Gemm.PathName(width)} {name}: in one call on one thread");
                var shared = TeamSplit.UntilSplit(() => WinogradBlockSplit.t_splits, () => run(true));
                Assert.True(alone.AsSpan().SequenceEqual(shared), $"{Gemm.PathName(width)} {name}: shared by tiles");
            }
        }
    }

    [Fact]
    public void A_shared_block_checks_its_spans_as_the_steps_do()
    {
        // Sizes the split would take, so the block's own checks run (not the steps'): a short output is refused with its size.
        var error = Assert.Throws<ArgumentException>(() => TeamSplit.UntilSplit(() => 1, () =>
        {
            Winograd.ForwardBlock(new float[13 * 13 * 32], new float[Winograd.Positions * Winograd.Plane(25, 32)], new float[Winograd.Positions * Winograd.Plane(32, 64)],
                                  new float[Winograd.Positions * Winograd.Plane(25, 64)], [], new float[25 * 64 - 1], 1, 13, 13, 32, 5, 5, 64, 0, 25, 0, Activation.ReLU, pooled: true);
            return 0;
        }));
        Assert.Contains("Winograd.ForwardBlock: the output has 1599 values; it needs 1600", error.Message);
    }

    /// <summary>The products with the worker team's help, retried until they really were split.</summary>
    private static float[] Split(float[] v, float[] u, int length, int positions, int tiles, int ic, int oc, int panels) =>
        TeamSplit.UntilSplit(() => WinogradPositionSplit.t_splits, () =>
        {
            var split = new float[length];
            Winograd.MultiplyPositions(v, u, split, positions, tiles, ic, oc, panels);
            return split;
        });
}
