using System.Diagnostics;
using ResNet;

// Declares torchvision's ResNet18, prints Keras' summary, and runs it: a prediction and a training step at batch 1
// and 8 on random images (no ImageNet here; the ONNX import brings its pretrained weights).
Console.WriteLine(ResNet18.Summary);
var model = new ResNet18(seed: 0);
model.Compile(new ConvNetGen.SGD(learningRate: 0.01f), new ConvNetGen.SparseCategoricalCrossentropy());
var random = new Random(1);
foreach (int batch in new[] { 1, 8 })
{
    var images = new float[batch * ResNet18.Shapes.InputSize];
    for (int i = 0; i < images.Length; i++) images[i] = random.NextSingle();
    var labels = Enumerable.Range(0, batch).Select(i => random.Next(1000)).ToArray();
    var watch = Stopwatch.StartNew();
    var probabilities = new float[batch * ResNet18.Shapes.OutputSize];
    model.Predict(images, probabilities);
    var predicted = watch.Elapsed;
    watch.Restart();
    float loss = model.TrainOnBatch(images, labels);
    Console.WriteLine($"batch {batch}: predict {predicted.TotalMilliseconds:F0} ms (first class {probabilities[0]:F5}), " +
                      $"training step {watch.Elapsed.TotalMilliseconds:F0} ms, loss {loss:F3} (ln 1000 = {Math.Log(1000):F3})");
}
