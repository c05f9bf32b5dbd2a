namespace ConvNetGen;

/// <summary>What an image file's header says, read before decoding so oversized images are refused cheaply.</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">Channels stored in the file (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA or CMYK).</param>
/// <param name="Format">The container, e.g. <c>png</c>, <c>jpeg</c>.</param>
public readonly record struct ImageHeader(int Width, int Height, int Channels, string Format);

/// <summary>
/// Decodes image files into 8-bit pixels for <see cref="ImageFolderDataset"/>. The core library stays free of
/// image codecs; ConvNetGen.Images implements this with StbImageSharp (<c>StbImageDecoder</c>).
/// </summary>
/// <remarks>Called from several threads at once; implementations must be thread-safe.</remarks>
public interface IImageDecoder
{
    /// <summary>Reads the header of the file held in <paramref name="file"/> without decoding its pixels.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image this decoder reads; the message says why.</exception>
    ImageHeader ReadHeader(ReadOnlySpan<byte> file);

    /// <summary>
    /// Decodes <paramref name="file"/> into <paramref name="channels"/> (1 or 3) interleaved 8-bit channels per pixel,
    /// row by row: grey images are repeated to RGB, colour images reduced to grey, alpha dropped, 16-bit samples
    /// reduced to 8, the first frame of an animation taken.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged or truncated, or of a kind the decoder refuses.</exception>
    (byte[] Pixels, int Width, int Height) Decode(byte[] file, int channels);
}
