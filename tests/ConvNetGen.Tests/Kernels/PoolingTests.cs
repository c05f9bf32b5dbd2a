using ConvNetGen.Kernels;

namespace ConvNetGen.Tests.Kernels;

/// <summary>The pooling building blocks: inference's maximum without indices finds what training's finds.</summary>
public class PoolingTests
{
    [Fact]
    public void MaxOnto_keeps_the_maxima_MaxInto_keeps()
    {
        var random = new Random(5);
        foreach (int channels in new[] { 1, 3, 7, 8, 9, 16, 17, 64, 70 })
        {
            float[] bestInto = new float[channels], bestOnto = new float[channels];
            Array.Fill(bestInto, float.NegativeInfinity);
            Array.Fill(bestOnto, float.NegativeInfinity);
            var indices = new int[channels];
            for (int tap = 0; tap < 9; tap++)
            {
                // Ties, NaN (never wins a comparison) and −∞ among ordinary values.
                var values = Enumerable.Range(0, channels).Select(_ => random.Next(8) switch
                {
                    0 => float.NaN,
                    1 => float.NegativeInfinity,
                    2 => 0.5f,
                    _ => random.NextSingle() * 2 - 1,
                }).ToArray();
                Pooling.MaxInto(values, tap * channels, bestInto, indices);
                Pooling.MaxOnto(values, bestOnto);
            }
            Assert.Equal(bestInto, bestOnto);
        }
        Assert.Throws<ArgumentException>(() => Pooling.MaxOnto(new float[5], new float[4]));
    }
}
