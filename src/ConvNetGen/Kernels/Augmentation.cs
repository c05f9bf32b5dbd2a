using System.ComponentModel;

namespace ConvNetGen.Kernels;

/// <summary>
/// The per-image loops of the augmentation layers (RandomFlip, RandomTranslation, RandomRotation, RandomZoom, RandomCrop, RandomContrast,
/// RandomBrightness), forward and backward, on one (height, width, channels) image at a time. Each backward is the
/// exact transpose (or derivative) of its forward for the same draws.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Augmentation
{
    /// <summary>
    /// The image flipped left-right and/or top-bottom (a copy when neither). Its own transpose, so backward calls it
    /// on the gradient. <paramref name="input"/> and <paramref name="output"/> must not overlap.
    /// </summary>
    public static void Flip(ReadOnlySpan<float> input, Span<float> output, int height, int width, int channels, bool horizontal, bool vertical)
    {
        int n = height * width * channels;
        if (input.Length < n || output.Length < n)
            throw new ArgumentException($"Flip: a {height}×{width}×{channels} image needs {n} values in and out (got {input.Length}, {output.Length}).");
        for (int y = 0; y < height; y++)
        {
            int sy = vertical ? height - 1 - y : y;
            if (!horizontal)
            {
                input.Slice(sy * width * channels, width * channels).CopyTo(output.Slice(y * width * channels, width * channels));
                continue;
            }
            for (int x = 0; x < width; x++)
                input.Slice((sy * width + width - 1 - x) * channels, channels).CopyTo(output.Slice((y * width + x) * channels, channels));
        }
    }

    /// <summary>
    /// Keras' <c>reflect</c> fill for an integer index: the input mirrored about the edge of its last pixel
    /// (d c b a | a b c d | d c b a), repeating with period 2n.
    /// </summary>
    public static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }

    /// <summary>
    /// An affine warp with bilinear interpolation, Keras' <c>affine_transform</c> on one image: output pixel (y, x)
    /// reads the input at column a0·x + a1·y + a2 and row b0·x + b1·y + b2; points outside are filled as
    /// <paramref name="fillMode"/> says (<see cref="FillMode.Reflect"/> mirrors, <see cref="FillMode.Constant"/> reads
    /// <paramref name="fillValue"/>). A translation by (dy, dx) is a0 = b1 = 1, a2 = −dx, b2 = −dy.
    /// </summary>
    public static void AffineWarp(ReadOnlySpan<float> input, Span<float> output, int height, int width, int channels,
        float a0, float a1, float a2, float b0, float b1, float b2, FillMode fillMode, float fillValue)
    {
        int n = height * width * channels;
        if (input.Length < n || output.Length < n)
            throw new ArgumentException($"AffineWarp: a {height}×{width}×{channels} image needs {n} values in and out (got {input.Length}, {output.Length}).");
        Span<int> rows = stackalloc int[2];
        Span<int> cols = stackalloc int[2];
        Span<float> wy = stackalloc float[2];
        Span<float> wx = stackalloc float[2];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            var o = output.Slice((y * width + x) * channels, channels);
            if (Interior(x, y, height, width, channels, a0, a1, a2, b0, b1, b2, out int at, out float w00, out float w01, out float w10, out float w11))
            {
                // All four taps inside (most pixels): no fill, no index mapping; the same sums in the same order as below.
                var p0 = input.Slice(at, channels);
                var p1 = input.Slice(at + channels, channels);
                var q0 = input.Slice(at + width * channels, channels);
                var q1 = input.Slice(at + width * channels + channels, channels);
                for (int c = 0; c < channels; c++) o[c] = 0f + w00 * p0[c] + w01 * p1[c] + w10 * q0[c] + w11 * q1[c];
                continue;
            }
            Taps(x, y, height, width, a0, a1, a2, b0, b1, b2, fillMode, rows, cols, wy, wx);
            o.Clear();
            for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                float weight = wy[i] * wx[j];
                if (weight == 0) continue;
                if (rows[i] < 0 || cols[j] < 0)
                {
                    for (int c = 0; c < channels; c++) o[c] += weight * fillValue;
                    continue;
                }
                var src = input.Slice((rows[i] * width + cols[j]) * channels, channels);
                for (int c = 0; c < channels; c++) o[c] += weight * src[c];
            }
        }
    }

    /// <summary>
    /// The transpose of <see cref="AffineWarp"/> (same matrix and fill mode): every output gradient goes back to the
    /// input pixels its value was interpolated from, with the same weights. Overwrites <paramref name="inputGradient"/>;
    /// the constant fill value takes no gradient.
    /// </summary>
    public static void AffineWarpBackward(ReadOnlySpan<float> gradient, Span<float> inputGradient, int height, int width, int channels,
        float a0, float a1, float a2, float b0, float b1, float b2, FillMode fillMode)
    {
        int n = height * width * channels;
        if (gradient.Length < n || inputGradient.Length < n)
            throw new ArgumentException($"AffineWarpBackward: a {height}×{width}×{channels} image needs {n} values in and out (got {gradient.Length}, {inputGradient.Length}).");
        inputGradient.Slice(0, n).Clear();
        Span<int> rows = stackalloc int[2];
        Span<int> cols = stackalloc int[2];
        Span<float> wy = stackalloc float[2];
        Span<float> wx = stackalloc float[2];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            var g = gradient.Slice((y * width + x) * channels, channels);
            if (Interior(x, y, height, width, channels, a0, a1, a2, b0, b1, b2, out int at, out float w00, out float w01, out float w10, out float w11))
            {
                var p0 = inputGradient.Slice(at, channels);
                var p1 = inputGradient.Slice(at + channels, channels);
                var q0 = inputGradient.Slice(at + width * channels, channels);
                var q1 = inputGradient.Slice(at + width * channels + channels, channels);
                for (int c = 0; c < channels; c++)
                {
                    p0[c] += w00 * g[c];
                    p1[c] += w01 * g[c];
                    q0[c] += w10 * g[c];
                    q1[c] += w11 * g[c];
                }
                continue;
            }
            Taps(x, y, height, width, a0, a1, a2, b0, b1, b2, fillMode, rows, cols, wy, wx);
            for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                float weight = wy[i] * wx[j];
                if (weight == 0 || rows[i] < 0 || cols[j] < 0) continue;
                var dst = inputGradient.Slice((rows[i] * width + cols[j]) * channels, channels);
                for (int c = 0; c < channels; c++) dst[c] += weight * g[c];
            }
        }
    }

    /// <summary>
    /// Whether output pixel (y, x) reads four taps all inside the image, and if so the first tap's offset and the four
    /// weights (row-major: top left, top right, bottom left, bottom right), computed exactly as <see cref="Taps"/> does.
    /// </summary>
    private static bool Interior(int x, int y, int height, int width, int channels, float a0, float a1, float a2, float b0, float b1, float b2,
        out int at, out float w00, out float w01, out float w10, out float w11)
    {
        float sx = a0 * x + a1 * y + a2, sy = b0 * x + b1 * y + b2;
        float fy = MathF.Floor(sy), fx = MathF.Floor(sx);
        if (!(fy >= 0 && fy <= height - 2 && fx >= 0 && fx <= width - 2))
        {
            at = 0;
            w00 = w01 = w10 = w11 = 0;
            return false;
        }
        float ty = sy - fy, tx = sx - fx;
        at = ((int)fy * width + (int)fx) * channels;
        w00 = (1 - ty) * (1 - tx);
        w01 = (1 - ty) * tx;
        w10 = ty * (1 - tx);
        w11 = ty * tx;
        return true;
    }

    /// <summary>The two rows and two columns output pixel (y, x) interpolates between, with their weights; −1 for a constant fill.</summary>
    private static void Taps(int x, int y, int height, int width, float a0, float a1, float a2, float b0, float b1, float b2,
        FillMode fillMode, Span<int> rows, Span<int> cols, Span<float> wy, Span<float> wx)
    {
        float sx = a0 * x + a1 * y + a2, sy = b0 * x + b1 * y + b2;
        float fy = MathF.Floor(sy), fx = MathF.Floor(sx);
        // Far outside (a constant fill there is all fill value): clamp before converting so the int never overflows.
        fy = Math.Clamp(fy, -4f * height - 4, 4f * height + 4);
        fx = Math.Clamp(fx, -4f * width - 4, 4f * width + 4);
        int y0 = (int)fy, x0 = (int)fx;
        float ty = sy - fy, tx = sx - fx;
        if (!(ty >= 0 && ty <= 1)) ty = 0; // clamped or NaN
        if (!(tx >= 0 && tx <= 1)) tx = 0;
        wy[0] = 1 - ty; wy[1] = ty;
        wx[0] = 1 - tx; wx[1] = tx;
        for (int k = 0; k < 2; k++)
        {
            rows[k] = Index(y0 + k, height, fillMode);
            cols[k] = Index(x0 + k, width, fillMode);
        }
    }

    private static int Index(int i, int n, FillMode fillMode) =>
        i >= 0 && i < n ? i : fillMode == FillMode.Reflect ? Reflect(i, n) : -1;

    /// <summary>The (outHeight, outWidth) window at (top, left) of one image.</summary>
    public static void Crop(ReadOnlySpan<float> input, Span<float> output, int height, int width, int channels, int top, int left, int outHeight, int outWidth)
    {
        if (top < 0 || left < 0 || top + outHeight > height || left + outWidth > width)
            throw new ArgumentOutOfRangeException(nameof(top), $"Crop: a {outHeight}×{outWidth} window at ({top}, {left}) does not fit a {height}×{width} image.");
        for (int y = 0; y < outHeight; y++)
            input.Slice(((top + y) * width + left) * channels, outWidth * channels).CopyTo(output.Slice(y * outWidth * channels, outWidth * channels));
    }

    /// <summary>The transpose of <see cref="Crop"/>: the gradient back in its window, zeros elsewhere (overwrites <paramref name="inputGradient"/>).</summary>
    public static void CropBackward(ReadOnlySpan<float> gradient, Span<float> inputGradient, int height, int width, int channels, int top, int left, int outHeight, int outWidth)
    {
        if (top < 0 || left < 0 || top + outHeight > height || left + outWidth > width)
            throw new ArgumentOutOfRangeException(nameof(top), $"CropBackward: a {outHeight}×{outWidth} window at ({top}, {left}) does not fit a {height}×{width} image.");
        inputGradient.Slice(0, height * width * channels).Clear();
        for (int y = 0; y < outHeight; y++)
            gradient.Slice(y * outWidth * channels, outWidth * channels).CopyTo(inputGradient.Slice(((top + y) * width + left) * channels, outWidth * channels));
    }

    /// <summary>
    /// Keras' contrast adjustment of one image: each channel's mean m over height and width, then
    /// clip((x − m)·factor + m, low, high).
    /// </summary>
    public static void Contrast(ReadOnlySpan<float> input, Span<float> output, int pixels, int channels, float factor, float low, float high)
    {
        Span<float> mean = channels <= 256 ? stackalloc float[channels] : new float[channels];
        Means(input, pixels, channels, mean);
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
        {
            int i = p * channels + c;
            output[i] = Math.Clamp((input[i] - mean[c]) * factor + mean[c], low, high);
        }
    }

    /// <summary>
    /// The input gradient of <see cref="Contrast"/>: with g' the output gradient where the value was not clipped (0 where
    /// it was), dx = factor·g' + (1 − factor)·mean(g') per channel. Overwrites <paramref name="inputGradient"/>.
    /// </summary>
    public static void ContrastBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient, Span<float> inputGradient, int pixels, int channels, float factor, float low, float high)
    {
        Span<float> mean = channels <= 256 ? stackalloc float[channels] : new float[channels];
        Span<float> gradientMean = channels <= 256 ? stackalloc float[channels] : new float[channels];
        Means(input, pixels, channels, mean);
        gradientMean.Clear();
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
        {
            int i = p * channels + c;
            float value = (input[i] - mean[c]) * factor + mean[c];
            float g = value >= low && value <= high ? gradient[i] : 0f;
            inputGradient[i] = g;
            gradientMean[c] += g;
        }
        for (int c = 0; c < channels; c++) gradientMean[c] = gradientMean[c] / pixels * (1 - factor);
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
        {
            int i = p * channels + c;
            inputGradient[i] = factor * inputGradient[i] + gradientMean[c];
        }
    }

    private static void Means(ReadOnlySpan<float> input, int pixels, int channels, Span<float> mean)
    {
        mean.Clear();
        for (int p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
            mean[c] += input[p * channels + c];
        for (int c = 0; c < channels; c++) mean[c] /= pixels;
    }

    /// <summary>Keras' brightness adjustment of one image: clip(x + delta, low, high).</summary>
    public static void Brightness(ReadOnlySpan<float> input, Span<float> output, float delta, float low, float high)
    {
        for (int i = 0; i < input.Length; i++) output[i] = Math.Clamp(input[i] + delta, low, high);
    }

    /// <summary>The input gradient of <see cref="Brightness"/>: the output gradient where x + delta was not clipped, 0 where it was.</summary>
    public static void BrightnessBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient, Span<float> inputGradient, float delta, float low, float high)
    {
        for (int i = 0; i < input.Length; i++)
        {
            float value = input[i] + delta;
            inputGradient[i] = value >= low && value <= high ? gradient[i] : 0f;
        }
    }
}
