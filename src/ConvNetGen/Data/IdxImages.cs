using System.Numerics.Tensors;

namespace ConvNetGen;

/// <summary>The raw contents of an IDX image file: unsigned bytes, <see cref="Count"/> × <see cref="Height"/> × <see cref="Width"/> × <see cref="Channels"/>.</summary>
public sealed class IdxImages
{
    internal IdxImages(byte[] pixels, int count, int height, int width, int channels)
    {
        Pixels = pixels;
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
    }

    /// <summary>Every pixel value (0–255) in file order: image by image, row by row, channels last.</summary>
    public byte[] Pixels { get; }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>Rows of one image.</summary>
    public int Height { get; }

    /// <summary>Columns of one image.</summary>
    public int Width { get; }

    /// <summary>Values per pixel: 1 for a rank-3 file (MNIST), the fourth dimension of a rank-4 file.</summary>
    public int Channels { get; }

    /// <summary>Bytes per image: <see cref="Height"/> × <see cref="Width"/> × <see cref="Channels"/>.</summary>
    public int SampleSize => Height * Width * Channels;

    /// <summary>The pixels as floats in [0, 1], each <c>value / 255f</c> exactly as Keras' <c>x.astype("float32") / 255</c>.</summary>
    public float[] ToScaledFloats()
    {
        var scaled = GC.AllocateUninitializedArray<float>(Pixels.Length);
        Scale(Pixels, scaled);
        return scaled;
    }

    /// <summary>Writes <c>source[i] / 255f</c> to <c>destination[i]</c>.</summary>
    internal static void Scale(ReadOnlySpan<byte> source, Span<float> destination)
    {
        // Vectorised widening and division; dividing (rather than multiplying by 1/255) keeps Keras' exact values.
        TensorPrimitives.ConvertChecked<byte, float>(source, destination);
        TensorPrimitives.Divide(destination, 255f, destination);
    }
}
