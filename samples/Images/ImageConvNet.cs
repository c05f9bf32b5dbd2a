using ConvNetGen;

namespace Images;

/// <summary>
/// Keras' tutorial augmentation: a horizontal flip, a rotation of up to ±36° and a zoom of up to ±10%, active only in
/// training (the identity in Evaluate and Predict).
/// </summary>
[Block]
[RandomFlip(RandomFlipMode.Horizontal)]
[RandomRotation(0.1)]
[RandomZoom(0.1)]
public partial class Augmentation;

/// <summary>
/// A small convnet for 64×64 colour images in up to 10 classes (change [Dense(10)] for more), with the
/// augmentation in front.
/// </summary>
[Input(64, 64, 3)]
[Include(typeof(Augmentation))]
[Rescaling(1.0 / 255)]
[Conv2D(16, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation = Activation.Softmax)]
public partial class ImageConvNet;

/// <summary>The same at 128×128, with one more conv stage (strided first, so the cost per image stays modest).</summary>
[Input(128, 128, 3)]
[Include(typeof(Augmentation))]
[Rescaling(1.0 / 255)]
[Conv2D(16, 3, Strides = 2, Activation = Activation.ReLU)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(10, Activation = Activation.Softmax)]
public partial class ImageConvNet128;
