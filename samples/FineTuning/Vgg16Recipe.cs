using ConvNetGen;
using ConvNetGen.Keras;
using ConvNetGen.Keras.Applications;

namespace FineTuning;

/// <summary>
/// The recipe on keras.applications' VGG16 base from a Keras weights file (the seed's
/// <c>VGG16(weights="imagenet", include_top=False)</c>): (a) from scratch, (b) the frozen base under a new head,
/// (c) the top block (block5) unfrozen at a low learning rate.
/// </summary>
internal static class Vgg16Recipe
{
    /// <summary>ImageNet's per-channel means in BGR order, which Keras' vgg16.preprocess_input subtracts ("caffe" mode).</summary>
    private static readonly float[] MeanBgr = [103.939f, 116.779f, 123.68f];

    public static int Run(string weightsPath, Dataset targetTrain, Dataset targetTest, int headEpochs, int fineTuneEpochs)
    {
        string path = PretrainedWeights.VGG16NoTop.Locate(weightsPath);
        var train = ToVggInput(targetTrain);
        var test = ToVggInput(targetTest);
        Console.WriteLine($"VGG16 base from {path}; {train.Count:N0} training images, {test.Count:N0} test images at 32×32×3.");

        // (a) The same network from scratch.
        var scratch = new Vgg16TransferNet(seed: 2);
        scratch.Compile(new RMSprop(1e-4f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        scratch.Fit(train.Images, train.Labels, epochs: headEpochs + fineTuneEpochs, batchSize: 32, verbose: Verbosity.OneLinePerEpoch);
        float scratchAccuracy = scratch.Evaluate(test.Images, test.Labels).Accuracy;

        // (b) The Keras base, frozen, under a new head.
        var transfer = new Vgg16TransferNet(seed: 2);
        var loaded = KerasWeights.Load(transfer, path, new KerasLoadOptions(ByName: true));
        Console.WriteLine($"Loaded {loaded.Format} layers: {string.Join(", ", loaded.Loaded)}");
        foreach (var name in loaded.Loaded) transfer[name].Trainable = false;
        transfer.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        Console.WriteLine(transfer.GetSummary());
        transfer.Fit(train.Images, train.Labels, epochs: headEpochs, batchSize: 32, verbose: Verbosity.OneLinePerEpoch);
        float frozenAccuracy = transfer.Evaluate(test.Images, test.Labels).Accuracy;

        // (c) Unfreeze the top block and train on at a low learning rate, as Keras' transfer-learning guide does.
        foreach (var name in new[] { "block5_conv1", "block5_conv2", "block5_conv3" }) transfer[name].Trainable = true;
        transfer.Compile(new RMSprop(1e-5f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        transfer.Fit(train.Images, train.Labels, epochs: fineTuneEpochs, batchSize: 32, verbose: Verbosity.OneLinePerEpoch);
        float fineTunedAccuracy = transfer.Evaluate(test.Images, test.Labels).Accuracy;

        Console.WriteLine($"(a) from scratch: test accuracy {scratchAccuracy:0.000}");
        Console.WriteLine($"(b) frozen VGG16 base + new head: test accuracy {frozenAccuracy:0.000}");
        Console.WriteLine($"(c) block5 fine-tuned: test accuracy {fineTunedAccuracy:0.000}");
        return 0;
    }

    /// <summary>
    /// 28×28 grayscale in [0, 1] → 32×32×3 as VGG16 takes it: a 2-pixel black border, the gray value copied to the three
    /// channels at 0–255, minus ImageNet's BGR means (Keras' vgg16.preprocess_input).
    /// </summary>
    private static Dataset ToVggInput(Dataset data)
    {
        const int size = 32, border = 2;
        var images = new float[data.Count * size * size * 3];
        for (int n = 0; n < data.Count; n++)
        {
            var image = data.Image(n);
            var output = images.AsSpan(n * size * size * 3, size * size * 3);
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sy = y - border, sx = x - border;
                float gray = sy is >= 0 and < 28 && sx is >= 0 and < 28 ? image[sy * 28 + sx] * 255f : 0f;
                for (int c = 0; c < 3; c++) output[(y * size + x) * 3 + c] = gray - MeanBgr[c];
            }
        }
        return new Dataset(images, data.Labels, size, size, 3, data.Classes);
    }
}
