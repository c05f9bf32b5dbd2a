namespace ConvNetGen.Images.Tests;

public sealed class KerasRulesTests
{
    [Fact]
    public void Mt19937_matches_numpy_RandomState()
    {
        // np.random.RandomState(0).random_sample() is 0.5488135039273248 (numpy's documented first draw for seed 0).
        Assert.Equal(0.5488135039273248, new NumpyRandomState(0).NextDouble());
        // The reference MT19937 (init_genrand(5489)) starts 3499211612, 581869302.
        var reference = new NumpyRandomState(5489);
        Assert.Equal(3499211612u, reference.NextUInt32());
        Assert.Equal(581869302u, reference.NextUInt32());
    }

    [Fact]
    public void Shuffle_matches_numpy_permutation()
    {
        // np.random.RandomState(0).permutation(10) and RandomState(42).permutation(10).
        var a = Enumerable.Range(0, 10).ToList();
        new NumpyRandomState(0).Shuffle(a);
        Assert.Equal([2, 8, 4, 9, 1, 6, 7, 3, 0, 5], a);
        var b = Enumerable.Range(0, 10).ToList();
        new NumpyRandomState(42).Shuffle(b);
        Assert.Equal([8, 1, 5, 0, 7, 2, 9, 4, 3, 6], b);
    }

    [Fact]
    public void Bilinear_uses_half_pixel_centres_as_TensorFlow()
    {
        // A 1×2 row [0, 255] to 1×4: source x = (o + ½)/2 − ½ = −0.25, 0.25, 0.75, 1.25, clamped at the edges.
        var output = new float[4];
        ImageResize.Bilinear([0, 255], 2, 1, (0, 0, 1, 2), 1, 4, output);
        Assert.Equal([0f, 63.75f, 191.25f, 255f], output);
    }

    [Fact]
    public void Bilinear_at_the_same_size_is_the_identity_and_matches_a_reference_elsewhere()
    {
        var rng = new Random(3);
        int w = 13, h = 7, c = 3;
        var pixels = new byte[w * h * c];
        rng.NextBytes(pixels);
        var same = new float[w * h * c];
        ImageResize.Bilinear(pixels, w, c, (0, 0, h, w), h, w, same);
        Assert.Equal(pixels.Select(p => (float)p), same);

        foreach (var (th, tw) in new[] { (5, 9), (16, 20), (1, 1), (7, 26) })
        {
            var output = new float[th * tw * c];
            ImageResize.Bilinear(pixels, w, c, (0, 0, h, w), th, tw, output);
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++)
                    for (int ch = 0; ch < c; ch++)
                        Assert.Equal(Reference(pixels, w, h, c, th, tw, y, x, ch), output[(y * tw + x) * c + ch], 0.002); // float32 arithmetic on 0–255
        }
    }

    /// <summary>tf.image.resize(bilinear, antialias=False) written out in doubles.</summary>
    private static double Reference(byte[] p, int w, int h, int c, int th, int tw, int y, int x, int ch)
    {
        double sy = Math.Max((y + 0.5) * h / th - 0.5, 0), sx = Math.Max((x + 0.5) * w / tw - 0.5, 0);
        int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
        int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
        double fy = sy - y0, fx = sx - x0;
        double V(int yy, int xx) => p[(yy * w + xx) * c + ch];
        return (1 - fy) * ((1 - fx) * V(y0, x0) + fx * V(y0, x1)) + fy * ((1 - fx) * V(y1, x0) + fx * V(y1, x1));
    }

    [Theory]
    [InlineData(100, 200, 50, 50, 0, 50, 100, 100)]   // wide image to a square: the centre square
    [InlineData(200, 100, 50, 50, 50, 0, 100, 100)]   // tall image to a square
    [InlineData(480, 640, 224, 224, 0, 80, 480, 480)]
    [InlineData(101, 57, 32, 64, 36, 0, 28, 57)]      // int(57·32/64) = 28 rows, start int((101 − 28)/2) = 36
    [InlineData(3, 3, 10, 1, 0, 1, 3, 1)]            // crop_width = int(3·1/10) = 0 → at least 1
    public void CropBox_follows_smart_resize(int h, int w, int th, int tw, int top, int left, int ch, int cw) =>
        Assert.Equal((top, left, ch, cw), ImageResize.CropBox(h, w, th, tw));
}
