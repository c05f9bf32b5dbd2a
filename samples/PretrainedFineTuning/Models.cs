using ConvNetGen;

namespace PretrainedFineTuning;

/// <summary>The imported ImageNet ResNet18 (a [Block], so at 128×128) under a new 10-way head.</summary>
/// <remarks>
/// Not 112×112: the ONNX file keeps CNTK's padding for 224×224 as fixed pads (one extra row and column at the top
/// and left before each stride-2 3×3 conv), which line up with the stride-2 1×1 shortcut only when every stage's
/// input is even, i.e. at multiples of 32. At 112 the last stage's input is 7×7, the shortcut gives 4×4 and the conv
/// 3×3: CNG0022 at build. So the 112×112 images (28×28 ×4) get an 8-pixel black border to 128×128.
/// </remarks>
[Input(128, 128, 3)]
[Include(typeof(ResNet18Block))]
[Dense(10, Activation = Activation.Softmax, Name = "head")]
public partial class FashionResNet;

/// <summary>The base alone: its 512 pooled features of a 128×128 image, for --cache-features.</summary>
[Input(128, 128, 3)]
[Include(typeof(ResNet18Block))]
public partial class ResNet18Features;

/// <summary>The head alone, trained on cached features (the same layer name, so its weights move to FashionResNet).</summary>
[Input(512)]
[Dense(10, Activation = Activation.Softmax, Name = "head")]
public partial class FeatureHead;

/// <summary>A small network trained from scratch on the same images (the input is 0–255 minus a mean, so rescaled).</summary>
[Input(128, 128, 3)]
[Rescaling(1.0 / 128, Name = "scale")]
[Conv2D(16, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.ReLU, Name = "conv1")]
[MaxPooling2D(2, Name = "pool1")]
[Conv2D(32, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "conv2")]
[MaxPooling2D(2, Name = "pool2")]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "conv3")]
[MaxPooling2D(2, Name = "pool3")]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "conv4")]
[GlobalAveragePooling2D(Name = "gap")]
[Dense(10, Activation = Activation.Softmax, Name = "output")]
public partial class ScratchNet;
