using ConvNetGen;

namespace Images;

/// <summary>A small convnet for 64×64 colour images in up to 10 classes (change [Dense(10)] for more).</summary>
[Input(64, 64, 3)]
[Rescaling(1.0 / 255)]
[Conv2D(16, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation = Activation.Softmax)]
public partial class ImageConvNet;
