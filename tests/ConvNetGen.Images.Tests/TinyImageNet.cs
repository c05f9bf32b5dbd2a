using ConvNetGen;

namespace ConvNetGen.Images.Tests;

/// <summary>A tiny colour classifier for the end-to-end tests.</summary>
[Input(16, 16, 3)]
[Rescaling(1.0 / 255)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(2, Activation = Activation.Softmax)]
public partial class TinyImageNet;

/// <summary>A tiny classifier over 4×4×1 inputs for the pipeline tests.</summary>
[Input(4, 4, 1)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class TinyDense;
