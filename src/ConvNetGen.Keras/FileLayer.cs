using PureHDF;

namespace ConvNetGen.Keras;

/// <summary>One variable as a file holds it: where it is, its shape, and the dataset to read it from once matched.</summary>
/// <param name="Path">Its HDF5 path, for messages.</param>
/// <param name="Name">Keras' weight name when the file says it (<c>kernel</c>, <c>gamma</c>, …), else null.</param>
/// <param name="Shape">Its dimensions as the file declares them.</param>
/// <param name="Dataset">Where its values are read from.</param>
internal sealed record FileVariable(string Path, string? Name, ulong[] Shape, IH5Dataset Dataset);

/// <summary>One layer's variables as a file holds them, in the file's order.</summary>
/// <param name="Key">What Keras matches on without by-name: the Keras 3 path (<c>layers/conv2d_1</c>) or the legacy layer name.</param>
/// <param name="Name">The layer's Keras name when the file says it, else null.</param>
/// <param name="Variables">Its variables in the file's order.</param>
internal sealed record FileLayer(string Key, string? Name, IReadOnlyList<FileVariable> Variables);
