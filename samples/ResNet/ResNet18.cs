using ConvNetGen;

namespace ResNet;

// torchvision's ResNet18 (He et al. 2015, "Deep Residual Learning for Image Recognition") at 224×224×3, channels last,
// with torchvision's names (layer1_0/conv1, …) and BatchNormalization as PyTorch sets it (ε 1e-5, momentum 0.1, which
// is Keras' 0.9). ZeroPadding2D before a valid conv or pooling gives PyTorch's symmetric padding, as Keras' own ResNet
// does. Total params 11,699,112: 11,689,512 trainable (torchvision's count) and 9,600 moving statistics.

/// <summary>Two 3×3 convs and the identity shortcut.</summary>
[Block]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "bn2")]
[Add("bn2", Block.Input, Name = "add")]
[Activation(Activation.ReLU, Name = "relu2")]
public partial class BasicBlock;

/// <summary>The first block of a stage: a stride-2 3×3 conv, and a 1×1 stride-2 projection as the shortcut.</summary>
[Block]
[ZeroPadding2D(1, Name = "pad")]
[Conv2D(Block.Filters, 3, Strides = 2, UseBias = false, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "bn2")]
[Conv2D(Block.Filters, 1, Strides = 2, UseBias = false, Input = Block.Input, Name = "downsample_0")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "downsample_1")]
[Add("bn2", "downsample_1", Name = "add")]
[Activation(Activation.ReLU, Name = "relu2")]
public partial class DownsampleBlock;

[Input(224, 224, 3)]
[ZeroPadding2D(3, Name = "pad")]
[Conv2D(64, 7, Strides = 2, UseBias = false, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Momentum = 0.9, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu")]
[ZeroPadding2D(1, Name = "maxpool_pad")]
[MaxPooling2D(3, Strides = 2, Name = "maxpool")]
[Include(typeof(BasicBlock), Name = "layer1_0", Filters = 64)]
[Include(typeof(BasicBlock), Name = "layer1_1", Filters = 64)]
[Include(typeof(DownsampleBlock), Name = "layer2_0", Filters = 128)]
[Include(typeof(BasicBlock), Name = "layer2_1", Filters = 128)]
[Include(typeof(DownsampleBlock), Name = "layer3_0", Filters = 256)]
[Include(typeof(BasicBlock), Name = "layer3_1", Filters = 256)]
[Include(typeof(DownsampleBlock), Name = "layer4_0", Filters = 512)]
[Include(typeof(BasicBlock), Name = "layer4_1", Filters = 512)]
[GlobalAveragePooling2D(Name = "avgpool")]
[Dense(1000, Activation = Activation.Softmax, Name = "fc")]
public partial class ResNet18;
