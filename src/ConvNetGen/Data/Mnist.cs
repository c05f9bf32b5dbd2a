namespace ConvNetGen;

/// <summary>
/// The MNIST handwritten digits: 60,000 training and 10,000 test images of 28×28 grey pixels, labels 0–9.
/// </summary>
public static class Mnist
{
    /// <summary>The class names: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>
    /// Loads MNIST with pixels scaled to [0, 1], from the first place that has it: <paramref name="dataDirectory"/>
    /// (or its <c>mnist</c> subfolder), the folder in <c>CONVNETGEN_DATA</c> (or its <c>mnist</c> subfolder),
    /// <c>~/.convnetgen/datasets/mnist</c>, <c>/usr/share/datasets/mnist</c>; else downloads it into that cache
    /// from TensorFlow's mirror, checking SHA-256 sums.
    /// </summary>
    /// <param name="dataDirectory">A folder to look in first, e.g. the samples' <c>--data DIR</c>; null to skip it.</param>
    /// <exception cref="DatasetNotFoundException">MNIST is nowhere and could not be downloaded; the message says how to get it.</exception>
    /// <exception cref="InvalidDataException">A file is damaged, or a download arrived with the wrong SHA-256.</exception>
    public static (Dataset Train, Dataset Test) Load(string? dataDirectory = null) =>
        DatasetLocator.CreateDefault().Load(DatasetCatalog.Mnist, dataDirectory);

    /// <summary>The folder <see cref="Load"/> reads MNIST from, downloading the files first if no folder has them.</summary>
    /// <param name="dataDirectory">A folder to look in first; null to skip it.</param>
    /// <exception cref="DatasetNotFoundException">MNIST is nowhere and could not be downloaded.</exception>
    public static string Locate(string? dataDirectory = null) =>
        DatasetLocator.CreateDefault().Locate(DatasetCatalog.Mnist, dataDirectory);
}
