namespace ConvNetGen.Images.Tests;

public sealed class ImageFolderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Classes b, a, c (created out of order) with 5, 3 and 4 images of mixed formats and sizes.</summary>
    private string ThreeClasses()
    {
        int n = 0;
        foreach (var (name, count) in new[] { ("b", 5), ("a", 3), ("c", 4) })
        {
            string folder = _dir.Sub("data", name);
            for (int i = 0; i < count; i++, n++)
            {
                int w = 8 + n, h = 6 + n % 3;
                var pixels = TestImages.Pixels(w, h, 3, (y, x, c) => (y * 31 + x * 7 + c * 50 + n) & 255);
                switch (i % 3)
                {
                    case 0: TestImages.Png(Path.Combine(folder, $"img{i}.png"), w, h, 3, pixels); break;
                    case 1: TestImages.Jpeg(Path.Combine(folder, $"img{i}.JPG"), w, h, 3, pixels); break;
                    default: TestImages.Bmp(Path.Combine(folder, $"img{i}.bmp"), w, h, 3, pixels); break;
                }
            }
        }
        File.WriteAllText(Path.Combine(_dir.Path, "data", "a", "notes.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "data", ".hidden"));
        TestImages.Solid(Path.Combine(_dir.Path, "data", ".hidden", "x.png"), 4, 4, 1, 2, 3);
        File.WriteAllText(Path.Combine(_dir.Path, "data", "loose.png"), "files at the top are not in a class");
        return Path.Combine(_dir.Path, "data");
    }

    private static ImageFolderOptions Quiet => new() { WarningOutput = TextWriter.Null };

    [Fact]
    public void Classes_are_sorted_subfolders_and_labels_follow_them()
    {
        var data = ImageFolderDataset.Load(ThreeClasses(), (8, 8), StbImageDecoder.Shared, Quiet with { Shuffle = false });
        Assert.Equal(["a", "b", "c"], data.ClassNames);
        Assert.Equal(12, data.Count);
        Assert.Equal([.. Enumerable.Repeat(0, 3), .. Enumerable.Repeat(1, 5), .. Enumerable.Repeat(2, 4)], data.Labels);
        Assert.All(data.FilePaths.Zip(data.Labels), p => Assert.Equal(data.ClassNames[p.Second], Path.GetFileName(Path.GetDirectoryName(p.First))));
        Assert.Equal("img0.png", Path.GetFileName(data.FilePaths[0]));
        Assert.Equal("img1.JPG", Path.GetFileName(data.FilePaths[1])); // extensions in any case, names sorted
    }

    [Fact]
    public void Shuffle_is_numpy_RandomState_seed_over_the_sorted_list_then_split_as_Keras()
    {
        string root = ThreeClasses();
        var sorted = ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, Quiet with { Shuffle = false });
        var expected = sorted.FilePaths.ToList();
        new NumpyRandomState(1337).Shuffle(expected);

        var options = Quiet with { ValidationSplit = 0.25, Seed = 1337 };
        var (train, val) = ImageFolderDataset.LoadBoth(root, (8, 8), StbImageDecoder.Shared, options);
        // Keras: int(0.25 × 12) = 3 validation files, the last 3 of the shuffled list.
        Assert.Equal(expected.Take(9), train.FilePaths);
        Assert.Equal(expected.Skip(9), val.FilePaths);
        Assert.Empty(train.FilePaths.Intersect(val.FilePaths));
        Assert.All(train.FilePaths.Zip(train.Labels), p => Assert.Equal(train.ClassNames[p.Second], Path.GetFileName(Path.GetDirectoryName(p.First))));

        var again = ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, options with { Subset = Subset.Training });
        Assert.Equal(train.FilePaths, again.FilePaths);
        var other = ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, options with { Subset = Subset.Training, Seed = 7 });
        Assert.NotEqual(train.FilePaths, other.FilePaths);
    }

    [Fact]
    public void Keras_argument_rules_are_enforced()
    {
        string root = ThreeClasses();
        Assert.Throws<ArgumentException>(() => ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, Quiet with { ValidationSplit = 0.2 }));
        Assert.Throws<ArgumentException>(() => ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, Quiet with { Subset = Subset.Training }));
        var e = Assert.Throws<ArgumentException>(() => ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, Quiet with { ValidationSplit = 0.2, Subset = Subset.Training }));
        Assert.Contains("Seed", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolderDataset.Load(root, (8, 8), StbImageDecoder.Shared, Quiet with { ValidationSplit = 1.5, Subset = Subset.Training, Seed = 1 }));
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(Path.Combine(root, "nope"), (8, 8)));
    }

    [Fact]
    public void Images_are_decoded_resized_and_in_0_255_like_Keras()
    {
        string folder = _dir.Sub("solid", "red");
        TestImages.Solid(Path.Combine(folder, "r.png"), 10, 20, 200, 10, 0);
        var pixels = TestImages.Pixels(4, 2, 1, (y, x, _) => x * 60 + y);
        TestImages.Png(Path.Combine(folder, "s.png"), 4, 2, 1, pixels);
        var data = ImageFolder.Load(Path.Combine(_dir.Path, "solid"), (5, 5), shuffle: false);
        var image = new float[5 * 5 * 3];
        Assert.Equal(0, data.Read(0, image));
        for (int i = 0; i < 25; i++) Assert.Equal([200f, 10f, 0f], image.AsSpan(i * 3, 3).ToArray());

        // Grey file, read as grey, at its own size: exact pixels.
        var grey = ImageFolder.Load(Path.Combine(_dir.Path, "solid"), (2, 4), colorMode: ColorMode.Grayscale, shuffle: false);
        var g = new float[8];
        grey.Read(1, g);
        Assert.Equal(pixels.Select(p => (float)p), g);
        // The same grey file read as RGB repeats the channel.
        var rgb = ImageFolder.Load(Path.Combine(_dir.Path, "solid"), (2, 4), shuffle: false);
        var c = new float[24];
        rgb.Read(1, c);
        Assert.Equal(pixels.SelectMany(p => new float[] { p, p, p }), c);
    }

    [Fact]
    public void Crop_to_aspect_ratio_takes_the_centre()
    {
        string folder = _dir.Sub("wide", "x");
        // 4 rows × 12 columns; columns 4–7 (the centre square) are 100, the rest 0.
        TestImages.Png(Path.Combine(folder, "w.png"), 12, 4, 1, TestImages.Pixels(12, 4, 1, (_, x, _) => x is >= 4 and < 8 ? 100 : 0));
        var data = ImageFolder.Load(Path.Combine(_dir.Path, "wide"), (4, 4), colorMode: ColorMode.Grayscale, cropToAspectRatio: true);
        var image = new float[16];
        data.Read(0, image);
        Assert.All(image, v => Assert.Equal(100f, v));
        var squeezed = ImageFolder.Load(Path.Combine(_dir.Path, "wide"), (4, 4), colorMode: ColorMode.Grayscale);
        squeezed.Read(0, image);
        Assert.Contains(image, v => v < 100f);
    }

    [Fact]
    public void Alpha_and_16_bit_pngs_are_converted()
    {
        string folder = _dir.Sub("kinds", "k");
        TestImages.Png(Path.Combine(folder, "rgba.png"), 3, 3, 4, TestImages.Pixels(3, 3, 4, (_, _, c) => c == 3 ? 0 : 90));
        // 16-bit grey, 2×1: samples 0x1234 and 0xABCD → 8-bit 0x12 and 0xAB.
        File.WriteAllBytes(Path.Combine(folder, "sixteen.png"), TestImages.HandPng(2, 1, 16, 0, [[0x12, 0x34, 0xAB, 0xCD]]));
        var data = ImageFolder.Load(Path.Combine(_dir.Path, "kinds"), (1, 2), colorMode: ColorMode.Grayscale, shuffle: false, badFiles: BadFileHandling.Throw);
        var image = new float[2];
        data.Read(1, image);
        Assert.Equal([0x12, 0xAB], image.Select(v => (int)v));
        data.Read(0, image);
        Assert.All(image, v => Assert.Equal(90f, v, 1f)); // alpha dropped, colour kept
    }

    [Fact]
    public void Bad_files_are_skipped_with_a_warning_each_and_counted()
    {
        string folder = _dir.Sub("bad", "mixed");
        TestImages.Solid(Path.Combine(folder, "good1.png"), 6, 6, 1, 2, 3);
        TestImages.Solid(Path.Combine(folder, "good2.png"), 6, 6, 1, 2, 3);
        File.WriteAllBytes(Path.Combine(folder, "empty.png"), []);
        File.WriteAllText(Path.Combine(folder, "text.jpg"), "this is not a JPEG at all, just words");
        var whole = File.ReadAllBytes(Path.Combine(folder, "good1.png"));
        File.WriteAllBytes(Path.Combine(folder, "truncated.png"), whole[..(whole.Length / 2)]);
        var jpeg = new MemoryStream();
        TestImages.Jpeg(Path.Combine(folder, "ok.jpg"), 16, 16, 3, TestImages.Pixels(16, 16, 3, (y, x, c) => y * 16 + x));
        var jpegBytes = File.ReadAllBytes(Path.Combine(folder, "ok.jpg"));
        File.WriteAllBytes(Path.Combine(folder, "truncated.jpg"), jpegBytes[..20]);
        var garbage = new byte[500];
        new Random(1).NextBytes(garbage);
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }.CopyTo(garbage, 0); // a PNG signature and then noise
        File.WriteAllBytes(Path.Combine(folder, "noise.png"), garbage);
        // A decompression bomb: the header says 100,000 × 100,000 (10^10 pixels), the data is one tiny row.
        File.WriteAllBytes(Path.Combine(folder, "bomb.png"), TestImages.HandPng(100_000, 100_000, 8, 0, [new byte[16]]));

        var warnings = new StringWriter();
        var data = ImageFolderDataset.Load(Path.Combine(_dir.Path, "bad"), (4, 4), StbImageDecoder.Shared, new ImageFolderOptions { Shuffle = false, WarningOutput = warnings });
        var events = new List<string>();
        data.Warning += (path, _) => { lock (events) events.Add(Path.GetFileName(path)); };
        Assert.Equal(9, data.Count);
        var image = new float[4 * 4 * 3];
        var read = Enumerable.Range(0, data.Count).Where(i => data.Read(i, image) >= 0).Select(i => Path.GetFileName(data.FilePaths[i])).ToArray();
        Assert.Equal(["good1.png", "good2.png", "ok.jpg"], read);
        Assert.Equal(6, data.Skipped);
        Assert.Equal(["bomb.png", "empty.png", "noise.png", "text.jpg", "truncated.jpg", "truncated.png"], events.Order());
        Assert.Contains("MaxPixels", data.BadFiles.Single(b => b.Key.EndsWith("bomb.png")).Value);
        Assert.Contains("empty", data.BadFiles.Single(b => b.Key.EndsWith("empty.png")).Value);
        Assert.Contains("bomb.png", warnings.ToString());

        // A second pass warns no more, but counts again (the progress line shows skips per epoch).
        for (int i = 0; i < data.Count; i++) data.Read(i, image);
        Assert.Equal(12, data.Skipped);
        Assert.Equal(6, events.Count);
    }

    [Fact]
    public void Throw_mode_names_the_file()
    {
        string folder = _dir.Sub("strict", "c");
        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [1, 2, 3]);
        var data = ImageFolder.Load(Path.Combine(_dir.Path, "strict"), (4, 4), badFiles: BadFileHandling.Throw);
        var e = Assert.Throws<InvalidDataException>(() => data.Read(0, new float[48]));
        Assert.Contains(Path.Combine(folder, "broken.png"), e.Message);
    }

    [Fact]
    public void Empty_classes_warn_and_keep_their_label_folders_without_images_or_classes_are_clear_errors()
    {
        string root = Path.Combine(_dir.Path, "e");
        TestImages.Solid(Path.Combine(_dir.Sub("e", "a"), "1.png"), 4, 4, 0, 0, 0);
        _dir.Sub("e", "b"); // empty
        File.WriteAllText(Path.Combine(_dir.Sub("e", "c"), "readme.md"), "no images here");
        TestImages.Solid(Path.Combine(_dir.Sub("e", "d"), "1.png"), 4, 4, 0, 0, 0);
        var data = ImageFolderDataset.Load(root, (4, 4), StbImageDecoder.Shared, Quiet);
        Assert.Equal(["a", "b", "c", "d"], data.ClassNames);
        Assert.Equal([0, 3], data.Labels.Order());
        Assert.Equal(2, data.IndexWarnings.Count(w => w.Contains("holds no images")));

        string none = _dir.Sub("none");
        File.WriteAllText(Path.Combine(none, "x.png"), "x");
        Assert.Contains("no class subfolders", Assert.Throws<ArgumentException>(() => ImageFolder.Load(none, (4, 4))).Message);
        _dir.Sub("noimages", "a");
        Assert.Contains("No images found", Assert.Throws<ArgumentException>(() => ImageFolder.Load(Path.Combine(_dir.Path, "noimages"), (4, 4))).Message);
    }

    [Fact]
    public void Nested_folders_are_indexed_and_symlink_loops_do_not_hang()
    {
        string a = _dir.Sub("links", "a");
        TestImages.Solid(Path.Combine(a, "1.png"), 4, 4, 0, 0, 0);
        string nested = _dir.Sub("links", "a", "deeper");
        TestImages.Solid(Path.Combine(nested, "2.png"), 4, 4, 0, 0, 0);
        Directory.CreateSymbolicLink(Path.Combine(nested, "loop"), a); // a/deeper/loop → a
        string root = Path.Combine(_dir.Path, "links");

        var plain = ImageFolderDataset.Load(root, (4, 4), StbImageDecoder.Shared, Quiet with { Shuffle = false });
        Assert.Equal(["1.png", "2.png"], plain.FilePaths.Select(Path.GetFileName));

        var followed = ImageFolderDataset.Load(root, (4, 4), StbImageDecoder.Shared, Quiet with { Shuffle = false, FollowLinks = true });
        Assert.Equal(2, followed.Count);
        Assert.Contains(followed.IndexWarnings, w => w.Contains("symlink loop"));
    }
}
