using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// BatchNormalization's vectorised passes against naive double loops: channel counts with whole vectors, remainders
/// and fewer than one vector; row counts across the row blocks; an offset far from zero (where Σx² − N·mean² cancels).
/// </summary>
public class BatchNormTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 3 }, { 7, 8 }, { 300, 19 }, { 513, 32 }, { 40, 64 }, { 9, 130 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sums_match_double_loops(int rows, int channels)
    {
        var x = Random(rows * channels, seed: rows + channels, low: 999f, high: 1001f);
        var y = Random(rows * channels, seed: 3);
        var statistics = Enumerable.Repeat(0.5, 2 * channels).ToArray(); // added onto
        var gradientSums = Enumerable.Repeat(-0.25, 2 * channels).ToArray();
        BatchNorm.AddStatistics(x, channels, statistics);
        BatchNorm.AddGradientSums(y, x, channels, gradientSums);
        for (int c = 0; c < channels; c++)
        {
            double sum = 0.5, squares = 0.5, g = -0.25, gx = -0.25;
            for (int r = 0; r < rows; r++)
            {
                double v = x[r * channels + c], d = y[r * channels + c];
                sum += v;
                squares += v * v;
                g += d;
                gx += d * v;
            }
            Assert.Equal(sum, statistics[c], sum * 1e-14);
            Assert.Equal(squares, statistics[channels + c], squares * 1e-14);
            Assert.Equal(g, gradientSums[c], 1e-9);
            Assert.Equal(gx, gradientSums[channels + c], 1e-9 * rows * 1000);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Normalize_and_the_input_gradient_match_their_formulas(int rows, int channels)
    {
        var x = Random(rows * channels, seed: 1);
        var mean = Random(channels, seed: 2);
        var inverseStd = Random(channels, seed: 3, low: 0.5f, high: 2f);
        var gamma = Random(channels, seed: 4);
        var beta = Random(channels, seed: 5);
        var dy = Random(rows * channels, seed: 6);
        var (a, b, shift) = (Random(channels, seed: 7), Random(channels, seed: 8), Random(channels, seed: 9));
        var xhat = new float[rows * channels];
        var output = new float[rows * channels];
        var dx = new float[rows * channels];
        BatchNorm.Normalize(x, mean, inverseStd, gamma, beta, xhat, output);
        BatchNorm.InputGradient(dy, xhat, a, b, shift, dx);
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < channels; c++)
        {
            int i = r * channels + c;
            double normalized = ((double)x[i] - mean[c]) * inverseStd[c];
            Assert.Equal(normalized, xhat[i], 1e-5);
            Assert.Equal(gamma[c] * normalized + beta[c], output[i], 1e-5);
            Assert.Equal((double)a[c] * dy[i] + (double)b[c] * xhat[i] + shift[c], dx[i], 1e-5);
        }
    }

    [Fact]
    public void Partial_rows_and_wrong_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => BatchNorm.AddStatistics(new float[10], 4, new double[8]));
        Assert.Throws<ArgumentException>(() => BatchNorm.AddStatistics(new float[12], 4, new double[6]));
        Assert.Throws<ArgumentException>(() => BatchNorm.Normalize(new float[8], new float[4], new float[4], new float[3], new float[4], new float[8], new float[8]));
    }
}
