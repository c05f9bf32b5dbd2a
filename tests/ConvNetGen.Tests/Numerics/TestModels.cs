// The models the numerics tests run. The generator builds each from its attributes; the tests mirror the same
// attributes by hand in ReferenceModel.Of(...) — TestReferences below for the shared models, GradientTests.Models for
// the gradient-check ones — since strides, padding and windows are not in LayerInfo. Change a model and its
// reference together; binding fails on any shape or weight the two disagree on.


namespace ConvNetGen.Tests.Numerics;

// ---- Forward models ---------------------------------------------------------------------------------------------

/// <summary>An identical copy of samples/Mnist/MnistConvNet.cs, the reference model.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
internal partial class MnistConvNetCopy;

/// <summary>Every layer kind at once, for inference-mode forward passes (dropout at 0.5 is the identity there).</summary>
[Input(9, 8, 3)]
[Rescaling(0.5, -0.25)]
[Conv2D(6, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.ReLU)]
[BatchNormalization(Momentum = 0.9)]
[MaxPooling2D(2, Strides = 1, Padding = Padding.Same)]
[Conv2D(5, 1, 3, Activation = Activation.Tanh, UseBias = false)]
[AveragePooling2D(3, 2, StrideHeight = 1, Padding = Padding.Same)]
[Dropout(0.5)]
[GlobalAveragePooling2D]
[Dense(7, Activation = Activation.Sigmoid)]
[Dense(4, Activation = Activation.Softmax)]
internal partial class KitchenSinkNet;

