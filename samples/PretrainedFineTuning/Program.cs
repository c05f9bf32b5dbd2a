// Keras' fine-tuning recipe on a real ImageNet base: the CNTK ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18,
// imported as a [Block] so it runs at another size, on Fashion-MNIST upscaled to 112×112×3 with an 8-pixel black
// border to 128×128 (112 itself does not fit the ONNX file's fixed pads; see Models.cs). Compares (a) a small network
// from scratch, (b) the frozen base under a new Dense head, (c) the top residual stage unfrozen (its
// BatchNormalization kept frozen) at learning rate 1e-5, and times a training step frozen and unfrozen.
//   dotnet run -c Release --project samples/PretrainedFineTuning -- [--weights PATH] [--train 1000] [--test 300]
//       [--epochs 2] [--head-epochs 2] [--batch 32] [--cache-features]
// --epochs is each phase's epochs; --head-epochs (default: --epochs) only phase (b)'s, cheap with --cache-features.
using System.Diagnostics;
using System.Globalization;
using ConvNetGen;
using ConvNetGen.Import;
using ConvNetGen.Import.Onnx;
using PretrainedFineTuning;

const string Usage = "usage: PretrainedFineTuning [--weights PATH] [--train N] [--test N] [--epochs E] [--head-epochs H] [--batch B] [--cache-features] [--data DIR]";
string? weights = null, dataDir = null;
int trainSize = 1000, testSize = 300, epochs = 2, batchSize = 32, headEpochs = -1;
bool cacheFeatures = false;
for (int i = 0; i < args.Length; i++)
{
    int Int() => int.Parse(args[++i], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--weights": weights = args[++i]; break;
        case "--train": trainSize = Int(); break;
        case "--test": testSize = Int(); break;
        case "--epochs": epochs = Int(); break;
        case "--head-epochs": headEpochs = Int(); break;
        case "--batch": batchSize = Int(); break;
        case "--cache-features": cacheFeatures = true; break;
        case "--data": dataDir = args[++i]; break; // a folder of your own images, once image folders exist (issue 12)
        default:
            Console.Error.WriteLine($"unknown option '{args[i]}'\n{Usage}");
            return 2;
    }
}
if (dataDir is not null)
{
    Console.Error.WriteLine($"--data {dataDir}: a folder of your own images is not supported yet (it needs image folders, issue 12); " +
        "this sample runs on Fashion-MNIST only.");
    return 2;
}
if (headEpochs < 0) headEpochs = epochs;
var total = Stopwatch.StartNew();

// The weights: the importer's .safetensors, or the importer run here on the package's ResNet18.onnx.
string packageModels = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(
    Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
    "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels");
string onnx = Path.Combine(packageModels, "ResNet18Onnx", "ResNet18.onnx");
if (weights is null)
{
    string folder = Path.Combine(Path.GetTempPath(), "convnetgen-resnet18block");
    weights = Path.Combine(folder, "ResNet18Block.safetensors");
    if (!File.Exists(weights))
    {
        if (!File.Exists(onnx))
        {
            Console.Error.WriteLine($"""
                No --weights given and no {onnx}.
                Restore the package (dotnet restore tests/ConvNetGen.Import.Tests references it), then run
                  dotnet run -c Release --project tools/ConvNetGen.Import -- import {onnx} --class ResNet18Block --namespace PretrainedFineTuning --out DIR --block
                and pass --weights DIR/ResNet18Block.safetensors.
                """);
            return 1;
        }
        Console.WriteLine($"Importing {onnx} into {folder} …");
        int code = Cli.Run(["import", onnx, "--class", "ResNet18Block", "--namespace", "PretrainedFineTuning", "--out", folder, "--block"], Console.Out, Console.Error);
        if (code != 0) return code;
    }
}

