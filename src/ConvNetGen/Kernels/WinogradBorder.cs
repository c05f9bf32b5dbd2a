using System.Numerics.Tensors;

namespace ConvNetGen.Kernels;

/// <summary>
/// Winograd tiles that reach past the image — same padding's zero border, or a last row or column of output tiles
/// that overhangs an output the tile size does not divide: such a tile is copied into a small per-thread scratch
/// tile, zeros where the image has no pixel, transformed there, and copied back only where the image has pixels.
/// Interior tiles, all but a one-tile frame, are read and written in place. F(3×3) and F(4×4) read their input's
/// border tiles and add to their input gradient's in place too (clipped sources and sinks, <see cref="TileWindow"/>);
/// F(2×2)'s input and F(3×3)'s overhanging output tiles come here.
/// </summary>
internal static unsafe class WinogradBorder
{
    [ThreadStatic] private static AlignedFloats t_tile;

    /// <summary>
    /// A scratch tile of at least <paramref name="floats"/> values for this thread, pinned: it grows once per thread and
    /// size, so a steady stream of passes allocates nothing, and threads running passes at once never share one.
    /// </summary>
    public static float* Scratch(int floats) => AlignedFloats.AtLeast(ref t_tile, floats);

    /// <summary>
    /// tile[i, j, :] = image[y0 + i, x0 + j, :] for the <paramref name="size"/> × <paramref name="size"/> window at
    /// (<paramref name="y0"/>, <paramref name="x0"/>) of one HWC image, and 0 where that pixel is outside it.
    /// </summary>
    public static void Gather(float* image, int height, int width, int channels, int y0, int x0, int size, float* tile)
    {
        for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
        {
            var to = new Span<float>(tile + ((nint)i * size + j) * channels, channels);
            if (Inside(y0 + i, x0 + j, height, width)) new ReadOnlySpan<float>(image + Pixel(y0 + i, x0 + j, width, channels), channels).CopyTo(to);
            else to.Clear();
        }
    }

    /// <summary>image[y0 + i, x0 + j, :] += tile[i, j, :] where that pixel is inside the image: the adjoint of <see cref="Gather"/>.</summary>
    public static void AddInside(float* tile, float* image, int height, int width, int channels, int y0, int x0, int size)
    {
        for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
        {
            if (!Inside(y0 + i, x0 + j, height, width)) continue;
            var to = new Span<float>(image + Pixel(y0 + i, x0 + j, width, channels), channels);
            TensorPrimitives.Add(to, new ReadOnlySpan<float>(tile + ((nint)i * size + j) * channels, channels), to);
        }
    }

    /// <summary>image[y0 + i, x0 + j, :] = tile[i, j, :] where that pixel is inside the image (an output tile's existing pixels).</summary>
    public static void CopyInside(float* tile, float* image, int height, int width, int channels, int y0, int x0, int size)
    {
        for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
            if (Inside(y0 + i, x0 + j, height, width))
                new ReadOnlySpan<float>(tile + ((nint)i * size + j) * channels, channels).CopyTo(new Span<float>(image + Pixel(y0 + i, x0 + j, width, channels), channels));
    }

    private static bool Inside(int y, int x, int height, int width) => (uint)y < (uint)height && (uint)x < (uint)width;

    private static nint Pixel(int y, int x, int width, int channels) => ((nint)y * width + x) * channels;
}
