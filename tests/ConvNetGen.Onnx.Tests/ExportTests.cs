using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace ConvNetGen.Onnx.Tests;

public sealed class ExportTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly string _folder = Directory.CreateTempSubdirectory("convnetgen-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly Dictionary<string, Func<Model>> Zoo = new()
    {
        ["MnistConvNet"] = () => new global::Mnist.MnistConvNet(seed: 1),
        ["TransferNet"] = () => new FineTuning.TransferNet(seed: 2),
        ["PretrainNet"] = () => new FineTuning.PretrainNet(seed: 3),
        ["EveryLayerNet"] = () => new EveryLayerNet(seed: 4),
        ["ResidualNet"] = () => new ResidualNet(seed: 5),
        ["ConcatFlattenNet"] = () => new ConcatFlattenNet(seed: 6),
        ["SegmentationNet"] = () => new SegmentationNet(seed: 7),
        ["ImageOutputNet"] = () => new ImageOutputNet(seed: 8),
        ["VectorNet"] = () => new VectorNet(seed: 9),
        ["PaddedPoolsNet"] = () => new PaddedPoolsNet(seed: 10),
        ["AugmentedNet"] = () => new AugmentedNet(seed: 11),
    };

    public static TheoryData<string, OnnxLayout> Models()
    {
        var data = new TheoryData<string, OnnxLayout>();
        foreach (string name in Zoo.Keys)
        foreach (var layout in new[] { OnnxLayout.Nhwc, OnnxLayout.Nchw })
            data.Add(name, layout);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Matches_Predict_with_and_without_graph_optimisations_at_batch_1_and_5(string name, OnnxLayout layout)
    {
        var model = OnnxHarness.Randomised(Zoo[name](), seed: name.Length);
        string path = Path.Combine(_folder, $"{name}.onnx");
        model.ExportOnnx(path, layout);
        foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_ALL, GraphOptimizationLevel.ORT_DISABLE_ALL })
        foreach (int batch in new[] { 1, 5 })
        {
            double difference = OnnxHarness.Compare(model, path, layout, batch, level);
            output.WriteLine($"{name} {layout} {level} batch {batch}: max relative difference {difference:E2}");
            Assert.True(difference <= Tolerance, $"{name} {layout} {level} batch {batch}: max relative difference {difference:E3} > {Tolerance:E0}");
        }
    }

    [Fact]
    public void ResNet18_matches_Predict_at_batch_1()
    {
        var model = OnnxHarness.Randomised(new ResNet.ResNet18(seed: 18), seed: 18);
        string path = Path.Combine(_folder, "resnet18.onnx");
        model.ExportOnnx(path);
        Assert.True(new FileInfo(path).Length > 11_699_112L * 4, "every weight is in the file");
        double difference = OnnxHarness.Compare(model, path, OnnxLayout.Nhwc, 1, GraphOptimizationLevel.ORT_ENABLE_ALL);
        output.WriteLine($"ResNet18 batch 1: max relative difference {difference:E2}");
        // 20 convs deep (3×3 ones by Winograd in Predict, by other algorithms in ORT), random BatchNormalization
        // statistics and a 1000-way softmax: float32 rounding compounds to about 1e-4 here (8.4e-5 measured); a wrong
        // layer is 1e-2 or worse (see the negative control).
        Assert.True(difference <= 1e-3, $"max relative difference {difference:E3}");
    }

    [Fact]
    public void Declares_the_names_and_a_dynamic_batch()
    {
        var model = new global::Mnist.MnistConvNet(seed: 1);
        string nhwc = Path.Combine(_folder, "nhwc.onnx"), nchw = Path.Combine(_folder, "nchw.onnx");
        model.ExportOnnx(nhwc);
        model.ExportOnnx(nchw, OnnxLayout.Nchw);
        using (var session = new InferenceSession(nhwc))
        {
            var (inputName, input) = session.InputMetadata.Single();
            Assert.Equal("input_layer", inputName);
            Assert.Equal([-1, 28, 28, 1], input.Dimensions);
            Assert.Equal("batch", input.SymbolicDimensions[0]);
            var (outputName, outputMeta) = session.OutputMetadata.Single();
            Assert.Equal("dense", outputName);
            Assert.Equal([-1, 10], outputMeta.Dimensions);
        }
        using (var session = new InferenceSession(nchw))
            Assert.Equal([-1, 1, 28, 28], session.InputMetadata.Single().Value.Dimensions);
        using (var session = new InferenceSession(Path.Combine(_folder, Export(new ImageOutputNet(), "image.onnx", OnnxLayout.Nchw))))
        {
            Assert.Equal([-1, 3, 8, 8], session.InputMetadata.Single().Value.Dimensions);
            var (outputName, outputMeta) = session.OutputMetadata.Single();
            Assert.Equal("down", outputName);
            Assert.Equal([-1, 3, 4, 4], outputMeta.Dimensions);
        }
    }

    private string Export(Model model, string name, OnnxLayout layout)
    {
        model.ExportOnnx(Path.Combine(_folder, name), layout);
        return name;
    }

    [Fact]
    public void Replaces_an_existing_file_whole_and_leaves_no_temporary_file()
    {
        var model = OnnxHarness.Randomised(new global::Mnist.MnistConvNet(seed: 1), seed: 1);
        string path = Path.Combine(_folder, "model.onnx"), fresh = Path.Combine(_folder, "fresh", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(fresh)!);
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0xAB, 2_000_000).ToArray()); // longer than the export
        model.ExportOnnx(path);
        model.ExportOnnx(fresh);
        Assert.Equal(File.ReadAllBytes(fresh), File.ReadAllBytes(path));
        Assert.True(new FileInfo(path).Length < 2_000_000);
        Assert.Equal(["model.onnx"], Directory.GetFiles(_folder).Select(Path.GetFileName));
        Assert.True(OnnxHarness.Compare(model, path, OnnxLayout.Nhwc, 2, GraphOptimizationLevel.ORT_ENABLE_ALL) <= Tolerance);
    }

    [Fact]
    public void Export_is_deterministic()
    {
        var model = OnnxHarness.Randomised(new ResidualNet(seed: 3), seed: 3);
        string a = Path.Combine(_folder, "a.onnx"), b = Path.Combine(_folder, "b.onnx");
        model.ExportOnnx(a);
        model.ExportOnnx(b);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void A_corrupted_exported_weight_fails_the_comparison()
    {
        // Negative control: the comparison must notice one wrong weight in the file, or it proves nothing.
        var model = OnnxHarness.Randomised(new global::Mnist.MnistConvNet(seed: 1), seed: 1);
        string path = Path.Combine(_folder, "corrupt.onnx");
        model.ExportOnnx(path);
        Assert.True(OnnxHarness.Compare(model, path, OnnxLayout.Nhwc, 5, GraphOptimizationLevel.ORT_ENABLE_ALL) <= Tolerance);

        // dense/kernel is stored as it is, (inputs, units): find its bytes in the file and change one weight.
        var kernel = model.Weights("dense/kernel").ToArray();
        var bytes = File.ReadAllBytes(path);
        var pattern = System.Runtime.InteropServices.MemoryMarshal.AsBytes(kernel.AsSpan(0, 64)).ToArray();
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at > 0, "dense/kernel's raw data is in the file");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(pattern));
        int element = 3; // dense/kernel[0, 3]: feature 0 into class 3
        float corrupted = kernel[element] + 0.5f;
        BitConverter.TryWriteBytes(bytes.AsSpan(at + element * 4, 4), corrupted);
        File.WriteAllBytes(path, bytes);

        // Feature 0 is the conv output at (0, 0, channel 0), a ReLU: pick inputs where it is non-zero.
        double worst = 0;
        for (int seed = 0; seed < 5; seed++)
            worst = Math.Max(worst, OnnxHarness.Compare(model, path, OnnxLayout.Nhwc, 5, GraphOptimizationLevel.ORT_ENABLE_ALL, seed));
        output.WriteLine($"corrupted: max relative difference {worst:E2}");
        Assert.True(worst > 1e-2, $"the corrupted weight went unnoticed: max relative difference {worst:E3}");
    }

    [Fact]
    public async Task Exports_while_other_threads_predict()
    {
        var model = OnnxHarness.Randomised(new ResidualNet(seed: 4), seed: 4);
        var inputs = OnnxHarness.RandomInputs(model, 3, 1);
        var expected = OnnxHarness.Predict(model, inputs, 3);
        using var stop = new CancellationTokenSource();
        var predictors = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                Assert.Equal(expected, OnnxHarness.Predict(model, inputs, 3));
        })).ToArray();
        for (int i = 0; i < 10; i++)
            model.ExportOnnx(Path.Combine(_folder, $"concurrent{i}.onnx"));
        stop.Cancel();
        await Task.WhenAll(predictors);
        Assert.True(OnnxHarness.Compare(model, Path.Combine(_folder, "concurrent9.onnx"), OnnxLayout.Nhwc, 3, GraphOptimizationLevel.ORT_ENABLE_ALL) <= Tolerance);
    }

    [Fact]
    public void Refuses_an_unknown_layout_and_an_empty_path()
    {
        var model = new VectorNet();
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportOnnx(Path.Combine(_folder, "x.onnx"), (OnnxLayout)7));
        Assert.Throws<ArgumentException>(() => model.ExportOnnx(""));
        Assert.Throws<DirectoryNotFoundException>(() => model.ExportOnnx(Path.Combine(_folder, "missing", "x.onnx")));
        Assert.Empty(Directory.GetFiles(_folder));
    }
}
