using System.Diagnostics;
using Xunit.Abstractions;

namespace ConvNetGen.Tests.Data;

/// <summary>Loads the real Fashion-MNIST from Debian's dataset-fashion-mnist, where it is installed.</summary>
public sealed class FashionMnistRealDataTests(ITestOutputHelper output)
{
    private const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void DebianFiles_LoadCompletely_AndQuickly()
    {
        if (!Directory.Exists(DebianFolder))
        {
            output.WriteLine($"Skipped: {DebianFolder} is absent (apt-get install dataset-fashion-mnist).");
            return;
        }

        var clock = Stopwatch.StartNew();
        var (train, test) = Idx.Load(DebianFolder);
        output.WriteLine($"Loaded {train} and {test} in {clock.ElapsedMilliseconds} ms.");

        Assert.Equal((60_000, 28, 28, 1, 10), (train.Count, train.Height, train.Width, train.Channels, train.Classes));
        Assert.Equal((10_000, 28, 28, 1, 10), (test.Count, test.Height, test.Width, test.Channels, test.Classes));
        Assert.Equal(60_000 * 784, train.Images.Length);
        Assert.All(new[] { train, test }, set =>
        {
            Assert.InRange(set.Labels.Min(), 0, 0);
            Assert.InRange(set.Labels.Max(), 9, 9);
            Assert.Equal(0f, set.Images.Min());
            Assert.Equal(1f, set.Images.Max());
        });
        // Fashion-MNIST is balanced: 6,000 training images per class.
        Assert.All(train.Labels.GroupBy(l => l), g => Assert.Equal(6_000, g.Count()));
        Assert.Equal(9, train.Labels[0]); // the first training image is an ankle boot
    }

    [Fact]
    public void Locator_FindsTheDebianFolder_WithoutDownloading()
    {
        if (!Directory.Exists(DebianFolder))
        {
            output.WriteLine($"Skipped: {DebianFolder} is absent.");
            return;
        }
        using var home = new TempFolder();
        var locator = new DatasetLocator(environmentFolder: null, home.Path, "/usr/share/datasets", downloader: null);

        Assert.Equal(DebianFolder, locator.Locate(DatasetCatalog.FashionMnist, explicitFolder: null));
    }
}
