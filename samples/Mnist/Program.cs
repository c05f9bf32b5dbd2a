// The Keras MNIST convnet notebook, in C#: summary, training with progress, test accuracy.
//   dotnet run -c Release --project samples/Mnist -- [--dataset mnist|fashion] [--data DIR] [--epochs 5]
//                                                    [--batch-size 64] [--limit N] [--summary]
using ConvNetGen;
using Mnist;

var options = SampleOptions.Parse(args);
if (options is null) return 2;

Console.WriteLine(MnistConvNet.Summary);
if (options.SummaryOnly) return 0;

(Dataset Train, Dataset Test) data;
try
{
    data = options.Dataset switch
    {
        "fashion" => options.DataDirectory is { } dir ? Idx.Load(dir) : FashionMnist.Load(),
        _ => options.DataDirectory is { } dir ? Idx.Load(dir) : ConvNetGen.Mnist.Load(),
    };
}
catch (Exception e) when (e is DatasetNotFoundException or InvalidDataException or IOException or InsufficientMemoryException)
{
    Console.Error.WriteLine(e.Message); // says what is wrong with which file, and what to do
    return 1;
}
var (train, test) = data;
if (options.Limit is { } limit) train = train.Take(Math.Min(limit, train.Count));
Console.WriteLine($"Training on {train.Count:N0} images, testing on {test.Count:N0}.");

var model = new MnistConvNet(seed: 42);
model.Compile(optimizer: new RMSprop(learningRate: 0.001f), loss: Losses.SparseCategoricalCrossentropy,
              metrics: [Metrics.Accuracy]);
model.Fit(train.Images, train.Labels, epochs: options.Epochs, batchSize: options.BatchSize);
var (_, accuracy) = model.Evaluate(test.Images, test.Labels);
Console.WriteLine($"Test accuracy: {accuracy:0.000}");
return 0;
