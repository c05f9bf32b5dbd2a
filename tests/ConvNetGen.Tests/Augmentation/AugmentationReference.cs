using ConvNetGen.Tests.Numerics;

namespace ConvNetGen.Tests.Augmentation;

/// <summary>
/// The draws an augmentation layer sees in the first training workspace of a model with seed <c>seed</c>: the
/// workspace's stream (<see cref="Model.WorkspaceSeed"/> of the seed and workspace index 0), uniform [0, 1) floats in
/// order. A model's only random layer takes them from the start.
/// </summary>
internal static class AugmentationDraws
{
    public static float[] FirstWorkspace(int seed, int count, int workspace = 0)
    {
        var random = new Random(Model.WorkspaceSeed(seed, workspace));
        var draws = new float[count];
        for (int i = 0; i < count; i++) draws[i] = random.NextSingle();
        return draws;
    }
}

/// <summary>
/// A naive float64 reference for one augmentation layer, written from Keras' definitions, not from the kernels: in
/// training with the given draws, at inference the identity (RandomCrop: the centre window). Its backward is the
/// Jacobian's transpose, column by column from forward differences of basis vectors, exact for these maps while
/// nothing is clipped.
/// </summary>
internal abstract class RefAugmentation(float[] draws) : RefOp
{
    protected float[] Draws => draws;

    protected int H => In[0];
    protected int W => In[1];
    protected int C => In[2];

    protected override int[] OutputShape(int[] input) => input;

    /// <summary>One image (index <paramref name="b"/> in the pass) in training mode.</summary>
    protected abstract double[] Training(double[] x, int b);

    protected virtual double[] Inference(double[] x) => (double[])x.Clone();

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var y = new double[batch * OutSize];
        for (int b = 0; b < batch; b++)
        {
            var image = x.AsSpan(b * InSize, InSize).ToArray();
            (training ? Training(image, b) : Inference(image)).CopyTo(y, b * OutSize);
        }
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        var dx = new double[batch * InSize];
        for (int b = 0; b < batch; b++)
        {
            Func<double[], double[]> f = training ? v => Training(v, b) : Inference;
            var zero = f(new double[InSize]);
            for (int i = 0; i < InSize; i++)
            {
                var e = new double[InSize];
                e[i] = 1;
                var column = f(e);
                double sum = 0;
                for (int o = 0; o < OutSize; o++) sum += (column[o] - zero[o]) * dy[b * OutSize + o];
                dx[b * InSize + i] = sum;
            }
        }
        return dx;
    }

    protected double At(double[] x, int y, int xx, int c) => x[(y * W + xx) * C + c];

    /// <summary>Keras' 'reflect' (numpy's 'symmetric' padding): mirrored about the edge of the last pixel, by walking.</summary>
    protected static int Mirror(int i, int n)
    {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        return i;
    }

    /// <summary>Bilinear read at (row sy, column sx) with Keras' fill: reflect, or the constant outside.</summary>
    protected double Bilinear(double[] x, double sy, double sx, int c, bool reflect, double fill)
    {
        int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
        double ty = sy - y0, tx = sx - x0, sum = 0;
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
        {
            double weight = (i == 0 ? 1 - ty : ty) * (j == 0 ? 1 - tx : tx);
            int yy = y0 + i, xx = x0 + j;
            bool inside = yy >= 0 && yy < H && xx >= 0 && xx < W;
            double v = inside ? At(x, yy, xx, c) : reflect ? At(x, Mirror(yy, H), Mirror(xx, W), c) : fill;
            sum += weight * v;
        }
        return sum;
    }
}

internal sealed class RefRandomFlip(float[] draws, RandomFlipMode mode) : RefAugmentation(draws)
{
    public override LayerKind Kind => LayerKind.RandomFlip;

    /// <summary>Whether image <paramref name="b"/> is flipped: Keras' <c>uniform() &lt;= 0.5</c>.</summary>
    public bool Flipped(int b) => Draws[b] <= 0.5f;

    protected override double[] Training(double[] x, int b)
    {
        bool h = Flipped(b) && mode != RandomFlipMode.Vertical, v = Flipped(b) && mode != RandomFlipMode.Horizontal;
        var y = new double[x.Length];
        for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
        for (int c = 0; c < C; c++)
            y[(i * W + j) * C + c] = At(x, v ? H - 1 - i : i, h ? W - 1 - j : j, c);
        return y;
    }
}

internal sealed class RefRandomTranslation(float[] draws, double heightFactor, double widthFactor, bool reflect = true, double fill = 0) : RefAugmentation(draws)
{
    public override LayerKind Kind => LayerKind.RandomTranslation;

    /// <summary>Image <paramref name="b"/>'s shift in rows and columns: U(−f, f) times the size, height first, in float as Keras.</summary>
    public (double Dy, double Dx) Shift(int b)
    {
        float hf = (float)Math.Abs(heightFactor), wf = (float)Math.Abs(widthFactor);
        return ((-hf + Draws[2 * b] * (2 * hf)) * H, (-wf + Draws[2 * b + 1] * (2 * wf)) * W);
    }

