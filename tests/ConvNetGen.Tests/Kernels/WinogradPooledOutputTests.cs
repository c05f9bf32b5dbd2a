using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// F(4×4)'s and pool-ordered F(2×2)'s output transforms with the 2×2 max pooling after them (what inference runs for a
/// conv read only by such a pooling) against the plain output transform followed by the pooling: bit-identical on every width,
/// with and without bias and ReLU, channel counts with and without a partial register, block by block and with one
/// block shared by the worker team.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class WinogradPooledOutputTests
{
    /// <summary>(batch, output height, width, filters): tiled exactly by 4×4.</summary>
    private static readonly (int B, int H, int W, int F)[] Shapes = [(2, 8, 8, 32), (1, 4, 12, 19), (3, 16, 8, 5), (2, 32, 32, 32)];

    public static TheoryData<int, int> Cases
    {
        get
        {
            var data = new TheoryData<int, int>();
            foreach (int width in Widths)
                for (int shape = 0; shape < Shapes.Length; shape++) data.Add(width, shape);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pooling_in_the_transform_gives_the_bits_of_pooling_after_it(int width, int shapeIndex)
    {
        var (batch, h, w, f) = Shapes[shapeIndex];
        int th = h / 4, tw = w / 4, tiles = batch * th * tw;
        foreach (bool useBias in new[] { true, false })
        foreach (var activation in new[] { Activation.ReLU, Activation.Linear })
        {
            var products = Random(36 * Winograd.Plane(tiles, f), seed: 3 + shapeIndex);
            var bias = useBias ? Random(f, seed: 4) : [];
            var full = new float[batch * h * w * f];
            var pooled = new float[batch * (h / 2) * (w / 2) * f];
            var whole = new float[pooled.Length];
            var fullAtOnce = new float[full.Length];
            const int Block = 3;
            using (Force(width))
            {
                for (int first = 0; first < tiles; first += Block)
                {
                    // Each block's products are the first 36 planes of its own tile count, as the generated code lays them out.
                    int n = Math.Min(Block, tiles - first);
                    var m = products.AsSpan(0, 36 * Winograd.Plane(n, f));
                    WinogradF4.TransformOutput(m, bias, full, batch, th, tw, f, first, n, activation);
                    WinogradF4.TransformOutputPooled(m, bias, pooled, batch, th, tw, f, first, n, activation);
                }
                // One block of every tile, shared with the team when it is large enough to be.
                var all = products.AsSpan(0, 36 * Winograd.Plane(tiles, f)).ToArray();
                WinogradF4.TransformOutput(all, bias, fullAtOnce, batch, th, tw, f, 0, tiles, activation);
                float[] Run()
                {
                    WinogradF4.TransformOutputPooled(all, bias, whole, batch, th, tw, f, 0, tiles, activation);
                    return whole;
                }
                if (tiles * f >= 2048) TeamSplit.UntilSplit(() => WinogradTransformSplit.t_splits, Run);
                else Run();
            }
            var expected = MaxPool(full, batch, h, w, f);
            string what = $"{Gemm.PathName(width)} {batch}×{h}×{w}×{f} bias={useBias} {activation}";
            Assert.True(expected.AsSpan().SequenceEqual(pooled), "block by block: " + what);
            Assert.True(MaxPool(fullAtOnce, batch, h, w, f).AsSpan().SequenceEqual(whole), "one block: " + what);
        }
    }

    /// <summary>(tiles, filters) for F(2×2): a tile is one window, its four outputs consecutive rows.</summary>
    public static TheoryData<int, int, int> F2Cases
    {
        get
        {
            var data = new TheoryData<int, int, int>();
            foreach (int width in Widths)
                foreach (var (tiles, f) in new[] { (25, 64), (7, 19), (96, 32), (3, 5) }) data.Add(width, tiles, f);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(F2Cases))]
    public void F2_pooling_in_the_transform_gives_the_bits_of_pooling_each_tile_after_it(int width, int tiles, int f)
    {
        foreach (bool useBias in new[] { true, false })
        foreach (var activation in new[] { Activation.ReLU, Activation.Linear })
        {
            var products = Random(16 * Winograd.Plane(tiles, f), seed: 5 + tiles);
            var bias = useBias ? Random(f, seed: 6) : [];
            var full = new float[tiles * 4 * f];
            var pooled = new float[tiles * f];
            using (Force(width))
            {
                Winograd.TransformOutput(products, bias, full, tiles, f, activation);
                float[] Run()
                {
                    Winograd.TransformOutputPooled(products, bias, pooled, tiles, f, activation);
                    return pooled;
                }
                if (tiles * f >= 2048) TeamSplit.UntilSplit(() => WinogradTransformSplit.t_splits, Run); // shared with the team too
                else Run();
            }
            // What max_pooling2d_1 does after the conv: each window's four rows, in order (Pooling.MaxOfRows).
            var expected = new float[tiles * f];
            var winners = new int[f];
            for (int t = 0; t < tiles; t++)
                Pooling.MaxOfRows(full.AsSpan(t * 4 * f, 4 * f), 4, t * 4 * f, expected.AsSpan(t * f, f), winners);
            Assert.True(expected.AsSpan().SequenceEqual(pooled), $"{Gemm.PathName(width)} {tiles} tiles × {f} bias={useBias} {activation}");
        }
    }

    [Fact]
    public void F2_short_outputs_and_other_activations_are_refused()
    {
        var m = new float[16 * Winograd.Plane(4, 2)];
        var e = Assert.Throws<ArgumentException>(() => Winograd.TransformOutputPooled(m, [], new float[7], 4, 2));
        Assert.Contains("Winograd.TransformOutputPooled", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.TransformOutputPooled(m, [], new float[8], 4, 2, Activation.Sigmoid));
        Assert.Throws<ArgumentException>(() => Winograd.TransformOutputPooled(m, new float[3], new float[8], 4, 2));
    }

    private static float[] MaxPool(float[] x, int batch, int h, int w, int f)
    {
        var y = new float[batch * (h / 2) * (w / 2) * f];
        for (int b = 0; b < batch; b++)
        for (int py = 0; py < h / 2; py++)
        for (int px = 0; px < w / 2; px++)
        for (int c = 0; c < f; c++)
        {
            float best = float.NegativeInfinity;
            for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                best = Math.Max(best, x[((b * h + 2 * py + dy) * w + 2 * px + dx) * f + c]);
            y[((b * (h / 2) + py) * (w / 2) + px) * f + c] = best;
        }
        return y;
    }

    [Fact]
    public void Short_outputs_and_other_activations_are_refused()
    {
        var m = new float[36 * Winograd.Plane(4, 2)];
        var e = Assert.Throws<ArgumentException>(() => WinogradF4.TransformOutputPooled(m, [], new float[31], 1, 2, 2, 2, 0, 4));
        Assert.Contains("WinogradF4.TransformOutputPooled", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WinogradF4.TransformOutputPooled(m, [], new float[32], 1, 2, 2, 2, 0, 4, Activation.Sigmoid));
        Assert.Throws<ArgumentException>(() => WinogradF4.TransformOutputPooled(m, new float[3], new float[32], 1, 2, 2, 2, 0, 4));
    }
}
