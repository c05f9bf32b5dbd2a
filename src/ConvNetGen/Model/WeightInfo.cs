namespace ConvNetGen;

/// <summary>
/// One weight tensor of a layer (e.g. <c>conv2d/kernel</c>): where it lives in the model's single parameter buffer,
/// its Keras shape and layout (Conv2D kernels HWIO, Dense kernels (inputs, units)), and whether an optimizer may change it.
/// </summary>
/// <param name="Name">The weight's name within its layer: <c>kernel</c>, <c>bias</c>, <c>gamma</c>, <c>beta</c>, <c>moving_mean</c>, <c>moving_variance</c>.</param>
/// <param name="Shape">Its Keras shape.</param>
/// <param name="Offset">Its first element's index in the parameter buffer.</param>
/// <param name="IsTrainableVariable">False for statistics that training updates without gradients (BatchNormalization's moving mean and variance).</param>
public sealed record WeightInfo(string Name, TensorShape Shape, int Offset, bool IsTrainableVariable)
{
    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;
}
