// Fine-tuning as in the Keras notebook: pretrain a base on Fashion-MNIST classes 0–4, then on classes 5–9 with
// ~1,000 images compare (a) training from scratch, (b) the pretrained base frozen under a new head, and (c) the top
// conv block unfrozen (its BatchNormalization stays frozen) at a low learning rate.
//   dotnet run -c Release --project samples/FineTuning -- [--data DIR] [--train-size 1000] [--pretrain-epochs 3]
// With --weights PATH (a keras.applications VGG16 notop .h5, or any Keras file with VGG16's layer names) the recipe
// runs on VGG16's base instead of a pretrained one of our own:
//   dotnet run -c Release --project samples/FineTuning -- --weights vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5
using System.Diagnostics;
using ConvNetGen;
using FineTuning;

string? dataDir = null, weights = null;
int trainSize = 1000, pretrainEpochs = 3;
int? headEpochsOption = null, fineTuneEpochsOption = null, testSizeOption = null;
const string Usage = "Usage: FineTuning [--data DIR] [--train-size 1000] [--pretrain-epochs 3] [--head-epochs N] [--fine-tune-epochs N] [--test-size N] [--weights VGG16_NOTOP.h5]";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data": dataDir = args[++i]; break;
        case "--train-size": trainSize = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--pretrain-epochs": pretrainEpochs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--head-epochs": headEpochsOption = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--fine-tune-epochs": fineTuneEpochsOption = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--test-size": testSizeOption = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--weights": weights = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. {Usage}");
            return 2;
    }
}

(Dataset Train, Dataset Test) data;
try
{
    data = dataDir is null ? FashionMnist.Load() : Idx.Load(dataDir);
}
catch (Exception e) when (e is DatasetNotFoundException or InvalidDataException or IOException or InsufficientMemoryException)
{
    Console.Error.WriteLine(e.Message); // says what is wrong with which file, and what to do
    return 1;
}
var (train, test) = data;
var sourceTrain = train.Where(label => label < 5);
var targetTrain = train.Where(label => label >= 5).SelectLabels(label => label - 5, classes: 5).Take(trainSize);
var targetTest = test.Where(label => label >= 5).SelectLabels(label => label - 5, classes: 5);
if (weights is null && testSizeOption is int testSize) targetTest = targetTest.Take(testSize);
string baseWeights = Path.Combine(Path.GetTempPath(), "convnetgen-finetuning-base.safetensors");

// VGG16 is ~0.6 GFLOP an image even at 32×32, so its defaults are fewer epochs and test images than the small base's.
int headEpochs = headEpochsOption ?? (weights is null ? 15 : 3);
int fineTuneEpochs = fineTuneEpochsOption ?? (weights is null ? 10 : 2);
if (weights is not null)
{
    try
    {
        return Vgg16Recipe.Run(weights, targetTrain, targetTest.Take(testSizeOption ?? 500), headEpochs, fineTuneEpochs);
    }
    catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(e.Message); // names the file, the layer and the variable
        return 1;
    }
}

// 1. Pretrain the base (with a 5-class head) on classes 0–4 and save its weights.
Console.WriteLine($"Pretraining on {sourceTrain.Count:N0} images of classes 0–4 …");
var pretrain = new PretrainNet(seed: 1);
pretrain.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
pretrain.Fit(sourceTrain.Images, sourceTrain.Labels, epochs: pretrainEpochs, batchSize: 64, verbose: Verbosity.OneLinePerEpoch);
pretrain.SaveWeights(baseWeights);
Console.WriteLine($"Saved the pretrained weights to {baseWeights}");

Console.WriteLine($"Target task: classes 5–9, {targetTrain.Count:N0} training images, {targetTest.Count:N0} test images.");

// (a) The same network trained from scratch on the small set.
var scratch = new TransferNet(seed: 2);
scratch.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
scratch.Fit(targetTrain.Images, targetTrain.Labels, epochs: headEpochs + fineTuneEpochs, batchSize: 32, verbose: Verbosity.Silent);
float scratchAccuracy = scratch.Evaluate(targetTest.Images, targetTest.Labels).Accuracy;

// (b) The pretrained base, frozen, under a new head.
var transfer = new TransferNet(seed: 2);
var loaded = transfer.LoadWeights(baseWeights, byName: true);
Console.WriteLine($"Loaded pretrained layers: {string.Join(", ", loaded)}");
foreach (var layer in transfer.Layers.Where(l => loaded.Contains(l.Name))) layer.Trainable = false;
transfer.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
Console.WriteLine(transfer.GetSummary());
transfer.Fit(targetTrain.Images, targetTrain.Labels, epochs: headEpochs, batchSize: 32, verbose: Verbosity.Silent);
float frozenAccuracy = transfer.Evaluate(targetTest.Images, targetTest.Labels).Accuracy;

// (c) Unfreeze the top conv block, but never its BatchNormalization, and train on at a low learning rate.
transfer["block3_conv"].Trainable = true;
transfer.Compile(new RMSprop(1e-4f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
transfer.Fit(targetTrain.Images, targetTrain.Labels, epochs: fineTuneEpochs, batchSize: 32, verbose: Verbosity.Silent);
float fineTunedAccuracy = transfer.Evaluate(targetTest.Images, targetTest.Labels).Accuracy;

Console.WriteLine($"(a) from scratch: test accuracy {scratchAccuracy:0.000}");
Console.WriteLine($"(b) frozen pretrained base + new head: test accuracy {frozenAccuracy:0.000}");
Console.WriteLine($"(c) top block fine-tuned, BatchNormalization frozen: test accuracy {fineTunedAccuracy:0.000}");

// What freezing saves: a frozen base computes no weight gradients and no input gradients below the head.
var batch = targetTrain.Take(32);
double StepMs(TransferNet model)
{
    for (int i = 0; i < 5; i++) model.TrainOnBatch(batch.Images, batch.Labels);
    var times = new List<double>();
    for (int i = 0; i < 30; i++)
    {
        long start = Stopwatch.GetTimestamp();
        model.TrainOnBatch(batch.Images, batch.Labels);
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}
double frozenStep = StepMs(transfer.WithBaseFrozen(loaded, frozen: true));
double fullStep = StepMs(transfer.WithBaseFrozen(loaded, frozen: false));
Console.WriteLine($"Training step, batch 32: {frozenStep:0.00} ms with the base frozen, {fullStep:0.00} ms with everything trainable ({fullStep / frozenStep:0.0}× faster frozen)");
return 0;

static class Freezing
{
    /// <summary>Freezes or unfreezes the named layers and recompiles with a fresh optimizer.</summary>
    public static TransferNet WithBaseFrozen(this TransferNet model, IEnumerable<string> layers, bool frozen)
    {
        foreach (var name in layers) model[name].Trainable = !frozen;
        model.Compile(new RMSprop(1e-5f), Losses.SparseCategoricalCrossentropy);
        return model;
    }
}
