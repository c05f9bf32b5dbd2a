using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Inference's blocked im2col conv against training's: every row's patches written at once by a plain im2col here,
/// then one product of all the rows. Bit-identical on every width, packed or row-major kernel, one thread or shared
/// with the worker team, over several blocks, with padding on every side, strides and a 7×7 stem.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class Im2ColBlocksTests
{
    /// <summary>(geometry, filters): a same-padded 3×3 over 64 channels (108 rows a block: 4 blocks), a 3×3/2 padded only below and right (2 blocks), a padded 3×3/2, a 7×7/2 stem on 3 channels, a 1×1/2 shortcut, a deep 3×3 on a 7×7 map (one block at batch 1: its patches written by the team, half each, and its product shared), CIFAR's first conv (one image's 1,024 rows: one block alone, two shared), the 128 px net's 3×3/2 padded only below and right, a valid 3×3 on one channel (the last three, the stem too, read in place).</summary>
    private static readonly (ConvGeometry G, int Filters)[] Convs =
    [
        (new ConvGeometry(20, 20, 64, 20, 20, 3, 3, 1, 1, 1, 1), 40),
        (new ConvGeometry(24, 24, 64, 12, 12, 3, 3, 2, 2, 0, 0), 16),
        (new ConvGeometry(15, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1), 33),
        (new ConvGeometry(65, 65, 3, 30, 30, 7, 7, 2, 2, 0, 0), 64),
        (new ConvGeometry(14, 14, 32, 7, 7, 1, 1, 2, 2, 0, 0), 70),
        (new ConvGeometry(7, 7, 256, 7, 7, 3, 3, 1, 1, 1, 1), 64),
        (new ConvGeometry(32, 32, 3, 32, 32, 3, 3, 1, 1, 1, 1), 32),
        (new ConvGeometry(32, 32, 3, 16, 16, 3, 3, 2, 2, 0, 0), 32),
        (new ConvGeometry(28, 28, 1, 26, 26, 3, 3, 1, 1, 0, 0), 20),
    ];

    /// <summary>All the rows' patches at once, written plainly: zeros wherever a tap lies outside the input.</summary>
    private static float[] AllPatches(float[] input, int batch, ConvGeometry g)
    {
        var patches = new float[batch * g.OutputHeight * g.OutputWidth * g.Taps];
        int row = 0;
        for (int b = 0; b < batch; b++)
        for (int oy = 0; oy < g.OutputHeight; oy++)
        for (int ox = 0; ox < g.OutputWidth; ox++, row++)
        for (int ky = 0; ky < g.KernelHeight; ky++)
        for (int kx = 0; kx < g.KernelWidth; kx++)
        {
            int iy = oy * g.StrideHeight + ky - g.PadTop, ix = ox * g.StrideWidth + kx - g.PadLeft;
            if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth) continue;
            for (int c = 0; c < g.InputChannels; c++)
                patches[row * g.Taps + (ky * g.KernelWidth + kx) * g.InputChannels + c] = input[((b * g.InputHeight + iy) * g.InputWidth + ix) * g.InputChannels + c];
        }
        return patches;
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Blocks_give_the_bits_of_one_im2col_and_one_product(int width)
    {
        int panel = Gemm.PanelColumns(width);
        foreach (var (g, filters) in Convs)
        foreach (int batch in new[] { 1, 3 })
        foreach (var activation in new[] { Activation.ReLU, Activation.Linear, Activation.Sigmoid })
        {
            int rows = batch * g.OutputHeight * g.OutputWidth;
            var input = Random(batch * g.InputHeight * g.InputWidth * g.InputChannels, 1);
            var kernel = Random(g.Taps * filters, 2);
            var bias = activation == Activation.Linear ? [] : Random(filters, 3);
            var packed = new float[kernel.Length];
            Gemm.PackPanels(kernel, packed, g.Taps, filters, panel);
            var expected = new float[rows * filters];
            float[] alone = new float[rows * filters], fromPanels = new float[rows * filters], shared;
            using (Force(width))
            {
                Gemm.MultiplyBiasActivation(AllPatches(input, batch, g), kernel, bias, expected, rows, filters, g.Taps, activation);
                Im2ColBlocks.Forward(input, kernel, 0, bias, alone, batch, g, filters, activation);
                Im2ColBlocks.Forward(input, packed, panel, bias, fromPanels, batch, g, filters, activation);
                float[] Run()
                {
                    var output = new float[rows * filters];
                    Im2ColBlocks.Forward(input, packed, panel, bias, output, batch, g, filters, activation);
                    return output;
                }
                // Two blocks or more are shared by blocks when the team is free; one block's product by rows or columns
                // when it is large enough (the deep conv), else never.
                if (Im2ColBlocks.ReadsInPlace(g) ? (long)rows * filters * g.Taps >= 512 * 1024 : rows > Im2ColBlocks.BlockRows(g.Taps, filters, rows, threads: 2)) shared = TeamSplit.UntilSplit(() => Im2ColBlocks.t_splits, Run);
                else if ((long)rows * filters * g.Taps >= 1 << 20) shared = TeamSplit.UntilSplit(() => GemmRowSplit.t_splits, Run);
                else shared = Run();
            }
            string what = $"{Gemm.PathName(width)} {g} filters={filters} batch={batch} {activation}";
            if (Im2ColBlocks.ReadsInPlace(g))
            {
                // Read in place: the same taps summed in the same order, but a row's last pixels may sit in a
                // narrower tile that interleaves its sums, so within rounding of the product; alike however run.
                AssertClose(expected, alone, g.Taps, "row-major kernel, in place: " + what);
                Assert.True(alone.AsSpan().SequenceEqual(fromPanels), "packed kernel, in place: " + what);
                Assert.True(alone.AsSpan().SequenceEqual(shared), "shared with the team, in place: " + what);
                continue;
            }
            Assert.True(expected.AsSpan().SequenceEqual(alone), "row-major kernel: " + what);
            Assert.True(expected.AsSpan().SequenceEqual(fromPanels), "packed kernel: " + what);
            Assert.True(expected.AsSpan().SequenceEqual(shared), "shared with the team: " + what);
        }
    }

    /// <summary>Each output within a few roundings of a sum of <paramref name="taps"/> products of values in [−1, 1].</summary>
    private static void AssertClose(float[] expected, float[] actual, int taps, string what)
    {
        float tolerance = 4 * taps * 1.2e-7f;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}: output {i} is {actual[i]}, the im2col product {expected[i]}");
    }

    [Fact]
    public void Short_spans_and_foreign_panels_are_refused()
    {
        var g = new ConvGeometry(5, 5, 2, 5, 5, 3, 3, 1, 1, 1, 1);
        var input = new float[50];
        var kernel = new float[18 * 4];
        var output = new float[25 * 4];
        Assert.Throws<ArgumentException>(() => Im2ColBlocks.Forward(input.AsSpan(1), kernel, 0, [], output, 1, g, 4, Activation.Linear));
        Assert.Throws<ArgumentException>(() => Im2ColBlocks.Forward(input, kernel.AsSpan(1), 0, [], output, 1, g, 4, Activation.Linear));
        Assert.Throws<ArgumentException>(() => Im2ColBlocks.Forward(input, kernel, 0, [], output.AsSpan(1), 1, g, 4, Activation.Linear));
        Assert.Throws<ArgumentException>(() => Im2ColBlocks.Forward(input, kernel, 0, new float[3], output, 1, g, 4, Activation.Linear));
        var error = Assert.Throws<ArgumentException>(() => Im2ColBlocks.Forward(input, kernel, Gemm.PanelColumns(Gemm.VectorWidth) + 1, [], output, 1, g, 4, Activation.Linear));
        Assert.Contains("panels of", error.Message);
    }
}
