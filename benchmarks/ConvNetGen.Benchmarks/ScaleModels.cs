namespace ConvNetGen.Benchmarks;

// The networks of the scale benchmark, the same architectures as the TorchSharp peer's (../shared/peer/TorchScale,
// Keras layer names): every 3×3 conv same-padded, so none of the MNIST model's valid-conv fast paths apply.

/// <summary>A CIFAR-size VGG: 32×32×3, conv 32, 32, pool, 64, 64, pool, 128, 128, pool, dense 128, 10.</summary>
[Input(32, 32, 3)]
[Conv2D(32, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(32, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(128, Activation = Activation.ReLU)]
[Dense(10, Activation = Activation.Softmax)]
public partial class CifarVgg;

/// <summary>A 128×128×3 net: conv 32 stride 2, 64, pool, 128, pool, 256, global average pooling, dense 10.</summary>
[Input(128, 128, 3)]
[Conv2D(32, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation = Activation.Softmax)]
public partial class Big128;