/// <summary>A deterministic mix for training-mode forward passes: batch statistics in a conv and in a dense stack.</summary>
[Input(7, 7, 2)]
[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[BatchNormalization]
[AveragePooling2D(2, Padding = Padding.Same)]
[Conv2D(3, 2, Activation = Activation.ReLU)]
[Flatten]
[Dense(5, Activation = Activation.Tanh)]
[BatchNormalization(Momentum = 0.5, Epsilon = 0.01)]
[Dense(3)]
internal partial class TrainingMixNet;

/// <summary>Flatten first (its buffers alias the input), dense layers, dropout.</summary>
[Input(4, 3, 2)]
[Flatten]
[Dense(5, Activation = Activation.ReLU)]
[Dropout(0.25)]
[Dense(3, Activation = Activation.Softmax)]
internal partial class FlattenFirstNet;

// ---- Gradient-check models (batch 3; Input(6, 5, 2) unless noted) ---------------------------------------------------

[Input(6, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Tanh)]
[Conv2D(2, 2)]
internal partial class GradConvValid;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[Conv2D(2, 4, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[Conv2D(2, 2, 3, Padding = Padding.Same)]
internal partial class GradConvSame;

[Input(7, 6, 2)]
[Conv2D(3, 3, Strides = 2, Padding = Padding.Same)]
[Conv2D(3, 2, StrideHeight = 1, StrideWidth = 2, Padding = Padding.Same, Activation = Activation.Tanh)]
[Conv2D(2, 2, Strides = 2)]
internal partial class GradConvStrided;

[Input(6, 5, 2)]
[Conv2D(3, 3, UseBias = false, Activation = Activation.ReLU)]
[Conv2D(2, 2, UseBias = false)]
internal partial class GradConvNoBias;

[Input(6, 5, 2)]
[Conv2D(3, 1, 3)]
[Conv2D(2, 3, 1, Padding = Padding.Same, Activation = Activation.Tanh)]
[Conv2D(2, 1, 3, Strides = 2, Padding = Padding.Same)]
internal partial class GradConvRectangular;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[MaxPooling2D(2)]
[Flatten]
[Dense(3)]
internal partial class GradMaxPoolValid;

[Input(6, 5, 2)]
[Conv2D(3, 2)]
[MaxPooling2D(2, Padding = Padding.Same)]
[Conv2D(2, 2, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
internal partial class GradMaxPoolSame;

/// <summary>
/// Overlapping windows (stride below the pool size), then a rectangular same-padded window. The conv between them
/// breaks the exact ties overlapping windows leave (neighbours that kept the same input).
/// </summary>
[Input(6, 5, 2)]
[Conv2D(3, 2, Padding = Padding.Same)]
[MaxPooling2D(3, Strides = 1)]
[Conv2D(3, 2, Padding = Padding.Same)]
[MaxPooling2D(2, 3, StrideHeight = 1, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
internal partial class GradMaxPoolOverlapping;

/// <summary>Conv + 2×2 pooling run as one fused pass: odd conv output (6×5: the last column is never pooled), 3 filters (a scalar remainder).</summary>
[Input(7, 6, 2)]
[Conv2D(3, 2, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(2)]
internal partial class GradConvPoolFused;

/// <summary>The fused pass after a layer without weights, linear, with 20 filters (a register and a remainder on every path).</summary>
[Input(6, 7, 1)]
[Rescaling(0.5)]
[Conv2D(20, 3)]
[MaxPooling2D(2)]
[Conv2D(2, 2)]
[Flatten]
[Dense(2)]
internal partial class GradConvPoolFusedAfterRescaling;

/// <summary>
/// A conv that computes only the pixels the pooling reads, window by window: 3×3 windows with stride 3 on 8×7 leave
/// 2 rows and a column unread; tanh, and a conv below, so the input gradient runs through the reordered rows too.
/// </summary>
[Input(9, 8, 2)]
[Conv2D(2, 1)]
[Conv2D(3, 2, Activation = Activation.Tanh)]
[MaxPooling2D(3)]
[Flatten]
[Dense(2)]
internal partial class GradConvRowsByPoolWindow;

/// <summary>
/// A 3×3 conv with 8 input channels before 2×2 pooling: Winograd F(2×2, 3×3), with a conv below so the input gradient
/// runs through it too; 7×8 conv output (the odd row unread), 5 filters (a remainder on every path), tanh.
/// </summary>
[Input(9, 10, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Activation = Activation.Tanh)]
[MaxPooling2D(2)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinograd;

/// <summary>
/// A 3×3 conv with 8 input channels and a 6×9 output: Winograd F(3×3, 3×3), 2×3 tiles per sample, with a conv below
/// so the input gradient runs through it; 5 filters (a remainder on every path), tanh applied after the transform.
/// </summary>
[Input(8, 11, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinogradF3;

/// <summary>
/// A same-padded 3×3 conv before a 2×2 max pooling: Winograd F(2×2, 3×3) whose border tiles read the zero padding;
/// 7×8 output (the odd row unread), ReLU fused into the output transform.
/// </summary>
[Input(7, 8, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinogradSame;

/// <summary>
/// A same-padded 3×3 conv with a 7×5 output: Winograd F(3×3, 3×3), 3×2 tiles whose last row and column overhang the
/// output and whose border reads the zero padding; tanh applied after the transform.
/// </summary>
[Input(7, 5, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Padding = Padding.Same, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinogradF3Same;

/// <summary>
/// A 3×3 conv with 8 input channels and an 8×12 output: Winograd F(4×4, 3×3), 2×3 tiles per sample, with a conv below
/// so the input gradient runs through it; 5 filters (a remainder on every path), tanh applied after the transform.
/// </summary>
[Input(10, 14, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinogradF4;

/// <summary>
/// A same-padded 3×3 conv before a 2×2 max pooling, 8×8: Winograd F(4×4, 3×3) (ahead of the pooling-ordered F(2×2)),
/// 2×2 tiles every one of which reads the zero border; ReLU fused into the output transform, the pooling reading the
/// plain NHWC output.
/// </summary>
[Input(8, 8, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(2)]
internal partial class GradConvWinogradF4Same;

/// <summary>BatchNormalization over 19 channels: whole vectors and a remainder in its vectorised passes.</summary>
[Input(4, 3, 2)]
[Conv2D(19, 1)]
[BatchNormalization(Momentum = 0.8)]
[Conv2D(2, 2, Activation = Activation.Tanh)]
internal partial class GradBatchNormWide;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[MaxPooling2D(2, 1)]
[Conv2D(2, 1, 2)]
internal partial class GradMaxPoolRectangular;

[Input(6, 5, 2)]
[Conv2D(3, 2)]
[AveragePooling2D(3, Strides = 2, Padding = Padding.Same)]
[Conv2D(2, 2, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
internal partial class GradAveragePoolSame;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[AveragePooling2D(2)]
[AveragePooling2D(2, 3, Strides = 1, Padding = Padding.Same)]
[Conv2D(2, 1)]
internal partial class GradAveragePoolValidAndRectangular;

[Input(6, 5, 2)]
[Conv2D(4, 3)]
[GlobalAveragePooling2D]
[Dense(3, Activation = Activation.Tanh)]
internal partial class GradGlobalAveragePool;

[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(6)]
[Dense(3)]
internal partial class GradDenseLinear;

[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(6, Activation = Activation.ReLU)]
[Dense(3)]
internal partial class GradDenseRelu;

[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(6, Activation = Activation.Sigmoid)]
[Dense(3)]
internal partial class GradDenseSigmoid;

[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(6, Activation = Activation.Tanh)]
[Dense(3)]
internal partial class GradDenseTanh;

[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(5, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Softmax)]
internal partial class GradDenseSoftmaxLast;

#pragma warning disable CNG0009 // softmax before the last layer, on purpose
[Input(3, 2, 2)]
[Conv2D(2, 1)]
[Flatten]
[Dense(5, Activation = Activation.Softmax)]
[Dense(3, UseBias = false)]
internal partial class GradDenseSoftmaxInside;

/// <summary>Softmax over a convolution's channels (the last axis), not last.</summary>
[Input(6, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Softmax)]
[Conv2D(2, 2)]
internal partial class GradConvSoftmaxInside;
#pragma warning restore CNG0009

/// <summary>Softmax over a convolution's channels as the last layer: each pixel is its own softmax row.</summary>
[Input(4, 4, 2)]
[Conv2D(2, 2)]
[Conv2D(3, 2, Activation = Activation.Softmax)]
internal partial class GradConvSoftmaxLast;

[Input(7)]
[Dense(4, Activation = Activation.Sigmoid)]
[Dense(2, UseBias = false)]
internal partial class GradFlatInput;

[Input(6, 5, 2)]
[Conv2D(3, 3)]
[BatchNormalization]
[Conv2D(2, 2, Activation = Activation.Tanh)]
internal partial class GradBatchNormConv;

[Input(3, 2, 2)]
[Flatten]
[Dense(4)]
[BatchNormalization(Momentum = 0.8, Epsilon = 0.01)]
[Dense(3)]
internal partial class GradBatchNormDense;

[Input(6, 5, 2)]
[Conv2D(3, 3)]
[Dropout(0.0)]
[Flatten]
[Dense(3)]
internal partial class GradDropoutZero;

// ---- Graph gradient-check models (named inputs, Add, Concatenate, blocks) -----------------------------------------

/// <summary>
/// A residual block with an identity shortcut: the stem's output is read by conv1 and by the Add, so its gradient is
/// the sum of both; BatchNormalization and a standalone ReLU inside the branch. Also FrozenLayerTests' graph model.
/// </summary>
[Input(5, 4, 2)]
[Conv2D(3, 3, Padding = Padding.Same, Name = "stem")]
[Conv2D(3, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
[BatchNormalization(Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[Conv2D(3, 3, Padding = Padding.Same, Name = "conv2")]
[Add("conv2", "stem", Name = "add")]
[Activation(Activation.Tanh, Name = "out_act")]
[Flatten(Name = "flatten")]
[Dense(3, Name = "head")]
internal partial class GradResidualIdentity;

/// <summary>A projection shortcut: ZeroPadding2D then a valid 3×3 conv with stride 2 on the branch, a 1×1 conv with stride 2 from the stem.</summary>
[Input(6, 5, 2)]
[Conv2D(3, 1, Activation = Activation.Tanh, Name = "stem")]
[ZeroPadding2D(1, Name = "pad")]
[Conv2D(4, 3, Strides = 2, Name = "conv1")]
[Conv2D(4, 1, Strides = 2, Input = "stem", Name = "proj")]
[Add("conv1", "proj", Name = "add")]
[Activation(Activation.Sigmoid, Name = "act")]
[Conv2D(2, 2, Name = "head")]
internal partial class GradProjectionShortcut;

/// <summary>
/// Concatenate of three tensors along the channels: a two-conv branch, a side conv that reads the model's input, and
/// the model's input itself; "a" is read by "b" only, the input by "a", "side" and the Concatenate.
/// </summary>
[Input(5, 4, 2, Name = "image")]
[Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.Tanh, Name = "a")]
[Conv2D(2, 1, Name = "b")]
[Conv2D(2, 1, Activation = Activation.Sigmoid, Input = "image", Name = "side")]
[Concatenate("b", "side", "image", Name = "cat")]
[Conv2D(2, 2, Name = "head")]
internal partial class GradConcatenateBranches;

/// <summary>
/// Standalone activations of every kind (softmax last), an asymmetric ZeroPadding2D, GlobalMaxPooling2D and
/// GlobalAveragePooling2D on different tensors, joined by a flat Concatenate.
/// </summary>
[Input(6, 5, 2)]
[ZeroPadding2D(1, 0, 2, 1, Name = "pad")]
[Conv2D(4, 3, Name = "conv1")]
[Activation(Activation.Tanh, Name = "tanh")]
[Conv2D(4, 2, Name = "conv2")]
[Activation(Activation.ReLU, Name = "relu")]
[GlobalMaxPooling2D(Name = "max")]
[GlobalAveragePooling2D(Input = "tanh", Name = "avg")]
[Concatenate("max", "avg", Name = "features")]
[Dense(5, Name = "dense1")]
[Activation(Activation.Sigmoid, Name = "sigmoid")]
[Activation(Activation.Linear, Name = "linear")]
[Dense(3, Name = "dense2")]
[Activation(Activation.Softmax, Name = "softmax")]
internal partial class GradActivationLayers;

/// <summary>
/// A ReLU layer's output zero-padded above and left and max-pooled 3×3 with stride 2 (ResNet18's stem as imported),
/// and a ReLU conv's padded below and right and pooled 2×2: inference folds each padding into its pooling.
/// </summary>
[Input(9, 8, 2)]
[Conv2D(3, 3, Padding = Padding.Same, Name = "conv")]
[Activation(Activation.ReLU, Name = "relu")]
[ZeroPadding2D(1, 0, 1, 0, Name = "pad")]
[MaxPooling2D(3, Strides = 2, Name = "pool")]
[Conv2D(2, 1, Activation = Activation.ReLU, Name = "conv2")]
[ZeroPadding2D(0, 1, 0, 1, Name = "pad2")]
[MaxPooling2D(2, Name = "pool2")]
[Flatten(Name = "flatten")]
[Dense(3, Name = "head")]
internal partial class GradPaddedPooling;

/// <summary>A block with a conv branch and a 1×1 shortcut, both strided by the include, added and rectified.</summary>
[Block]
[Conv2D(Block.Filters, 3, Padding = Padding.Same, Activation = Activation.Tanh, Name = "conv1")]
[Conv2D(Block.Filters, 1, Strides = Block.Strides, Name = "conv2")]
[Conv2D(Block.Filters, 1, Strides = Block.Strides, Input = Block.Input, Name = "shortcut")]
[Add("conv2", "shortcut", Name = "add")]
[Activation(Activation.ReLU, Name = "relu")]
internal partial class GradBlock;

/// <summary>GradBlock included twice: 3 filters at stride 1, then 2 filters at stride 2.</summary>
[Input(5, 5, 2)]
[Include(typeof(GradBlock), Name = "b1", Filters = 3)]
[Include(typeof(GradBlock), Name = "b2", Filters = 2, Strides = 2)]
[Flatten(Name = "flatten")]
[Dense(2, Name = "head")]
internal partial class GradBlockTwice;

/// <summary>
/// Graph corner cases: a tensor read twice by one Add, an Add of three, a Concatenate that starts with the model's
/// input, and a conv with weights whose output nothing reads (CNG0023: it does not run, its gradient stays 0).
/// </summary>
#pragma warning disable CNG0023 // "dead" on purpose
[Input(4, 3, 2)]
[Conv2D(2, 1, Activation = Activation.Tanh, Name = "a")]
[Add("a", "a", Name = "twice")]
[Conv2D(2, 1, Input = "input_layer", Name = "dead")]
[Conv2D(2, 3, Padding = Padding.Same, Input = "twice", Name = "b")]
[Add("b", "a", "twice", Name = "sum3")]
[Concatenate("input_layer", "sum3", "a", Name = "cat")]
[Flatten(Name = "flatten")]
[Dense(2, Name = "head")]
internal partial class GradGraphCorners;
#pragma warning restore CNG0023

/// <summary>A block of a strided pooling and a strided 1×1 projection of its input, concatenated.</summary>
[Block]
[MaxPooling2D(2, Strides = Block.Strides, Padding = Padding.Same, Name = "pool")]
[Conv2D(Block.Filters, 1, Strides = Block.Strides, Input = Block.Input, Name = "proj")]
[Concatenate("pool", "proj", Name = "cat")]
internal partial class GradPoolBlock;

/// <summary>
/// More corners: GlobalMaxPooling2D of the model's input (nothing to pass down), an Add of the input with itself, a
/// block included with an explicit Input, a standalone softmax last over dense units.
/// </summary>
[Input(5, 4, 2)]
[GlobalMaxPooling2D(Name = "gmax_in")]
[Add("input_layer", "input_layer", Name = "double")]
[Include(typeof(GradPoolBlock), Name = "pb", Filters = 3, Strides = 2, Input = "double")]
[Conv2D(3, 2, Name = "conv")]
[GlobalMaxPooling2D(Name = "gmax")]
[Concatenate("gmax_in", "gmax", Name = "features")]
[Dense(4, Name = "head")]
[Activation(Activation.Softmax, Name = "softmax")]
internal partial class GradGraphCorners2;

// ---- State and freezing ---------------------------------------------------------------------------------------------

/// <summary>BatchNormalization first (no layer below it), then a conv.</summary>
[Input(4, 3, 3)]
[BatchNormalization(Momentum = 0.9)]
[Conv2D(2, 2)]
internal partial class BatchNormFirstNet;

[Input(6, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Tanh)]
[BatchNormalization]
[Conv2D(3, 2)]
[MaxPooling2D(2)]
[Flatten]
[Dense(3)]
internal partial class FreezeNet;

[Input(2000)]
[Dropout(0.3)]
internal partial class DropoutOnlyNet;

[Input(30)]
[Dense(40)]
[Dropout(0.5)]
[Dense(3)]
internal partial class DropoutMaskNet;

/// <summary>The hand-written references of the models above, attribute by attribute.</summary>
internal static class TestReferences
{
    public static ReferenceModel MnistConvNet() => ReferenceModel.Of(MnistConvNetCopy.Architecture,
        new RefConv2D(32, 3, 3, activation: Activation.ReLU),
        new RefPooling2D(max: true, 2, 2),
        new RefConv2D(64, 3, 3, activation: Activation.ReLU),
        new RefPooling2D(max: true, 2, 2),
        new RefConv2D(128, 3, 3, activation: Activation.ReLU),
        new RefFlatten(),
        new RefDense(10, Activation.Softmax));

    public static ReferenceModel KitchenSink() => ReferenceModel.Of(KitchenSinkNet.Architecture,
        new RefRescaling(0.5, -0.25),
        new RefConv2D(6, 3, 3, 2, 2, Padding.Same, Activation.ReLU),
        new RefBatchNormalization(momentum: 0.9),
        new RefPooling2D(max: true, 2, 2, 1, 1, Padding.Same),
        new RefConv2D(5, 1, 3, activation: Activation.Tanh, useBias: false),
        new RefPooling2D(max: false, 3, 2, strideHeight: 1, padding: Padding.Same),
        new RefDropout(0.5),
        new RefGlobalAveragePooling2D(),
        new RefDense(7, Activation.Sigmoid),
        new RefDense(4, Activation.Softmax));

    public static ReferenceModel TrainingMix() => ReferenceModel.Of(TrainingMixNet.Architecture,
        new RefConv2D(4, 3, 3, padding: Padding.Same, activation: Activation.Sigmoid),
        new RefBatchNormalization(),
        new RefPooling2D(max: false, 2, 2, padding: Padding.Same),
        new RefConv2D(3, 2, 2, activation: Activation.ReLU),
        new RefFlatten(),
        new RefDense(5, Activation.Tanh),
        new RefBatchNormalization(momentum: 0.5, epsilon: 0.01),
        new RefDense(3));

    public static ReferenceModel FlattenFirst() => ReferenceModel.Of(FlattenFirstNet.Architecture,
        new RefFlatten(),
        new RefDense(5, Activation.ReLU),
        new RefDropout(0.25),
        new RefDense(3, Activation.Softmax));

    public static ReferenceModel BatchNormFirst() => ReferenceModel.Of(BatchNormFirstNet.Architecture,
        new RefBatchNormalization(momentum: 0.9),
        new RefConv2D(2, 2, 2));

    public static ReferenceModel Freeze() => ReferenceModel.Of(FreezeNet.Architecture,
        new RefConv2D(3, 3, 3, activation: Activation.Tanh),
        new RefBatchNormalization(),
        new RefConv2D(3, 2, 2),
        new RefPooling2D(max: true, 2, 2),
        new RefFlatten(),
        new RefDense(3));

    public static ReferenceModel DropoutMask() => ReferenceModel.Of(DropoutMaskNet.Architecture,
        new RefDense(40),
        new RefDropout(0.5),
        new RefDense(3));

    public static ReferenceModel ResidualIdentity() => ReferenceModel.Of(GradResidualIdentity.Architecture,
        new RefConv2D(3, 3, 3, padding: Padding.Same),
        new RefConv2D(3, 3, 3, padding: Padding.Same, useBias: false),
        new RefBatchNormalization(),
        new RefActivationLayer(Activation.ReLU),
        new RefConv2D(3, 3, 3, padding: Padding.Same),
        new RefAdd(),
        new RefActivationLayer(Activation.Tanh),
        new RefFlatten(),
        new RefDense(3));

    public static ReferenceModel ProjectionShortcut() => ReferenceModel.Of(GradProjectionShortcut.Architecture,
        new RefConv2D(3, 1, 1, activation: Activation.Tanh),
        new RefZeroPadding2D(1),
        new RefConv2D(4, 3, 3, 2, 2),
        new RefConv2D(4, 1, 1, 2, 2),
        new RefAdd(),
        new RefActivationLayer(Activation.Sigmoid),
        new RefConv2D(2, 2, 2));

    public static ReferenceModel ConcatenateBranches() => ReferenceModel.Of(GradConcatenateBranches.Architecture,
        new RefConv2D(3, 3, 3, padding: Padding.Same, activation: Activation.Tanh),
        new RefConv2D(2, 1, 1),
        new RefConv2D(2, 1, 1, activation: Activation.Sigmoid),
        new RefConcatenate(),
        new RefConv2D(2, 2, 2));

    public static ReferenceModel PaddedPooling() => ReferenceModel.Of(GradPaddedPooling.Architecture,
        new RefConv2D(3, 3, 3, padding: Padding.Same),
        new RefActivationLayer(Activation.ReLU),
        new RefZeroPadding2D(1, 0, 1, 0),
        new RefPooling2D(max: true, 3, 3, 2, 2),
        new RefConv2D(2, 1, 1, activation: Activation.ReLU),
        new RefZeroPadding2D(0, 1, 0, 1),
        new RefPooling2D(max: true, 2, 2),
        new RefFlatten(),
        new RefDense(3));

    public static ReferenceModel ActivationLayers() => ReferenceModel.Of(GradActivationLayers.Architecture,
        new RefZeroPadding2D(1, 0, 2, 1),
        new RefConv2D(4, 3, 3),
        new RefActivationLayer(Activation.Tanh),
        new RefConv2D(4, 2, 2),
        new RefActivationLayer(Activation.ReLU),
        new RefGlobalMaxPooling2D(),
        new RefGlobalAveragePooling2D(),
        new RefConcatenate(),
        new RefDense(5),
        new RefActivationLayer(Activation.Sigmoid),
        new RefActivationLayer(Activation.Linear),
        new RefDense(3),
        new RefActivationLayer(Activation.Softmax));

    /// <summary>GradBlock's five layers for <paramref name="filters"/> and <paramref name="strides"/>.</summary>
    private static RefOp[] GradBlockOps(int filters, int strides) =>
    [
        new RefConv2D(filters, 3, 3, padding: Padding.Same, activation: Activation.Tanh),
        new RefConv2D(filters, 1, 1, strides, strides),
        new RefConv2D(filters, 1, 1, strides, strides),
        new RefAdd(),
        new RefActivationLayer(Activation.ReLU),
    ];

    public static ReferenceModel BlockTwice() => ReferenceModel.Of(GradBlockTwice.Architecture,
        [.. GradBlockOps(3, 1), .. GradBlockOps(2, 2), new RefFlatten(), new RefDense(2)]);

    public static ReferenceModel GraphCorners() => ReferenceModel.Of(GradGraphCorners.Architecture,
        new RefConv2D(2, 1, 1, activation: Activation.Tanh),
        new RefAdd(),
        new RefConv2D(2, 1, 1),
        new RefConv2D(2, 3, 3, padding: Padding.Same),
        new RefAdd(),
        new RefConcatenate(),
        new RefFlatten(),
        new RefDense(2));

    public static ReferenceModel GraphCorners2() => ReferenceModel.Of(GradGraphCorners2.Architecture,
        new RefGlobalMaxPooling2D(),
        new RefAdd(),
        new RefPooling2D(max: true, 2, 2, 2, 2, Padding.Same),
        new RefConv2D(3, 1, 1, 2, 2),
        new RefConcatenate(),
        new RefConv2D(3, 2, 2),
        new RefGlobalMaxPooling2D(),
        new RefConcatenate(),
        new RefDense(4),
        new RefActivationLayer(Activation.Softmax));
}
