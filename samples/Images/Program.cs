// Trains a small convnet on any folder of class subfolders (Keras' image_dataset_from_directory), streaming the files.
//   dotnet run -c Release --project samples/Images -- --data DIR [--size 64|128] [--epochs 3] [--batch-size 32] [--validation-split 0.2] [--seed 1337] [--crop]
//   dotnet run -c Release --project samples/Images -- export-fashion-mnist DIR [--count N]     (writes PNGs in class subfolders)
//   dotnet run -c Release --project samples/Images -- bench --data DIR [--size 64|128] [--count N] (pipeline vs training images/s, peak RSS)
using System.Diagnostics;
using ConvNetGen;
using Images;
using StbImageWriteSharp;

if (args.Length >= 2 && args[0] == "export-fashion-mnist")
    return Export(args[1], IntOption(args, "--count", int.MaxValue));
string? data = StringOption(args, "--data");
if (data is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
int side = IntOption(args, "--size", 64);
if (side is not (64 or 128))
{
    Console.Error.WriteLine($"--size must be 64 or 128 (the two models in ImageConvNet.cs), not {side}. {Usage}");
    return 2;
}
bool bench = args.Length > 0 && args[0] == "bench";
double split = double.Parse(StringOption(args, "--validation-split") ?? "0.2", System.Globalization.CultureInfo.InvariantCulture);
int seed = IntOption(args, "--seed", 1337);
ImageFolderDataset train, validation;
try
{
    (train, validation) = ImageFolder.LoadBoth(data, (side, side), validationSplit: split, seed: seed, cropToAspectRatio: args.Contains("--crop"));
}
catch (Exception e) when (e is ArgumentException or IOException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
Console.WriteLine($"Training on {train}; validating on {validation.Count:N0}.");
Model model = side == 128 ? new ImageConvNet128(seed: 42) : new ImageConvNet(seed: 42);
if (train.ClassNames.Count > model.Definition.OutputShape.ElementCount)
{
    Console.Error.WriteLine($"{train.ClassNames.Count} classes, but {model.GetType().Name} has {model.Definition.OutputShape.ElementCount} outputs: change [Dense({model.Definition.OutputShape.ElementCount})] in ImageConvNet.cs.");
    return 1;
}

model.Compile(new Adam(learningRate: 0.001f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
if (bench) return Bench(model, train, side, IntOption(args, "--count", 2000));

model.Fit(train, epochs: IntOption(args, "--epochs", 3), batchSize: IntOption(args, "--batch-size", 32), validation: validation);
var (loss, accuracy) = model.Evaluate(validation);
Console.WriteLine($"Validation accuracy: {accuracy:0.000} (loss {loss:0.0000}); bad files skipped: {train.Skipped + validation.Skipped}; peak RSS {PeakRssMiB():N0} MiB.");
return 0;

static int Bench(Model model, ImageFolderDataset train, int side, int count)
{
    count = Math.Min(count, train.Count);
    int size = side * side * 3;
    // 1. The pipeline alone: decode + resize, on one thread and on as many as Fit's readers (up to 3); a first pass
    // warms the JIT and the page cache so neither run measures the disk.
    var warm = new float[size];
    for (int i = 0; i < count; i++) train.Read(i, warm);
    foreach (int threads in new[] { 1, Math.Min(3, Environment.ProcessorCount) })
    {
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var image = new float[size];
            for (int i = t; i < count; i += threads) train.Read(i, image);
        });
        Console.WriteLine($"pipeline (decode + resize to {side}×{side}×3), {threads} thread(s): {count / watch.Elapsed.TotalSeconds:N0} images/s");
    }
    // 2. The training step alone: the same images preloaded, trained from memory.
    var x = new float[count * size];
    var y = new int[count];
    for (int i = 0; i < count; i++) y[i] = Math.Max(0, train.Read(i, x.AsSpan(i * size, size)));
    var memory = new ArrayDataset(x, y, side, side, 3, train.ClassNames);
    model.Fit(memory, epochs: 1, batchSize: 32, verbose: Verbosity.Silent); // warm-up
    var step = Stopwatch.StartNew();
    model.Fit(memory, epochs: 1, batchSize: 32, verbose: Verbosity.Silent);
    Console.WriteLine($"training step of {model.GetType().Name} with its augmentation (batch 32, {model.ThreadCount} threads), from memory: {count / step.Elapsed.TotalSeconds:N0} images/s");
    // 3. The augmentation alone: the kernels the Augmentation block's layers call per image (a flip, then a rotation
    // and a zoom, each a bilinear warp with reflect fill), on one thread.
    var flipped = new float[size];
    var rotated = new float[size];
    var augment = Stopwatch.StartNew();
    for (int i = 0; i < count; i++)
    {
        var image = x.AsSpan(i * size, size);
        float angle = 0.2f * MathF.PI * (i % 7 - 3) / 3f, cos = MathF.Cos(angle), sin = MathF.Sin(angle), c = (side - 1) / 2f, zoom = 0.9f + 0.2f * (i % 5) / 4f;
        ConvNetGen.Kernels.Augmentation.Flip(image, flipped, side, side, 3, horizontal: i % 2 == 0, vertical: false);
        ConvNetGen.Kernels.Augmentation.AffineWarp(flipped, rotated, side, side, 3, cos, -sin, c - c * cos + c * sin, sin, cos, c - c * sin - c * cos, FillMode.Reflect, 0f);
        ConvNetGen.Kernels.Augmentation.AffineWarp(rotated, flipped, side, side, 3, zoom, 0f, c * (1 - zoom), 0f, zoom, c * (1 - zoom), FillMode.Reflect, 0f);
    }
    Console.WriteLine($"augmentation alone (flip, rotation, zoom at {side}×{side}; one thread): {count / augment.Elapsed.TotalSeconds:N0} images/s");
    // 4. Streaming Fit from the files, the whole training set, one epoch, with the peak resident memory.
    var epoch = Stopwatch.StartNew();
    model.Fit(train, epochs: 1, batchSize: 32, verbose: Verbosity.OneLinePerEpoch);
    Console.WriteLine($"streaming Fit over {train.Count:N0} files: {train.Count / epoch.Elapsed.TotalSeconds:N0} images/s; " +
        $"decoded at {side}×{side}×3 floats they would take {(long)train.Count * size * 4 / (1 << 20):N0} MiB; peak RSS {PeakRssMiB():N0} MiB");
    return 0;
}

static int Export(string folder, int count)
{
    var (trainSet, _) = FashionMnist.Load();
    count = Math.Min(count, trainSet.Count);
    var writer = new ImageWriter();
    var pixels = new byte[28 * 28];
    var names = FashionMnist.ClassNames.Select(n => n.Replace('/', '_').Replace(' ', '_')).ToArray();
    foreach (var name in names) Directory.CreateDirectory(Path.Combine(folder, name));
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < count; i++)
    {
        var image = trainSet.Image(i);
        for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)MathF.Round(image[p] * 255f);
        using var file = File.Create(Path.Combine(folder, names[trainSet.Labels[i]], $"{i:D5}.png"));
        writer.WritePng(pixels, 28, 28, ColorComponents.Grey, file);
    }
    Console.WriteLine($"Wrote {count:N0} PNG files into {names.Length} class folders under {folder} in {watch.Elapsed.TotalSeconds:0.0} s.");
    return 0;
}

static string? StringOption(string[] args, string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static int IntOption(string[] args, string name, int fallback) =>
    StringOption(args, name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

static long PeakRssMiB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    return -1;
}

partial class Program
{
    private const string Usage = "usage: --data DIR [--size 64|128] [--epochs N] [--batch-size N] [--validation-split F] [--seed N] [--crop] | export-fashion-mnist DIR [--count N] | bench --data DIR [--size 64|128] [--count N]";
}
