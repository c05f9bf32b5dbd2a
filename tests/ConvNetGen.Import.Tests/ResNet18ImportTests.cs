using ConvNetGen.Import.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pretrained;
using Xunit.Abstractions;

namespace ConvNetGen.Import.Tests;

/// <summary>Imports the CNTK ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 and checks it against ONNX Runtime.</summary>
public sealed class ResNet18ImportTests(ITestOutputHelper output, ResNet18ImportTests.Fixture fixture) : IClassFixture<ResNet18ImportTests.Fixture>
{
    const int Images = 8;
    const int Features = 512;
    // Features are averages of ReLUs, many near 0: below this magnitude the difference is taken as absolute.
    const float Floor = 1e-2f;
    // The 56×56 and 28×28 stages' 3×3 convs run Winograd F(4×4, 3×3), whose transforms round a little more than a
    // direct conv (1.4e-4 at the floor, an absolute 1.7e-5 against features up to 15, when this was set).
    const float Tolerance = 3e-4f;

    /// <summary>One import and ONNX Runtime's reference features, shared by the tests.</summary>
    public sealed class Fixture : IDisposable
    {
        readonly TempDirectory _directory = new();
        public ImportResult Import { get; }
        public string Weights { get; }
        public string Code { get; }
        public float[][] Inputs { get; }     // preprocessed, NCHW, as ResNet18.onnx reads them
        public float[][] Reference { get; }  // ONNX Runtime's 512 features per image

        public Fixture()
        {
            Import = Importer.Import(OnnxModel.Load(TestPaths.ResNet18Onnx), "ResNet18Base", "Pretrained", "ResNet18.onnx");
            (Code, Weights) = Import.Write(_directory.Path);
            Inputs = PreprocessedImages();
            using var session = new InferenceSession(TestPaths.ResNet18Onnx);
            Reference = Inputs.Select(x => Run(session, "Input247", x)).ToArray();
        }

        public void Dispose() => _directory.Dispose();

        // Fashion-MNIST test images, 28×28 gray, upscaled ×8 (nearest) to 224×224 and copied to three channels at
        // 0–255, then put through ResNetPreprocess.onnx (RGB → BGR, minus the mean image) by ONNX Runtime itself.
        static float[][] PreprocessedImages()
        {
            string folder = FashionMnist.Locate();
            string file = new[] { "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte" }.Select(f => Path.Combine(folder, f)).First(File.Exists);
            var images = Idx.ReadImages(file);
            using var preprocess = new InferenceSession(TestPaths.PreprocessOnnx);
            var result = new float[Images][];
            for (int n = 0; n < Images; n++)
            {
                var raw = new float[3 * 224 * 224];
                for (int c = 0; c < 3; c++)
                for (int y = 0; y < 224; y++)
                for (int x = 0; x < 224; x++)
                    raw[(c * 224 + y) * 224 + x] = images.Pixels[n * 784 + y / 8 * 28 + x / 8];
                result[n] = Run(preprocess, "OriginalInput", raw);
            }
            return result;
        }

        static float[] Run(InferenceSession session, string input, float[] nchw)
        {
            var tensor = new DenseTensor<float>(nchw, [1, 3, 224, 224]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
            return results.Single().AsEnumerable<float>().ToArray();
        }
    }

    readonly Fixture _fixture = fixture;

    static float[] ToNhwc(float[] nchw)
    {
        var nhwc = new float[nchw.Length];
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < 224 * 224; i++)
            nhwc[i * 3 + c] = nchw[c * 224 * 224 + i];
        return nhwc;
    }

    (float MaxRelative, float MaxAbsolute) Compare(ResNet18Base model, float floor = Floor)
    {
        float maxRelative = 0, maxAbsolute = 0;
        for (int n = 0; n < Images; n++)
        {
            float[] ours = model.Predict(ToNhwc(_fixture.Inputs[n]));
            float[] reference = _fixture.Reference[n];
            Assert.Equal(Features, ours.Length);
            Assert.Equal(Features, reference.Length);
            for (int i = 0; i < Features; i++)
            {
                float difference = MathF.Abs(ours[i] - reference[i]);
                maxAbsolute = MathF.Max(maxAbsolute, difference);
                maxRelative = MathF.Max(maxRelative, difference / MathF.Max(MathF.Abs(reference[i]), floor));
            }
        }
        return (maxRelative, maxAbsolute);
    }

    [Fact]
    public void Imported_weights_give_ONNX_Runtimes_features_on_Fashion_MNIST()
    {
        var model = new ResNet18Base();
        model.LoadWeights(_fixture.Weights);
        var (relative, absolute) = Compare(model);
        float largest = _fixture.Reference.Max(r => r.Max(MathF.Abs));
        int zeros = _fixture.Reference.Sum(r => r.Count(f => f == 0));
        output.WriteLine($"{Images} images × {Features} features: max relative difference {relative:E3} (floor {Floor}), max absolute {absolute:E3}, largest feature {largest:F3}, {zeros} features exactly 0");
        foreach (float floor in new[] { 1e-3f, 1e-1f, 1f })
            output.WriteLine($"  with floor {floor}: max relative {Compare(model, floor).MaxRelative:E3}");
        Assert.True(relative <= Tolerance, $"max relative difference {relative:E3} > {Tolerance:E0}");
    }

    [Fact]
    public void Two_input_channels_of_one_kernel_swapped_fail_the_comparison()
    {
        // The first conv reads three equal (gray) channels, so swapping there changes nothing: swap in the second.
        var layer = _fixture.Import.Layers.Single(l => l.Name == "convolution257");
        var (_, shape, values) = layer.Weights.Single(w => w.Name == "kernel");
        var original = (float[])values.Clone();
        int inputs = shape[2], filters = shape[3];
        try
        {
            for (int k = 0; k < shape[0] * shape[1]; k++)
            for (int o = 0; o < filters; o++)
                (values[(k * inputs + 0) * filters + o], values[(k * inputs + 1) * filters + o]) =
                    (values[(k * inputs + 1) * filters + o], values[(k * inputs + 0) * filters + o]);
            using var directory = new TempDirectory();
            string path = Path.Combine(directory.Path, "swapped.safetensors");
            File.WriteAllBytes(path, _fixture.Import.SafeTensors());
            var model = new ResNet18Base();
            model.LoadWeights(path);
            var (relative, _) = Compare(model);
            output.WriteLine($"swapped input channels 0 and 1 of convolution257/kernel: max relative difference {relative:E3}");
            Assert.True(relative > 100 * Tolerance, $"the comparison should fail, but the max relative difference is {relative:E3}");
        }
        finally
        {
            original.CopyTo(values, 0);
        }
    }

    [Fact]
    public void Importing_again_reproduces_the_committed_class_byte_for_byte()
    {
        byte[] committed = File.ReadAllBytes(TestPaths.CommittedClass);
        byte[] imported = File.ReadAllBytes(_fixture.Code);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(committed), System.Text.Encoding.UTF8.GetString(imported));
        Assert.Equal(committed, imported);
    }

    [Fact]
    public void The_file_loads_strictly_and_matches_the_architecture()
    {
        var model = new ResNet18Base();
        var loaded = model.LoadWeights(_fixture.Weights);
        Assert.Equal(_fixture.Import.Layers.Count(l => l.Weights.Count > 0), loaded.Count);
        Assert.Equal(_fixture.Import.ParameterCount, ResNet18Base.Architecture.Layers.Sum(l => l.Weights.Sum(w => (long)w.Length)));
    }
}
