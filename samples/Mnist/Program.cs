// The Keras MNIST convnet notebook, in C#: summary, training with progress, test accuracy.
//   dotnet run -c Release --project samples/Mnist -- [--dataset mnist|fashion] [--data DIR] [--epochs 5]
//                                                    [--batch-size 64] [--limit N] [--summary]
//                                                    [--early-stopping] [--checkpoint DIR [--resume]]
// --early-stopping holds out 10% for validation and stops when val_loss stops improving (best weights kept);
// --checkpoint DIR saves DIR/last.ckpt (weights, optimizer, epoch, shuffle state) and DIR/training.csv every epoch;
// --resume continues from DIR/last.ckpt, ending bit-identical to a run never stopped. Ctrl+C stops between steps.
using ConvNetGen;
using Mnist;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"Mnist: {e.Message} ({SampleOptions.Usage})");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(SampleOptions.Usage);
    return 0;
}

Console.WriteLine(MnistConvNet.Summary);
if (options.SummaryOnly) return 0;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let Fit stop at the next step boundary instead of killing the process mid-step
    cancel.Cancel();
};

try
{
    var (train, test) = options.Dataset switch
    {
        "fashion" => options.DataDirectory is { } dir ? Idx.Load(dir) : FashionMnist.Load(),
        _ => options.DataDirectory is { } dir ? Idx.Load(dir) : ConvNetGen.Mnist.Load(),
    };
    if (options.Limit is { } limit) train = train.Take(Math.Min(limit, train.Count));
    Console.WriteLine($"Training on {train.Count:N0} images, testing on {test.Count:N0}.");

    var model = new MnistConvNet(seed: 42);
    model.Compile(optimizer: new RMSprop(learningRate: 0.001f), loss: Losses.SparseCategoricalCrossentropy,
                  metrics: [Metrics.Accuracy]);

    var callbacks = new List<Callback>();
    int initialEpoch = 0;
    if (options.CheckpointDirectory is { } folder)
    {
        Directory.CreateDirectory(folder);
        string last = Path.Combine(folder, "last.ckpt");
        if (options.Resume)
        {
            if (!File.Exists(last))
                throw new FileNotFoundException($"Nothing to resume: '{last}' does not exist (run once with --checkpoint {folder} first).");
            initialEpoch = model.LoadCheckpoint(last);
            Console.WriteLine($"Resuming from '{last}' after epoch {initialEpoch}.");
        }
        callbacks.Add(new ModelCheckpoint(last));
        callbacks.Add(new CSVLogger(Path.Combine(folder, "training.csv"), append: options.Resume));
    }
    if (options.EarlyStopping)
        callbacks.Add(new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true, verbose: true));

    var history = model.Fit(train.Images, train.Labels, epochs: options.Epochs, batchSize: options.BatchSize,
              validationSplit: options.EarlyStopping ? 0.1f : 0f, callbacks: callbacks, initialEpoch: initialEpoch,
              cancellationToken: cancel.Token);
    if (options.PlotPath is { } plotPath)
    {
        HistoryPlot.Save(history, plotPath);
        Console.WriteLine($"Plotted {string.Join(", ", history.Keys.Order(StringComparer.Ordinal))} per epoch into '{plotPath}'.");
    }
    var (_, accuracy) = model.Evaluate(test.Images, test.Labels);
    Console.WriteLine($"Test accuracy: {accuracy:0.000}");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine(options.CheckpointDirectory is { } dir
        ? $"Mnist: stopped; the last finished epoch is in '{Path.Combine(dir, "last.ckpt")}': run again with --resume to continue."
        : "Mnist: stopped.");
    return 130;
}
catch (Exception e) when (e is DatasetNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException
                           or InsufficientMemoryException or ArgumentException)
{
    // The library's messages say what is wrong with which file or argument, and what to do: one line, no stack trace.
    Console.Error.WriteLine($"Mnist: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
