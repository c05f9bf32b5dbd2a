using System.Numerics.Tensors;

namespace ConvNetGen.Kernels;

/// <summary>
/// Activations applied in place to a layer's output (forward), and their derivatives applied in place to the
/// gradient of that output (backward), written in terms of the output so no pre-activation copy is kept.
/// </summary>
public static class Activations
{
    /// <summary>Applies <paramref name="activation"/> in place; Softmax normalises each row of <paramref name="rowLength"/> values.</summary>
    public static void Forward(Activation activation, Span<float> values, int rowLength)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.ReLU: TensorPrimitives.Max(values, 0f, values); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            case Activation.Softmax:
                for (int start = 0; start < values.Length; start += rowLength)
                    Softmax(values.Slice(start, rowLength));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Softmax of one row, stable: the row's maximum is subtracted before exponentiating.</summary>
    public static void Softmax(Span<float> row)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, row);
        TensorPrimitives.Exp(row, row);
        float sum = TensorPrimitives.Sum(row);
        TensorPrimitives.Divide(row, sum, row);
    }

    /// <summary>
    /// Turns dL/dy into dL/dx in place, given the activation's output y. Softmax uses its Jacobian row by row; when
    /// softmax feeds the loss directly, the loss's fused gradient is already dL/dx and this is not called.
    /// </summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> output, Span<float> gradient, int rowLength)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.ReLU:
                for (int i = 0; i < gradient.Length; i++)
                    if (output[i] <= 0f) gradient[i] = 0f;
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= output[i] * (1f - output[i]);
                break;
            case Activation.Tanh:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= 1f - output[i] * output[i];
                break;
            case Activation.Softmax:
                for (int start = 0; start < gradient.Length; start += rowLength)
                {
                    var y = output.Slice(start, rowLength);
                    var g = gradient.Slice(start, rowLength);
                    float dot = TensorPrimitives.Dot(y, g);
                    for (int i = 0; i < rowLength; i++) g[i] = y[i] * (g[i] - dot);
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