// The mean the base expects subtracted: ResNetPreprocess.onnx's mean image (BGR, 224×224), averaged per channel.
float[] mean = ChannelMeans(Path.Combine(packageModels, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
Console.WriteLine($"Per-channel mean subtracted (B, G, R): {string.Join(", ", mean.Select(m => m.ToString("0.00", CultureInfo.InvariantCulture)))}");

// Fashion-MNIST, balanced over the 10 classes, 28×28 gray upscaled ×4 (nearest) to 112×112, with an 8-pixel black
// border (Fashion-MNIST's background) to 128×128, copied to 3 channels.
var (train, test) = FashionMnist.Load();
var (trainX, trainY) = Prepare(train, trainSize, mean);
var (testX, testY) = Prepare(test, testSize, mean);
Console.WriteLine($"{trainY.Length} training and {testY.Length} test images at 128×128×3 (112×112 + border), {epochs} epoch(s) per phase ({headEpochs} for the head), batch {batchSize}, {Environment.ProcessorCount} threads");

// (a) A small network from scratch on the same images and epochs.
var scratch = new ScratchNet(seed: 1);
scratch.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
var scratchSteps = Train(scratch, trainX, trainY, epochs, batchSize, seed: 1);
float scratchAccuracy = scratch.Evaluate(testX, testY).Accuracy;
Console.WriteLine($"(a) from scratch: test accuracy {scratchAccuracy:0.000} (step {Median(scratchSteps):0} ms)");

// (b) The pretrained base, every layer frozen, under the new head.
var model = new FashionResNet(seed: 2);
var loaded = model.LoadWeights(weights, byName: true);
Console.WriteLine($"Loaded {loaded.Count} pretrained layers from {weights}");
foreach (var layer in model.Layers) layer.Trainable = layer.Name == "head";
model.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
List<double> frozenSteps;
float frozenAccuracy;
double featureSeconds = 0;
if (cacheFeatures)
{
    // With the base and its BatchNormalization frozen, an image's 512 features never change: compute them once and
    // train the head alone on them, then put the head's weights into the full model.
    var features = new ResNet18Features();
    features.LoadWeights(weights, byName: true);
    var clock = Stopwatch.StartNew();
    float[] trainF = new float[trainY.Length * 512], testF = new float[testY.Length * 512];
    features.Predict(trainX, trainF);
    features.Predict(testX, testF);
    featureSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"Features of {trainY.Length + testY.Length} images computed once in {featureSeconds:0.0} s");
    var head = new FeatureHead(seed: 2);
    head.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
    frozenSteps = Train(head, trainF, trainY, headEpochs, batchSize, seed: 2);
    frozenAccuracy = head.Evaluate(testF, testY).Accuracy;
    head["head"].Weights("kernel").CopyTo(model["head"].Weights("kernel"));
    head["head"].Weights("bias").CopyTo(model["head"].Weights("bias"));
    // The same head on the full model gives the same probabilities (a check, on a few test images).
    float[] viaModel = new float[4 * 10], viaHead = new float[4 * 10];
    model.Predict(testX.AsSpan(0, 4 * 128 * 128 * 3), viaModel);
    head.Predict(testF.AsSpan(0, 4 * 512), viaHead);
    Console.WriteLine($"Head on cached features vs full model, 4 test images: largest difference {viaModel.Zip(viaHead, (p, q) => Math.Abs(p - q)).Max():G3}");
}
else
{
    frozenSteps = Train(model, trainX, trainY, headEpochs, batchSize, seed: 2);
    frozenAccuracy = model.Evaluate(testX, testY).Accuracy;
}
Console.WriteLine($"(b) frozen ImageNet base + new head: test accuracy {frozenAccuracy:0.000} (median step {Median(frozenSteps):0.0} ms{(cacheFeatures ? ", head on cached features" : "")})");

// (c) Unfreeze the top residual stage (everything after relu347, the last stage's input), BatchNormalization excepted.
int top = model.Layers.ToList().FindIndex(l => l.Name == "relu347") + 1;
var unfrozen = model.Layers.Skip(top).Where(l => l.Info.Kind != LayerKind.BatchNormalization).ToList();
foreach (var layer in unfrozen) layer.Trainable = true;
Console.WriteLine($"Unfrozen: {string.Join(", ", unfrozen.Where(l => l.Info.ParameterCount > 0).Select(l => l.Name))}");
model.Compile(new RMSprop(1e-5f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
var unfrozenSteps = Train(model, trainX, trainY, epochs, batchSize, seed: 3);
float fineTunedAccuracy = model.Evaluate(testX, testY).Accuracy;
Console.WriteLine($"(c) top stage fine-tuned at 1e-5, BatchNormalization frozen: test accuracy {fineTunedAccuracy:0.000} (median step {Median(unfrozenSteps):0} ms)");

// A training step on the full model with the whole base frozen (backward only through the head), for comparison.
foreach (var layer in model.Layers) layer.Trainable = layer.Name == "head";
model.Compile(new RMSprop(1e-5f), Losses.SparseCategoricalCrossentropy);
var wholeFrozen = Train(model, trainX, trainY, epochs: 1, batchSize, seed: 4, maxSteps: 6).Skip(1).ToList();

Console.WriteLine();
Console.WriteLine($"(a) from scratch                 {scratchAccuracy:0.000}");
Console.WriteLine($"(b) frozen base + head           {frozenAccuracy:0.000}{(cacheFeatures ? " (head trained on cached features)" : "")}");
Console.WriteLine($"(c) top stage fine-tuned         {fineTunedAccuracy:0.000}");
Console.WriteLine($"Training step, batch {batchSize}, median: whole base frozen {Median(wholeFrozen):0} ms (full model, {wholeFrozen.Count} steps), " +
    $"top stage unfrozen {Median(unfrozenSteps):0} ms ({unfrozenSteps.Count} steps), scratch net {Median(scratchSteps):0} ms" +
    (cacheFeatures ? $", head on cached features {Median(frozenSteps):0.00} ms (features once: {featureSeconds:0.0} s)" : ""));
Console.WriteLine($"Total {total.Elapsed.TotalSeconds:0} s");
return 0;

// Trains with TrainOnBatch over a seeded permutation per epoch; returns every full batch's step time in ms.
static List<double> Train(Model model, float[] x, int[] y, int epochs, int batchSize, int seed, int maxSteps = int.MaxValue)
{
    int sampleSize = x.Length / y.Length;
    var random = new Random(seed);
    var order = Enumerable.Range(0, y.Length).ToArray();
    var batchX = new float[batchSize * sampleSize];
    var batchY = new int[batchSize];
    var times = new List<double>();
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        random.Shuffle(order);
        double loss = 0;
        int steps = 0;
        for (int start = 0; start + batchSize <= order.Length && times.Count < maxSteps; start += batchSize, steps++)
        {
            for (int i = 0; i < batchSize; i++)
            {
                x.AsSpan(order[start + i] * sampleSize, sampleSize).CopyTo(batchX.AsSpan(i * sampleSize));
                batchY[i] = y[order[start + i]];
            }
            long t = Stopwatch.GetTimestamp();
            loss += model.TrainOnBatch(batchX, batchY);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        if (maxSteps == int.MaxValue)
            Console.WriteLine($"  {model.GetType().Name} epoch {epoch + 1}/{epochs}: {steps} steps, mean loss {loss / Math.Max(steps, 1):0.0000}, {times.Skip(times.Count - steps).Sum() / 1000:0.0} s");
    }
    return times;
}

static double Median(List<double> values)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// The first count / 10 images of each class, as 128×128×3 at 0–255 minus the per-channel mean (gray: B = G = R).
static (float[] X, int[] Y) Prepare(Dataset data, int count, float[] mean)
{
    const int Size = 128, Content = 112, Border = (Size - Content) / 2, Scale = Content / 28;
    int perClass = count / 10;
    var picked = new List<int>();
    var taken = new int[10];
    for (int i = 0; i < data.Count && picked.Count < perClass * 10; i++)
        if (taken[data.Labels[i]] < perClass) { taken[data.Labels[i]]++; picked.Add(i); }
    var x = new float[picked.Count * Size * Size * 3];
    var y = new int[picked.Count];
    for (int n = 0; n < picked.Count; n++)
    {
        var image = data.Image(picked[n]);
        y[n] = data.Labels[picked[n]];
        int o = n * Size * Size * 3;
        for (int r = 0; r < Size; r++)
        for (int c = 0; c < Size; c++, o += 3)
        {
            int ir = r - Border, ic = c - Border;
            float gray = ir is >= 0 and < Content && ic is >= 0 and < Content ? image[ir / Scale * 28 + ic / Scale] * 255f : 0f;
            for (int ch = 0; ch < 3; ch++) x[o + ch] = gray - mean[ch];
        }
    }
    return (x, y);
}

static float[] ChannelMeans(string preprocess)
{
    // Measured from the package's ResNetPreprocess.onnx (0.23.1), used when that file is not there.
    float[] fallback = [103.06f, 115.90f, 123.15f];
    if (!File.Exists(preprocess)) return fallback;
    var image = OnnxModel.Load(preprocess).Graph.Initializers.Single(t => t.Name == "MeanImage").FloatData;
    int plane = image.Length / 3;
    return [.. Enumerable.Range(0, 3).Select(c => (float)image.AsSpan(c * plane, plane).ToArray().Average(v => (double)v))];
}
