using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// Inference's max pooling windows (<see cref="MaxPoolWindows"/>) against training's loop (every tap inside the
/// input through <see cref="Pooling.MaxInto"/>, from −∞): the same maxima, bit for bit, on every width, one thread or
/// shared with the worker team, with padding on every side, overlapping and strided windows, channels that fill no
/// register or leave a remainder, and NaN, −∞ and ties among the inputs.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class PoolingTests
{
    /// <summary>ResNet's 3×3/2 stem pooling (shared at batch 1: 28·28·64 outputs), a same-padded 3×3/1, 2×2/1 padded below and right, a window larger than its stride with odd channels.</summary>
    private static readonly ConvGeometry[] Pools =
    [
        new(56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1),
        new(9, 8, 3, 9, 8, 3, 3, 1, 1, 1, 1),
        new(5, 5, 17, 5, 5, 2, 2, 1, 1, 0, 0),
        new(11, 13, 70, 4, 5, 4, 3, 3, 3, 1, 2),
    ];

    private static float[] Training(float[] input, int batch, ConvGeometry g)
    {
        int c = g.InputChannels;
        var output = new float[batch * g.OutputHeight * g.OutputWidth * c];
        var index = new int[c];
        for (int b = 0; b < batch; b++)
        for (int oy = 0; oy < g.OutputHeight; oy++)
        for (int ox = 0; ox < g.OutputWidth; ox++)
        {
            var best = output.AsSpan(((b * g.OutputHeight + oy) * g.OutputWidth + ox) * c, c);
            best.Fill(float.NegativeInfinity);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                int iy = oy * g.StrideHeight + ky - g.PadTop, ix = ox * g.StrideWidth + kx - g.PadLeft;
                if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth) continue;
                int i = ((b * g.InputHeight + iy) * g.InputWidth + ix) * c;
                Pooling.MaxInto(input.AsSpan(i, c), i, best, index);
            }
        }
        return output;
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Inference_windows_keep_the_maxima_training_keeps(int width)
    {
        var random = new Random(5);
        foreach (var g in Pools)
        foreach (int batch in new[] { 1, 2 })
        {
            // Ties, NaN (never wins a comparison) and −∞ among ordinary values.
            var input = Enumerable.Range(0, batch * g.InputHeight * g.InputWidth * g.InputChannels).Select(_ => random.Next(8) switch
            {
                0 => float.NaN,
                1 => float.NegativeInfinity,
                2 => 0.5f,
                _ => random.NextSingle() * 2 - 1,
            }).ToArray();
            var expected = Training(input, batch, g);
            var alone = new float[expected.Length];
            float[] shared;
            using (Force(width))
            {
                MaxPoolWindows.Forward(input, alone, batch, g);
                float[] Run()
                {
                    var output = new float[expected.Length];
                    MaxPoolWindows.Forward(input, output, batch, g);
                    return output;
                }
                shared = expected.Length >= 16 * 1024 ? TeamSplit.UntilSplit(() => MaxPoolWindows.t_splits, Run) : Run();
            }
            string what = $"{Gemm.PathName(width)} {g} batch={batch}";
            Assert.True(expected.AsSpan().SequenceEqual(alone), "one thread: " + what);
            Assert.True(expected.AsSpan().SequenceEqual(shared), "shared with the team: " + what);
        }
    }

    [Fact]
    public void Short_spans_are_refused()
    {
        var g = new ConvGeometry(5, 5, 2, 2, 2, 3, 3, 2, 2, 0, 0);
        Assert.Throws<ArgumentException>(() => MaxPoolWindows.Forward(new float[49], new float[8], 1, g));
        Assert.Throws<ArgumentException>(() => MaxPoolWindows.Forward(new float[50], new float[7], 1, g));
    }
}
