using ConvNetGen;

namespace ConvNetGen.Benchmarks;

/// <summary>The reference model: the Keras MNIST convnet (a copy of samples/Mnist/MnistConvNet.cs).</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class MnistConvNet;
