using ConvNetGen.Import.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace ConvNetGen.Import.Tests;

/// <summary>The committed ResNet18Block included at 128×128 (not the ONNX file's 224), against ONNX Runtime running the same file at 128×128.</summary>
[ConvNetGen.Input(128, 128, 3)]
[ConvNetGen.Include(typeof(PretrainedFineTuning.ResNet18Block))]
public partial class ResNet18At128;

public sealed class BlockAtOtherSizeTests(ITestOutputHelper output)
{
    const int Size = 128, Images = 4, Features = 512;

    [Fact]
    public void The_block_at_128_gives_ONNX_Runtimes_features_of_the_same_graph_at_128()
    {
        using var directory = new TempDirectory();
        var onnx = OnnxModel.Load(TestPaths.ResNet18Onnx);
        var (_, weights) = Importer.Import(onnx, "ResNet18Block", "PretrainedFineTuning", "ResNet18.onnx", block: true).Write(directory.Path);
        var model = new ResNet18At128();
        Assert.Equal(44, model.LoadWeights(weights, byName: true).Count);

        // The same graph with its input declared 128×128 (its pads are fixed numbers, valid at any multiple of 32).
        var input = onnx.Graph.Inputs.Single(i => onnx.Graph.Initializers.All(t => t.Name != i.Name));
        input.Shape[2] = Size;
        input.Shape[3] = Size;
        onnx.Graph.ValueInfo.Clear();
        // Its final 7×7 AveragePool is a whole-map average at 224, imported as GlobalAveragePooling2D: at 128 the map is 4×4.
        var pool = onnx.Graph.Nodes.Single(node => node.OpType == "AveragePool").Attributes.Single(a => a.Name == "kernel_shape");
        Assert.Equal([7L, 7L], pool.Ints);
        pool.Ints[0] = pool.Ints[1] = Size / 32;
        using var session = new InferenceSession(onnx.ToBytes());

        // Fashion-MNIST test images ×4 (nearest) with an 8-pixel black border, 0–255 minus 115, as the sample feeds them.
        string folder = FashionMnist.Locate();
        var images = Idx.ReadImages(new[] { "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte" }.Select(f => Path.Combine(folder, f)).First(File.Exists));
        float maxRelative = 0, maxAbsolute = 0, largest = 0;
        for (int n = 0; n < Images; n++)
        {
            var nchw = new float[3 * Size * Size];
            var nhwc = new float[3 * Size * Size];
            for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                int iy = y - 8, ix = x - 8;
                float gray = iy is >= 0 and < 112 && ix is >= 0 and < 112 ? images.Pixels[n * 784 + iy / 4 * 28 + ix / 4] : 0f;
                for (int c = 0; c < 3; c++)
                {
                    nchw[(c * Size + y) * Size + x] = gray - 115f;
                    nhwc[(y * Size + x) * 3 + c] = gray - 115f;
                }
            }
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(nchw, [1, 3, Size, Size]))]);
            float[] reference = results.Single().AsEnumerable<float>().ToArray();
            float[] ours = model.Predict(nhwc);
            Assert.Equal(Features, reference.Length);
            Assert.Equal(Features, ours.Length);
            for (int i = 0; i < Features; i++)
            {
                float difference = MathF.Abs(ours[i] - reference[i]);
                maxAbsolute = MathF.Max(maxAbsolute, difference);
                largest = MathF.Max(largest, MathF.Abs(reference[i]));
                maxRelative = MathF.Max(maxRelative, difference / MathF.Max(MathF.Abs(reference[i]), 1e-2f));
            }
        }
        output.WriteLine($"{Images} images × {Features} features at {Size}×{Size}: max relative difference {maxRelative:E3}, max absolute {maxAbsolute:E3}, largest feature {largest:F3}");
        // Measured 1.7e-4 relative (2.6e-5 absolute, features up to 17.9; 6.4e-5 at 224): float32 rounding over 20 convs,
        // averaged over a 4×4 map rather than 7×7. A padding or a pooling off by one row would differ by far more.
        Assert.True(maxRelative <= 1e-3f, $"max relative difference {maxRelative:E3} > 1E-3");
    }
}
