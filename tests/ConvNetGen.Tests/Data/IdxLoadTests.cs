namespace ConvNetGen.Tests.Data;

public sealed class IdxLoadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_GzipFolder_GivesScaledTrainAndTestSets()
    {
        IdxTestFiles.WriteDataset(_folder.Path, trainCount: 12, testCount: 5, gzip: true);

        var (train, test) = Idx.Load(_folder.Path);

        Assert.Equal((12, 4, 3, 1, 12), (train.Count, train.Height, train.Width, train.Channels, train.SampleSize));
        Assert.Equal(5, test.Count);
        Assert.Equal(10, train.Classes);
        Assert.Equal(10, test.Classes); // the test set has labels 0–4 only, but both sets share the class count
        Assert.Equal(IdxTestFiles.LabelValues(12).Select(b => (int)b), train.Labels);
        byte[] pixels = IdxTestFiles.Pixels(12 * 12);
        Assert.Equal(pixels.Select(p => p / 255f), train.Images);
        Assert.Equal(pixels[12..24].Select(p => p / 255f), train.Image(1).ToArray());
    }

    [Fact]
    public void Load_PlainFilesNamedTest_AreFound()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: false, testPrefix: "test");

        var (train, test) = Idx.Load(_folder.Path);

        Assert.Equal(12, train.Count);
        Assert.Equal(5, test.Count);
    }

    [Fact]
    public void Load_KaggleDotNames_AreFound()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: false);
        foreach (string file in Directory.GetFiles(_folder.Path))
            File.Move(file, file.Replace("-idx", ".idx", StringComparison.Ordinal));

        Assert.Equal(12, Idx.Load(_folder.Path).Train.Count);
    }

    [Fact]
    public void Load_CountMismatch_NamesBothFiles()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: false);
        string labels = _folder.Combine("train-labels-idx1-ubyte");
        File.WriteAllBytes(labels, IdxTestFiles.Labels(11));

        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(_folder.Path));

        Assert.Contains("holds 12 images", e.Message);
        Assert.Contains("holds 11 labels", e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains(_folder.Combine("train-images-idx3-ubyte"), e.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesTheFileAndFolder()
    {
        IdxTestFiles.WriteDataset(_folder.Path);
        File.Delete(_folder.Combine("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<FileNotFoundException>(() => Idx.Load(_folder.Path));

        Assert.Contains("No test labels file in " + _folder.Path, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte or test-labels-idx1-ubyte", e.Message);
        Assert.Equal(_folder.Combine("t10k-labels-idx1-ubyte"), e.FileName);
    }

    [Fact]
    public void Load_MissingFolder_Throws()
    {
        string missing = _folder.Combine("nowhere");

        var e = Assert.Throws<DirectoryNotFoundException>(() => Idx.Load(missing));

        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Load_TrainAndTestOfDifferentSizes_IsRejected()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: false);
        File.WriteAllBytes(_folder.Combine("t10k-images-idx3-ubyte"), IdxTestFiles.Images(5, 3, 4));

        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(_folder.Path));

        Assert.Contains("are 4×3×1 but the test images", e.Message);
    }

    [Fact]
    public void ReadDataset_PairsOneImageFileWithItsLabels()
    {
        IdxTestFiles.WriteDataset(_folder.Path, gzip: true);

        var set = Idx.ReadDataset(_folder.Combine("t10k-images-idx3-ubyte.gz"), _folder.Combine("t10k-labels-idx1-ubyte.gz"));

        Assert.Equal(5, set.Count);
        Assert.Equal(5, set.Classes);
    }
}
