namespace ConvNetGen.Tests.Data;

/// <summary>
/// The public entry points with a data folder given: it is searched first, so these tests need neither the
/// network nor anything in the real home folder.
/// </summary>
public sealed class PublicLoadersTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void MnistLoad_ReadsTheGivenFolder()
    {
        IdxTestFiles.WriteDataset(_data.Path, trainCount: 9, testCount: 4);

        var (train, test) = Mnist.Load(dataDirectory: _data.Path);

        Assert.Equal((9, 4), (train.Count, test.Count));
        Assert.Equal(_data.Path, Mnist.Locate(_data.Path));
    }

    [Fact]
    public void FashionMnistLoad_PrefersTheDatasetsSubfolder()
    {
        IdxTestFiles.WriteDataset(_data.Path, trainCount: 9);
        IdxTestFiles.WriteDataset(_data.Combine("fashion-mnist"), trainCount: 7);

        var (train, _) = FashionMnist.Load(_data.Path);

        Assert.Equal(7, train.Count);
    }

    [Fact]
    public void ClassNames_AreTen()
    {
        Assert.Equal(10, Mnist.ClassNames.Count);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }
}
