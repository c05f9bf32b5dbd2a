namespace ConvNetGen.Keras.Applications;

/// <summary>
/// keras.applications' VGG16 convolutional base (keras/src/applications/vgg16.py): five blocks of 3×3 same-padded ReLU
/// convolutions and 2×2 max pooling, with Keras' layer names (<c>block1_conv1</c> … <c>block5_pool</c>). A block, so it
/// takes the image size where it is included (a multiple of 32 keeps every pooling exact).
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
[MaxPooling2D(2, Name = "block3_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block4_conv3")]
[MaxPooling2D(2, Name = "block4_pool")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv1")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv2")]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block5_conv3")]
[MaxPooling2D(2, Name = "block5_pool")]
public partial class VGG16Base;

/// <summary><c>keras.applications.VGG16(include_top=True)</c>: 224×224×3 in, 1,000 ImageNet classes out, 138,357,544 parameters.</summary>
/// <remarks>Instances hold 553 MB of weights. Thread safety as for every <see cref="Model"/>.</remarks>
[Input(224, 224, 3, Name = "input_layer")]
[Include(typeof(VGG16Base))]
[Flatten(Name = "flatten")]
[Dense(4096, Activation = Activation.ReLU, Name = "fc1")]
[Dense(4096, Activation = Activation.ReLU, Name = "fc2")]
[Dense(1000, Activation = Activation.Softmax, Name = "predictions")]
public partial class VGG16;

/// <summary><c>keras.applications.VGG16(include_top=False, input_shape=(224, 224, 3))</c>: the base alone, 14,714,688 parameters.</summary>
/// <remarks>
/// For another image size, declare the same layers (Keras' names) in a model of your own: the weights are the same, and
/// a [Block] is included only within its own project (CNG0016), so <see cref="VGG16Base"/> serves this package's models.
/// Instances hold 59 MB of weights. Thread safety as for every <see cref="Model"/>.
/// </remarks>
[Input(224, 224, 3, Name = "input_layer")]
[Include(typeof(VGG16Base))]
public partial class VGG16NoTop;
