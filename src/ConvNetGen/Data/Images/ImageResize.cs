namespace ConvNetGen;

/// <summary>
/// Keras' image resizing for <c>image_dataset_from_directory</c>: <c>tf.image.resize(..., "bilinear")</c> with
/// <c>antialias=False</c> (half-pixel centres) and the centre crop of <c>smart_resize</c> for
/// <c>crop_to_aspect_ratio=True</c>. Output values stay in [0, 255] as floats, as Keras yields them.
/// </summary>
public static class ImageResize
{
    /// <summary>
    /// The crop <c>smart_resize</c> takes from a <paramref name="height"/> × <paramref name="width"/> image before resizing
    /// to <paramref name="targetHeight"/> × <paramref name="targetWidth"/>: the largest centred box of the target's aspect ratio.
    /// </summary>
    public static (int Top, int Left, int Height, int Width) CropBox(int height, int width, int targetHeight, int targetWidth)
    {
        // Keras: int(float(width * target_height) / target_width), clamped to [1, height]; the start is int((height - crop) / 2).
        int cropHeight = (int)((double)((long)width * targetHeight) / targetWidth);
        cropHeight = Math.Max(Math.Min(height, cropHeight), 1);
        int cropWidth = (int)((double)((long)height * targetWidth) / targetHeight);
        cropWidth = Math.Max(Math.Min(width, cropWidth), 1);
        int top = (int)((double)(height - cropHeight) / 2);
        int left = (int)((double)(width - cropWidth) / 2);
        return (top, left, cropHeight, cropWidth);
    }

    /// <summary>
    /// Resizes the <paramref name="box"/> of an 8-bit image (<paramref name="width"/> columns, <paramref name="channels"/>
    /// interleaved channels) bilinearly to <paramref name="targetHeight"/> × <paramref name="targetWidth"/> floats,
    /// as TensorFlow's bilinear kernel with half-pixel centres: source coordinate (o + ½)·in/out − ½, clamped at the edges.
    /// </summary>
    public static void Bilinear(ReadOnlySpan<byte> pixels, int width, int channels, (int Top, int Left, int Height, int Width) box,
        int targetHeight, int targetWidth, Span<float> output)
    {
        if (output.Length != targetHeight * targetWidth * channels)
            throw new ArgumentException($"output has {output.Length} values; {targetHeight}×{targetWidth}×{channels} are needed.", nameof(output));
        Span<int> xLow = targetWidth <= 1024 ? stackalloc int[targetWidth] : new int[targetWidth];
        Span<int> xHigh = targetWidth <= 1024 ? stackalloc int[targetWidth] : new int[targetWidth];
        Span<float> xLerp = targetWidth <= 1024 ? stackalloc float[targetWidth] : new float[targetWidth];
        float xScale = (float)box.Width / targetWidth, yScale = (float)box.Height / targetHeight;
        for (int x = 0; x < targetWidth; x++)
            Weights(x, xScale, box.Width, out xLow[x], out xHigh[x], out xLerp[x]);
        int stride = width * channels;
        for (int y = 0; y < targetHeight; y++)
        {
            Weights(y, yScale, box.Height, out int yLow, out int yHigh, out float yLerp);
            var top = pixels.Slice((box.Top + yLow) * stride + box.Left * channels);
            var bottom = pixels.Slice((box.Top + yHigh) * stride + box.Left * channels);
            var row = output.Slice(y * targetWidth * channels, targetWidth * channels);
            for (int x = 0; x < targetWidth; x++)
            {
                int l = xLow[x] * channels, h = xHigh[x] * channels;
                float xl = xLerp[x];
                for (int c = 0; c < channels; c++)
                {
                    // TensorFlow's order: lerp along x on both rows, then along y.
                    float topLeft = top[l + c], topRight = top[h + c], bottomLeft = bottom[l + c], bottomRight = bottom[h + c];
                    float t = topLeft + (topRight - topLeft) * xl;
                    float b = bottomLeft + (bottomRight - bottomLeft) * xl;
                    row[x * channels + c] = t + (b - t) * yLerp;
                }
            }
        }
    }

    private static void Weights(int o, float scale, int inSize, out int low, out int high, out float lerp)
    {
        float at = (o + 0.5f) * scale - 0.5f;
        float floor = MathF.Floor(at);
        low = Math.Max((int)floor, 0);
        high = Math.Min((int)MathF.Ceiling(at), inSize - 1);
        lerp = at - floor;
    }
}
