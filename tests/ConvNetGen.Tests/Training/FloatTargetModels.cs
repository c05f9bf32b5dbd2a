namespace ConvNetGen.Tests.Training;

/// <summary>A small regressor: four inputs, two linear outputs.</summary>
[Input(4)]
[Dense(16, Activation = Activation.Tanh)]
[Dense(2)]
public partial class Regressor;

/// <summary>A small multi-label classifier: six inputs, three independent sigmoid outputs.</summary>
[Input(6)]
[Dense(16, Activation = Activation.ReLU)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class MultiLabelNet;

/// <summary>One linear output of three inputs, for hand-set weights: output = kernel · x + bias.</summary>
[Input(3)]
[Dense(1, Name = "line")]
public partial class LinearUnit;

/// <summary>Two sigmoid outputs of two inputs, for hand-set weights.</summary>
[Input(2)]
[Dense(2, Activation = Activation.Sigmoid, Name = "gate")]
public partial class SigmoidPair;

/// <summary>A three-class softmax of three inputs, for hand-set weights.</summary>
[Input(3)]
[Dense(3, Activation = Activation.Softmax, Name = "classes")]
public partial class SoftmaxUnit;
