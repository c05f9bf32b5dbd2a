namespace ConvNetGen.Tests.Augmentation;

// ---- Augmentation layers on their own (forward tests) ---------------------------------------------------------------

[Input(4, 5, 3)]
[RandomFlip(RandomFlipMode.Horizontal)]
internal partial class FlipHorizontalNet;

[Input(4, 5, 3)]
[RandomFlip(RandomFlipMode.Vertical)]
internal partial class FlipVerticalNet;

[Input(4, 5, 3)]
[RandomFlip]
internal partial class FlipBothNet;

[Input(1, 2, 1)]
[RandomFlip(RandomFlipMode.Horizontal)]
internal partial class FlipPairNet;

[Input(6, 7, 2)]
[RandomTranslation(0.5, 0.4)]
internal partial class TranslationReflectNet;

[Input(6, 7, 2)]
[RandomTranslation(-0.3, 1.0, FillMode = FillMode.Constant, FillValue = 0.25)]
internal partial class TranslationConstantNet;

[Input(6, 7, 2)]
[RandomRotation(0.2)]
internal partial class RotationReflectNet;

[Input(7, 6, 2)]
[RandomRotation(-0.5, FillMode = FillMode.Constant, FillValue = 0.25)]
internal partial class RotationConstantNet;

[Input(6, 7, 2)]
[RandomZoom(0.5)]
internal partial class ZoomReflectNet;

[Input(7, 6, 2)]
[RandomZoom(0.3, -0.6, FillMode = FillMode.Constant, FillValue = 0.25)]
internal partial class ZoomConstantNet;

[Input(8, 7, 2)]
[RandomCrop(5, 4)]
internal partial class CropNet;

[Input(8, 7, 2)]
[RandomCrop(8, 3)]
internal partial class CropFullHeightNet;

[Input(5, 4, 3)]
[RandomContrast(0.5)]
internal partial class ContrastNet;

[Input(5, 4, 3)]
[RandomBrightness(0.4, 0, 1)]
internal partial class BrightnessNet;

// ---- Gradient-check models: a trainable conv below each augmentation, so its backward is exercised ----------------

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomFlip]
[Conv2D(2, 2)]
internal partial class GradRandomFlip;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomTranslation(0.4, 0.5)]
[Conv2D(2, 2)]
internal partial class GradRandomTranslation;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomTranslation(0.3, 0.6, FillMode = FillMode.Constant, FillValue = 0.5)]
[Conv2D(2, 2)]
internal partial class GradRandomTranslationConstant;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomRotation(0.3)]
[Conv2D(2, 2)]
internal partial class GradRandomRotation;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomZoom(0.4, 0.3, FillMode = FillMode.Constant, FillValue = 0.5)]
[Conv2D(2, 2)]
internal partial class GradRandomZoom;

[Input(7, 6, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomCrop(4, 3)]
[Conv2D(2, 2)]
internal partial class GradRandomCrop;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomContrast(0.5, ValueRangeLow = -1000, ValueRangeHigh = 1000)]
[Conv2D(2, 2)]
internal partial class GradRandomContrast;

[Input(6, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same)]
[RandomBrightness(0.2, -100, 100)]
[Conv2D(2, 2)]
internal partial class GradRandomBrightness;
