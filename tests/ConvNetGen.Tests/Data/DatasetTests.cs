namespace ConvNetGen.Tests.Data;

public sealed class DatasetTests
{
    /// <summary>Six 2×1 samples; sample i holds (i, i + 0.5) and has label i mod 3, out of 4 classes.</summary>
    private static Dataset Six() => new(
        [.. Enumerable.Range(0, 6).SelectMany(i => new[] { i, i + 0.5f })],
        [0, 1, 2, 0, 1, 2], height: 2, width: 1, channels: 1, classes: 4);

    [Fact]
    public void Properties_DescribeTheSamples()
    {
        var set = Six();

        Assert.Equal((6, 2, 1, 1, 2, 4), (set.Count, set.Height, set.Width, set.Channels, set.SampleSize, set.Classes));
        Assert.Equal([3f, 3.5f], set.Image(3).ToArray());
        Assert.Equal("6 samples of 2×1×1, 4 classes", set.ToString());
    }

    [Fact]
    public void Classes_DefaultsToLargestLabelPlusOne()
    {
        Assert.Equal(3, new Dataset(new float[2], [2, 0], 1, 1).Classes);
    }

    [Fact]
    public void Constructor_RejectsInconsistentArguments()
    {
        Assert.Throws<ArgumentException>(() => new Dataset(new float[5], [0, 1], 1, 3));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[2], [0, -1], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[2], [0, 5], 1, 1, classes: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[2], [0, 1], 0, 1));
    }

    [Fact]
    public void Image_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Six().Image(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Six().Image(-1));
    }

    [Fact]
    public void TakeAndSkip_CopyTheRightSamples()
    {
        var set = Six();

        var head = set.Take(2);
        var tail = set.Skip(4);

        Assert.Equal([0f, 0.5f, 1f, 1.5f], head.Images);
        Assert.Equal([0, 1], head.Labels);
        Assert.Equal([4f, 4.5f, 5f, 5.5f], tail.Images);
        Assert.Equal(4, tail.Classes);
        Assert.Equal(6, set.Take(100).Count);
        Assert.Equal(0, set.Skip(100).Count);
        head.Images[0] = 42;
        Assert.Equal(0f, set.Images[0]);
    }

    [Fact]
    public void Where_KeepsMatchingLabelsAndTheClassCount()
    {
        var twos = Six().Where(label => label == 2);

        Assert.Equal([2f, 2.5f, 5f, 5.5f], twos.Images);
        Assert.Equal([2, 2], twos.Labels);
        Assert.Equal(4, twos.Classes);
    }

    [Fact]
    public void SelectLabels_RemapsForFineTuning()
    {
        var upper = Six().Where(label => label >= 1).SelectLabels(label => label - 1);

        Assert.Equal([0, 1, 0, 1], upper.Labels);
        Assert.Equal(2, upper.Classes);
        Assert.Equal(5, Six().SelectLabels(label => label, classes: 5).Classes);
    }

    [Fact]
    public void Deconstruct_GivesImagesAndLabels()
    {
        var set = Six();

        var (images, labels) = set;

        Assert.Same(set.Images, images);
        Assert.Same(set.Labels, labels);
    }
}
