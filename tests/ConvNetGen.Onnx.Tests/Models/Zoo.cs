using ConvNetGen;

namespace ConvNetGen.Onnx.Tests;

// Test models for the ONNX export: together they use every layer kind, every activation (fused and standalone),
// Same-padded strided convs and pools, padded average pooling, ZeroPadding2D with four different sides, flat and image
// inputs and outputs, and graphs (a branch reading the model's input, a three-way Add, Concatenate of a conv and a pool).

/// <summary>Every layer kind in one stack; strided Same convs and pools on odd sizes, so the padding is uneven.</summary>
[Input(17, 15, 3)]
[Rescaling(1.0 / 127.5, -1)]
[Conv2D(8, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh)]
[BatchNormalization]
[MaxPooling2D(3, Strides = 2, Padding = Padding.Same)]
[Conv2D(6, 3, 2, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[AveragePooling2D(2, Padding = Padding.Same)]
[ZeroPadding2D(1, 0, 2, 1)]
[Conv2D(5, 2, Activation = Activation.ReLU, UseBias = false)]
[Dropout(0.3)]
[AveragePooling2D(2, 1, StrideHeight = 1, StrideWidth = 1)]
[Flatten]
[Dense(12, Activation = Activation.ReLU)]
[BatchNormalization(Epsilon = 1e-5)]
[Dropout(0.2)]
[Dense(7, Activation = Activation.Softmax)]
public partial class EveryLayerNet;

/// <summary>A residual graph: a three-way Add, a shortcut from the input, ZeroPadding2D, Concatenate, standalone activations, GlobalMaxPooling2D.</summary>
[Input(12, 12, 4, Name = "image")]
[Conv2D(8, 3, Padding = Padding.Same, Name = "stem")]
[BatchNormalization(Name = "stem_bn")]
[Activation(Activation.ReLU, Name = "stem_relu")]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "a")]
[Conv2D(8, 1, Input = "stem_relu", Name = "b")]
[Conv2D(8, 1, UseBias = false, Input = "image", Name = "shortcut")]
[Add("a", "b", "shortcut", Name = "sum")]
[Activation(Activation.Tanh, Name = "sum_tanh")]
[Add("sum_tanh", "stem_relu", Name = "sum2")]
[Activation(Activation.Linear, Name = "identity")]
[ZeroPadding2D(1, Name = "pad")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(6, 3, Padding = Padding.Same, Activation = Activation.Sigmoid, Name = "left")]
[AveragePooling2D(3, Strides = 1, Padding = Padding.Same, Input = "pool", Name = "right")]
[Concatenate("left", "right", "pool", Name = "cat")]
[GlobalMaxPooling2D(Name = "gmp")]
[Dense(5, Activation = Activation.Softmax, Name = "out")]
public partial class ResidualNet;

/// <summary>A residual graph with a global average, an image Concatenate read by Flatten, and the input read by two layers.</summary>
[Input(10, 10, 3)]
[Rescaling(0.5, 0.25, Name = "scale")]
[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "c1", Input = "input_layer")]
[Concatenate("scale", "c1", Name = "cat")]
[BatchNormalization(Name = "bn")]
[Conv2D(7, 3, Strides = 2, Name = "c2")]
[Activation(Activation.Sigmoid, Name = "sig")]
[Flatten(Name = "flat", Input = "sig")]
[Dense(6, Activation = Activation.Tanh, Name = "d1")]
[Dense(4, Name = "logits")]
public partial class ConcatFlattenNet;

/// <summary>An image output (softmax over the channels), so the output's layout matters.</summary>
[Input(9, 7, 2)]
[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[ZeroPadding2D(1, 2)]
[Conv2D(3, 3, Activation = Activation.Softmax)]
public partial class SegmentationNet;

/// <summary>An image output with no activation after a pooling, the input NCHW-transposed and read by two layers.</summary>
[Input(8, 8, 3)]
[Conv2D(3, 1, Name = "proj")]
[Add("proj", "input_layer", Name = "residual")]
[AveragePooling2D(3, Strides = 2, Padding = Padding.Same, Name = "down")]
public partial class ImageOutputNet;

/// <summary>A flat input: Dense, BatchNormalization, Rescaling and activations on vectors, a Concatenate and an Add of vectors.</summary>
[Input(20, Name = "features")]
[Dense(16, Activation = Activation.Sigmoid, Name = "d1")]
[BatchNormalization(Name = "bn")]
[Rescaling(2, 0.5, Name = "rescale")]
[Activation(Activation.Tanh, Name = "tanh")]
[Dense(16, Input = "features", Name = "d2")]
[Add("tanh", "d2", Name = "add")]
[Concatenate("add", "features", Name = "cat")]
[Dropout(0.5, Name = "drop")]
[Dense(3, Name = "out")]
public partial class VectorNet;

/// <summary>
/// ZeroPadding2D before pooling on signed values (tanh): a zero pad read only by a max pooling (with Same padding on
/// top), one read by an average pooling, and one read by a max pooling and a conv. ONNX Runtime's PadFusion would fold
/// a zero Pad into MaxPool's −∞ pads; the export must stay exact at every optimisation level.
/// </summary>
[Input(11, 10, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.Tanh, Name = "c")]
[ZeroPadding2D(2, 1, 0, 1, Name = "zp1")]
[MaxPooling2D(3, Strides = 2, Padding = Padding.Same, Name = "mp")]
[ZeroPadding2D(1, Name = "zp2")]
[AveragePooling2D(3, Strides = 2, Padding = Padding.Same, Name = "ap")]
[ZeroPadding2D(1, Input = "c", Name = "zp3")]
[MaxPooling2D(2, Name = "mp2")]
[Conv2D(4, 3, Input = "zp3", Activation = Activation.Tanh, Name = "c2")]
[GlobalMaxPooling2D(Input = "ap", Name = "g1")]
[GlobalMaxPooling2D(Input = "mp2", Name = "g2")]
[GlobalAveragePooling2D(Input = "c2", Name = "g3")]
[Flatten(Input = "mp", Name = "f")]
[Concatenate("g1", "g2", "g3", "f", Name = "cat")]
[Dense(6, Activation = Activation.Softmax, Name = "out")]
public partial class PaddedPoolsNet;

/// <summary>Every augmentation layer: Identity at inference, RandomCrop a centre Slice (on the input and after a conv, whose layout may differ).</summary>
[Input(13, 11, 3)]
[RandomFlip]
[RandomTranslation(0.2, 0.2)]
[RandomRotation(0.1)]
[RandomZoom(0.2, 0.1)]
[RandomCrop(10, 9)]
[RandomContrast(0.3)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[RandomBrightness(0.1, -10, 10)]
[RandomCrop(5, 6)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)] // outputs of order 1: the comparison is relative per element
public partial class AugmentedNet;
