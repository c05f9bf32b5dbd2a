using ResNet;

namespace ConvNetGen.Tests.Graphs;

/// <summary>
/// torchvision's ResNet18 as the sample declares it (samples/ResNet/ResNet18.cs): torchvision's parameter counts and
/// names, and it constructs, predicts and trains at batch 1 and 8.
/// </summary>
public class ResNet18Tests
{
    [Fact]
    public void Counts_its_parameters_as_torchvision_and_Keras_do()
    {
        var architecture = ResNet18.Architecture;
        Assert.Equal(11_699_112, architecture.ParameterCount);
        Assert.Equal(11_689_512, architecture.TrainableParameterCount); // torchvision's sum(p.numel() for p in parameters())
        Assert.Equal(9_600, architecture.NonTrainableParameterCount);   // 4,800 BatchNormalization channels × 2 moving statistics
        Assert.Contains(" Total params: 11,699,112 (44.63 MB)\n Trainable params: 11,689,512 (44.59 MB)\n Non-trainable params: 9,600 (37.50 KB)", ResNet18.Summary);
        Assert.Contains("Connected to", ResNet18.Summary);

        // 20 convolutions (17 3×3, 3 projections) + the 7×7 stem, 20 batch normalizations, 8 additions.
        Assert.Equal(20, architecture.Layers.Count(l => l.Kind == LayerKind.Conv2D));
        Assert.Equal(20, architecture.Layers.Count(l => l.Kind == LayerKind.BatchNormalization));
        Assert.Equal(8, architecture.Layers.Count(l => l.Kind == LayerKind.Add));
        Assert.Equal(new TensorShape(3, 3, 128, 128), architecture["layer2_1/conv1"].Weights[0].Shape);
        Assert.Equal(new TensorShape(1, 1, 256, 512), architecture["layer4_0/downsample_0"].Weights[0].Shape);
        // The identity shortcut of layer1_1 reads layer1_0's output by the include's name.
        var add = architecture["layer1_1/add"];
        Assert.Equal(["layer1_1/bn2", "layer1_0/relu2"], add.InputIndices.Select(i => architecture.Layers[i].Name));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Predicts_and_trains_a_step(int batch)
    {
        var model = new ResNet18(seed: 3);
        model.Compile(new SGD(learningRate: 0.01f), new SparseCategoricalCrossentropy());
        var random = new Random(batch);
        var images = new float[batch * ResNet18.Shapes.InputSize];
        for (int i = 0; i < images.Length; i++) images[i] = random.NextSingle();
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(1000)).ToArray();

        var before = new float[batch * 1000];
        model.Predict(images, before);
        for (int b = 0; b < batch; b++)
        {
            var row = before.AsSpan(b * 1000, 1000);
            Assert.All(row.ToArray(), p => Assert.True(p >= 0 && p <= 1 && float.IsFinite(p)));
            Assert.Equal(1.0, row.ToArray().Sum(p => (double)p), 3);
        }

        var kernel = model.Weights("layer4_1/conv2/kernel").ToArray();
        float loss = model.TrainOnBatch(images, labels);
        Assert.True(float.IsFinite(loss) && loss > 0, $"loss {loss}");
        Assert.False(kernel.AsSpan().SequenceEqual(model.Weights("layer4_1/conv2/kernel")), "the last block's kernel did not change");

        var after = new float[batch * 1000];
        model.Predict(images, after);
        Assert.All(after, p => Assert.True(float.IsFinite(p)));
    }
}
