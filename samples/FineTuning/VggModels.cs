using ConvNetGen;

namespace FineTuning;

/// <summary>
/// keras.applications' VGG16 base with Keras' layer names, so a Keras VGG16 weights file loads by name, at 32×32×3
/// (the smallest size its five poolings take) under the same new head as <see cref="TransferNet"/>.
/// </summary>
/// <remarks>
/// The layers of ConvNetGen.Keras.Applications.VGG16Base, written out: a [Block] is included only within its own
/// project (CNG0016), so a model at another size than the package's 224×224 declares them itself.
/// </remarks>
[Input(32, 32, 3)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv1")]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv2")]
[MaxPooling2D(2, Name = "block1_pool")]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block2_conv1")]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block2_conv2")]
[MaxPooling2D(2, Name = "block2_pool")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv1")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv2")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv3")]
[MaxPooling2D(2, Name = "block3_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv3")]
[MaxPooling2D(2, Name = "block4_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv3")]
[MaxPooling2D(2, Name = "block5_pool")]
[Flatten(Name = "flatten")]
[Dense(64, Activation = Activation.ReLU, Name = "head_dense")]
[Dropout(0.5, Name = "head_dropout")]
[Dense(5, Activation = Activation.Softmax, Name = "head_output")]
public partial class Vgg16TransferNet;