    protected override double[] Training(double[] x, int b)
    {
        var (dy, dx) = Shift(b);
        var y = new double[x.Length];
        for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
        for (int c = 0; c < C; c++)
            y[(i * W + j) * C + c] = Bilinear(x, i - dy, j - dx, c, reflect, fill);
        return y;
    }
}

/// <summary>
/// An affine warp from Keras' matrices: output (y, x) reads column a0·x + a1·y + a2 and row b0·x + b1·y + b2 with
/// bilinear interpolation and Keras' fill.
/// </summary>
internal abstract class RefAffineAugmentation(float[] draws, bool reflect, double fill) : RefAugmentation(draws)
{
    protected abstract (double A0, double A1, double A2, double B0, double B1, double B2) Matrix(int b);

    protected override double[] Training(double[] x, int b)
    {
        var m = Matrix(b);
        var y = new double[x.Length];
        for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
        for (int c = 0; c < C; c++)
            y[(i * W + j) * C + c] = Bilinear(x, m.B0 * j + m.B1 * i + m.B2, m.A0 * j + m.A1 * i + m.A2, c, reflect, fill);
        return y;
    }
}

/// <summary>Keras' <c>_compute_affine_matrix</c> for a rotation by θ = U(−f, f)·2π about ((W − 1)/2, (H − 1)/2).</summary>
internal sealed class RefRandomRotation(float[] draws, double factor, bool reflect = true, double fill = 0) : RefAffineAugmentation(draws, reflect, fill)
{
    public override LayerKind Kind => LayerKind.RandomRotation;

    public double Angle(int b)
    {
        float f = (float)Math.Abs(factor);
        return (-f + Draws[b] * (2 * f)) * 2 * Math.PI;
    }

    protected override (double, double, double, double, double, double) Matrix(int b)
    {
        double angle = Angle(b), cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = (W - 1) / 2.0, cy = (H - 1) / 2.0;
        return (cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos);
    }
}

/// <summary>Keras' <c>_get_zoom_matrix</c>: zooms 1 + U(−f, f) per axis (height's draw first; the width follows it without a factor).</summary>
internal sealed class RefRandomZoom(float[] draws, double heightFactor, double? widthFactor = null, bool reflect = true, double fill = 0) : RefAffineAugmentation(draws, reflect, fill)
{
    public override LayerKind Kind => LayerKind.RandomZoom;

    public (double Zy, double Zx) Zooms(int b)
    {
        float hf = (float)Math.Abs(heightFactor);
        double zy = 1 - hf + Draws[2 * b] * (2 * hf);
        if (widthFactor is not { } w) return (zy, zy);
        float wf = (float)Math.Abs(w);
        return (zy, 1 - wf + Draws[2 * b + 1] * (2 * wf));
    }

    protected override (double, double, double, double, double, double) Matrix(int b)
    {
        var (zy, zx) = Zooms(b);
        return (zx, 0, (W - 1) / 2.0 * (1 - zx), 0, zy, (H - 1) / 2.0 * (1 - zy));
    }
}

internal sealed class RefRandomCrop(float[] draws, int height, int width) : RefAugmentation(draws)
{
    public override LayerKind Kind => LayerKind.RandomCrop;

    protected override int[] OutputShape(int[] input) => [height, width, input[2]];

    /// <summary>The pass's window: random (⌊u·(H − h + 1)⌋) when larger on both axes, else the centre.</summary>
    public (int Top, int Left) Window(bool training) =>
        training && H > height && W > width
            ? ((int)(Draws[0] * (H - height + 1)), (int)(Draws[1] * (W - width + 1)))
            : ((H - height) / 2, (W - width) / 2);

    private double[] Crop(double[] x, (int Top, int Left) window)
    {
        var y = new double[height * width * C];
        for (int i = 0; i < height; i++)
        for (int j = 0; j < width; j++)
        for (int c = 0; c < C; c++)
            y[(i * width + j) * C + c] = At(x, window.Top + i, window.Left + j, c);
        return y;
    }

    protected override double[] Training(double[] x, int b) => Crop(x, Window(true));
    protected override double[] Inference(double[] x) => Crop(x, Window(false));
}

internal sealed class RefRandomContrast(float[] draws, double factor, double low = 0, double high = 255) : RefAugmentation(draws)
{
    public override LayerKind Kind => LayerKind.RandomContrast;

    public double Factor(int b) => 1 - (float)factor + Draws[b] * (2 * (float)factor);

    protected override double[] Training(double[] x, int b)
    {
        double f = Factor(b);
        var y = new double[x.Length];
        for (int c = 0; c < C; c++)
        {
            double mean = 0;
            for (int i = 0; i < H * W; i++) mean += x[i * C + c];
            mean /= H * W;
            for (int i = 0; i < H * W; i++) y[i * C + c] = Math.Clamp((x[i * C + c] - mean) * f + mean, low, high);
        }
        return y;
    }
}

internal sealed class RefRandomBrightness(float[] draws, double factor, double low = 0, double high = 255) : RefAugmentation(draws)
{
    public override LayerKind Kind => LayerKind.RandomBrightness;

    public double Delta(int b)
    {
        float f = (float)Math.Abs(factor);
        return (-f + Draws[b] * (2 * f)) * (float)(high - low);
    }

    protected override double[] Training(double[] x, int b) => x.Select(v => Math.Clamp(v + Delta(b), low, high)).ToArray();
}
