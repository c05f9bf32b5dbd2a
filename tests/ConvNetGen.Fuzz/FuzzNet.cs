namespace ConvNetGen.Fuzz;

/// <summary>A tiny model whose weights file (three small tensor pairs) the safetensors target loads.</summary>
[Input(4, 4, 1)]
[Conv2D(2, 3)]
[Flatten]
[Dense(3)]
public partial class FuzzNet;
