namespace ConvNetGen.Keras.Tests;

/// <summary>An identical copy of samples/Mnist/MnistConvNet.cs, the reference model.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class MnistConvNet;

/// <summary>Small, with a non-square kernel (a transpose changes its shape) and BatchNormalization (four weights).</summary>
[Input(8, 7, 2)]
[Conv2D(4, 3, 5, Padding = Padding.Same, Activation = Activation.ReLU)]
[BatchNormalization]
[MaxPooling2D(2)]
[Conv2D(3, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(5, Activation = Activation.Softmax)]
public partial class SmallNet;

/// <summary>SmallNet's first two layers under other names and a new head: a by-name partial match.</summary>
[Input(8, 7, 2)]
[Conv2D(4, 3, 5, Padding = Padding.Same, Activation = Activation.ReLU)]
[BatchNormalization]
[GlobalAveragePooling2D]
[Dense(2, Activation = Activation.Softmax, Name = "new_head")]
public partial class SmallNetHead;
