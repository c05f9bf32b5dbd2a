namespace ConvNetGen;

/// <summary>
/// Keras' <c>image_dataset_from_directory</c>: <see cref="ImageFolderDataset"/> with the StbImageSharp decoder.
/// </summary>
/// <example>
/// <code>
/// var (train, val) = ImageFolder.LoadBoth("photos", imageSize: (64, 64), validationSplit: 0.2, seed: 1337);
/// model.Fit(train, epochs: 10, validation: val);
/// </code>
/// </example>
public static class ImageFolder
{
    /// <summary>Loads <paramref name="directory"/> (one subfolder per class) as images of <paramref name="imageSize"/> (height, width).</summary>
    /// <param name="directory">The folder of class subfolders.</param>
    /// <param name="imageSize">(height, width) to resize to.</param>
    /// <param name="colorMode">RGB (3 channels) or grey (1).</param>
    /// <param name="validationSplit">The fraction held out; 0 for none.</param>
    /// <param name="subset">Which side of the split (required with one).</param>
    /// <param name="seed">The shuffle's seed (required with a split, as in Keras).</param>
    /// <param name="shuffle">Shuffle the file list as Keras does.</param>
    /// <param name="cropToAspectRatio">Centre-crop to the target's aspect ratio before resizing.</param>
    /// <param name="badFiles">Skip bad files with a warning, or throw.</param>
    /// <param name="followLinks">Descend into symlinked folders.</param>
    public static ImageFolderDataset Load(string directory, (int Height, int Width) imageSize, ColorMode colorMode = ColorMode.Rgb,
        double validationSplit = 0, Subset subset = Subset.All, int? seed = null, bool shuffle = true, bool cropToAspectRatio = false,
        BadFileHandling badFiles = BadFileHandling.Skip, bool followLinks = false) =>
        ImageFolderDataset.Load(directory, imageSize, StbImageDecoder.Shared, new ImageFolderOptions
        {
            ColorMode = colorMode, ValidationSplit = validationSplit, Subset = subset, Seed = seed, Shuffle = shuffle,
            CropToAspectRatio = cropToAspectRatio, BadFiles = badFiles, FollowLinks = followLinks,
        });

    /// <summary>Keras' <c>subset="both"</c>: the training and validation sides of one shuffle and split.</summary>
    public static (ImageFolderDataset Training, ImageFolderDataset Validation) LoadBoth(string directory, (int Height, int Width) imageSize,
        double validationSplit, int seed, ColorMode colorMode = ColorMode.Rgb, bool cropToAspectRatio = false,
        BadFileHandling badFiles = BadFileHandling.Skip, bool followLinks = false) =>
        ImageFolderDataset.LoadBoth(directory, imageSize, StbImageDecoder.Shared, new ImageFolderOptions
        {
            ColorMode = colorMode, ValidationSplit = validationSplit, Seed = seed, CropToAspectRatio = cropToAspectRatio,
            BadFiles = badFiles, FollowLinks = followLinks,
        });
}
