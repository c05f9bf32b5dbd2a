using ConvNetGen;

namespace Mnist;

/// <summary>The Keras MNIST convnet (Deep Learning with Python, chapter 8), declared once; the generator writes the rest.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class MnistConvNet;
