using ConvNetGen;

namespace FineTuning;

/// <summary>A convolutional base: three conv blocks with BatchNormalization, pooled to 128 features.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv")]
[BatchNormalization(Name = "block1_bn")]
[MaxPooling2D(2, Name = "block1_pool")]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block2_conv")]
[BatchNormalization(Name = "block2_bn")]
[MaxPooling2D(2, Name = "block2_pool")]
[Conv2D(128, 3, Activation = Activation.ReLU, Name = "block3_conv")]
[BatchNormalization(Name = "block3_bn")]
[GlobalAveragePooling2D(Name = "features")]
public partial class ConvBase;

/// <summary>The base with a classifier, pretrained on the first five classes.</summary>
[Input(28, 28, 1)]
[Include(typeof(ConvBase))]
[Dense(5, Activation = Activation.Softmax, Name = "pretrain_output")]
public partial class PretrainNet;

/// <summary>The same base with a new dense head for the other five classes.</summary>
[Input(28, 28, 1)]
[Include(typeof(ConvBase))]
[Dense(64, Activation = Activation.ReLU, Name = "head_dense")]
[Dropout(0.5, Name = "head_dropout")]
[Dense(5, Activation = Activation.Softmax, Name = "head_output")]
public partial class TransferNet;
