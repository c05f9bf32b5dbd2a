namespace ConvNetGen.Keras.Applications;

/// <summary>
/// keras.applications' VGG19 convolutional base (keras/src/applications/vgg19.py): as <see cref="VGG16Base"/> with four
/// convolutions in blocks 3 to 5, Keras' layer names. A block, so it takes the image size where it is included.
/// (A [Block] is included only within its own project, CNG0016: other projects declare the same layers themselves.)
/// </summary>
[Block]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv1")]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv2")]
[MaxPooling2D(2, Name = "block1_pool")]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block2_conv1")]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block2_conv2")]
[MaxPooling2D(2, Name = "block2_pool")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv1")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv2")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv3")]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block3_conv4")]
[MaxPooling2D(2, Name = "block3_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv3")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv4")]
[MaxPooling2D(2, Name = "block4_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv3")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv4")]
[MaxPooling2D(2, Name = "block5_pool")]
public partial class VGG19Base;

/// <summary><c>keras.applications.VGG19(include_top=True)</c>: 224×224×3 in, 1,000 ImageNet classes out, 143,667,240 parameters.</summary>
/// <remarks>Instances hold 575 MB of weights. Thread safety as for every <see cref="Model"/>.</remarks>
[Input(224, 224, 3, Name = "input_layer")]
[Include(typeof(VGG19Base))]
[Flatten(Name = "flatten")]
[Dense(4096, Activation = Activation.ReLU, Name = "fc1")]
[Dense(4096, Activation = Activation.ReLU, Name = "fc2")]
[Dense(1000, Activation = Activation.Softmax, Name = "predictions")]
public partial class VGG19;

/// <summary><c>keras.applications.VGG19(include_top=False, input_shape=(224, 224, 3))</c>: the base alone, 20,024,384 parameters.</summary>
/// <remarks>Instances hold 80 MB of weights. Thread safety as for every <see cref="Model"/>.</remarks>
[Input(224, 224, 3, Name = "input_layer")]
[Include(typeof(VGG19Base))]
public partial class VGG19NoTop;
