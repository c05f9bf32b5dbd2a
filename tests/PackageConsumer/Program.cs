using ConvNetGen;

Console.WriteLine(TinyNet.Summary);
var model = new TinyNet(seed: 1);
model.Compile(new RMSprop(), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
var x = new float[8 * 8 * 8];
var y = new int[8];
for (int i = 0; i < x.Length; i++) x[i] = (i * 37 % 11) / 10f;
for (int i = 0; i < y.Length; i++) y[i] = i % 3;
model.Fit(x, y, epochs: 1, batchSize: 4, verbose: Verbosity.Silent);
Console.WriteLine($"Predicted {model.Predict(x.AsSpan(0, 64)).Length} class probabilities");

[Input(8, 8, 1)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class TinyNet;
