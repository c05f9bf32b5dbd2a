namespace ConvNetGen;

/// <summary>
/// Zalando's Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28×28 grey pixels, 10 classes;
/// a drop-in replacement for MNIST that is harder to learn.
/// </summary>
public static class FashionMnist
{
    /// <summary>The names of classes 0–9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads Fashion-MNIST with pixels scaled to [0, 1], from the first place that has it: <paramref name="dataDirectory"/>
    /// (or its <c>fashion-mnist</c> subfolder), the folder in <c>CONVNETGEN_DATA</c> (or its <c>fashion-mnist</c>
    /// subfolder), <c>~/.convnetgen/datasets/fashion-mnist</c>, <c>/usr/share/datasets/fashion-mnist</c> (Debian's
    /// dataset-fashion-mnist); else downloads it into that cache from the mirror Keras uses, checking SHA-256 sums.
    /// </summary>
    /// <param name="dataDirectory">A folder to look in first, e.g. the samples' <c>--data DIR</c>; null to skip it.</param>
    /// <exception cref="DatasetNotFoundException">Fashion-MNIST is nowhere and could not be downloaded; the message says how to get it.</exception>
    /// <exception cref="InvalidDataException">A file is damaged, or a download arrived with the wrong SHA-256.</exception>
    public static (Dataset Train, Dataset Test) Load(string? dataDirectory = null) =>
        DatasetLocator.CreateDefault().Load(DatasetCatalog.FashionMnist, dataDirectory);

    /// <summary>The folder <see cref="Load"/> reads Fashion-MNIST from, downloading the files first if no folder has them.</summary>
    /// <param name="dataDirectory">A folder to look in first; null to skip it.</param>
    /// <exception cref="DatasetNotFoundException">Fashion-MNIST is nowhere and could not be downloaded.</exception>
    public static string Locate(string? dataDirectory = null) =>
        DatasetLocator.CreateDefault().Locate(DatasetCatalog.FashionMnist, dataDirectory);
}
