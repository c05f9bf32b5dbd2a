using System.Security.Cryptography;
using ConvNetGen.Keras.Applications;

namespace ConvNetGen.Keras.Tests;

public sealed class ApplicationsTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void VggParameterCountsAreKeras()
    {
        Assert.Equal(138_357_544, VGG16.Architecture.ParameterCount);
        Assert.Equal(14_714_688, VGG16NoTop.Architecture.ParameterCount);
        Assert.Equal(143_667_240, VGG19.Architecture.ParameterCount);
        Assert.Equal(20_024_384, VGG19NoTop.Architecture.ParameterCount);
    }

    [Fact]
    public void VggLayerNamesAreKeras()
    {
        string[] vgg16 =
        [
            "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
            "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
            "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool", "flatten", "fc1", "fc2", "predictions",
        ];
        Assert.Equal(vgg16, VGG16.Architecture.Layers.Select(l => l.Name));
        Assert.Equal(vgg16[..18], VGG16NoTop.Architecture.Layers.Select(l => l.Name));
        Assert.Equal(25, VGG19.Architecture.Layers.Count); // 16 convolutions, 5 pools, flatten, 3 dense
        Assert.Equal("block5_conv4", VGG19NoTop.Architecture.Layers[^2].Name);
        Assert.Equal([25088, 4096], VGG16.Architecture["fc1"].Weights[0].Shape.ToArray());
    }

    [Fact]
    public void KerasPublishedAddressesAndHashesAreKept()
    {
        Assert.Equal("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", PretrainedWeights.VGG16NoTop.Url.ToString());
        Assert.Equal("6d6bbae143d832006294945121d1f1fc", PretrainedWeights.VGG16NoTop.Md5);
        Assert.Equal("64373286793e3c8b2b4e3219cbf3544b", PretrainedWeights.VGG16.Md5);
        Assert.Equal("cbe5617147190e668d6c5d5026f83318", PretrainedWeights.VGG19.Md5);
        Assert.Equal("253f8cb515780f3b799900260a226db6", PretrainedWeights.VGG19NoTop.Md5);
    }

    [Fact]
    public void AKerasApplicationsStyleVgg16NoTopFileLoadsIntoTheBase()
    {
        string path = _folder.File(PretrainedWeights.VGG16NoTop.FileName);
        var written = VggWeightsFile.Write(path, VGG16NoTop.Architecture, seed: 1);
        var model = new VGG16NoTop(seed: 2);
        var result = KerasWeights.Load(model, path);
        Assert.Equal(13, result.Loaded.Count);
        Assert.Equal(written["block5_conv3/kernel"], model.Weights("block5_conv3/kernel").ToArray());
        Assert.Equal(written["block1_conv1/bias"], model.Weights("block1_conv1/bias").ToArray());
    }

    [Fact]
    public void LocateTakesAnExplicitPathAsItIsAndRefusesAMissingOne()
    {
        string path = _folder.File("mine.h5");
        File.WriteAllText(path, "x");
        Assert.Equal(path, PretrainedWeights.VGG16NoTop.Locate(path));
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedWeights.VGG16NoTop.Locate(_folder.File("absent.h5")));
        Assert.Contains("storage.googleapis.com", e.Message);
    }

    [Fact]
    public void DownloadChecksTheMd5BeforeCaching()
    {
        byte[] content = [1, 2, 3, 4, 5];
        using var server = new ConvNetGen.Tests.Data.LoopbackFileServer(new() { ["w.h5"] = content });
        var right = new PretrainedWeights("w.h5", new Uri(server.BaseUrl + "w.h5"), Convert.ToHexStringLower(MD5.HashData(content)));
        using var http = new HttpClient();
        string cached = right.Download(http, _folder.File("cache"));
        Assert.Equal(content, File.ReadAllBytes(cached));

        var wrong = right with { FileName = "v.h5", Md5 = new string('0', 32) };
        var e = Assert.Throws<InvalidDataException>(() => wrong.Download(http, _folder.File("cache")));
        Assert.Contains("nothing was cached", e.Message);
        Assert.Equal(["w.h5"], Directory.GetFiles(_folder.File("cache")).Select(Path.GetFileName));
    }
}
