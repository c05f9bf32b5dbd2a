using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvNetGen.Kernels;

/// <summary>
/// Activations applied in place to a layer's output (forward), and their derivatives applied in place to the
/// gradient of that output (backward), written in terms of the output so no pre-activation copy is kept.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary>Applies <paramref name="activation"/> in place; Softmax normalises each row of <paramref name="rowLength"/> values.</summary>
    public static void Forward(Activation activation, Span<float> values, int rowLength)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.ReLU: Relu(values); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            case Activation.Softmax:
                for (int start = 0; start < values.Length; start += rowLength)
                    Softmax(values.Slice(start, rowLength));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Rows up to this long take the scalar softmax.</summary>
    private const int ShortRow = 32;

    /// <summary>
    /// <c>x &lt; 0 ? 0 : x</c> in place (NaN stays NaN): a plain vector loop, several times faster here than
    /// TensorPrimitives.Max(x, 0), which also orders −0 below +0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Relu(Span<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i + width <= values.Length; i += width)
            {
                ref byte at = ref Unsafe.As<float, byte>(ref Unsafe.Add(ref v, i));
                var x = Unsafe.ReadUnaligned<Vector<float>>(ref at);
                Unsafe.WriteUnaligned(ref at, Vector.AndNot(x, Vector.As<int, float>(Vector.LessThan(x, Vector<float>.Zero))));
            }
        }
        for (; i < values.Length; i++)
            if (Unsafe.Add(ref v, i) < 0f) Unsafe.Add(ref v, i) = 0f;
    }

    /// <summary>Softmax of one row, stable: the row's maximum is subtracted before exponentiating.</summary>
    internal static void Softmax(Span<float> row)
    {
        if (row.Length <= ShortRow)
        {
            // A classifier's handful of classes: five vectorised calls per row cost more than the arithmetic.
            float largest = row[0];
            for (int i = 1; i < row.Length; i++) largest = float.IsNaN(row[i]) || row[i] > largest ? row[i] : largest;
            float total = 0f;
            for (int i = 0; i < row.Length; i++) total += row[i] = MathF.Exp(row[i] - largest);
            float scale = 1f / total;
            for (int i = 0; i < row.Length; i++) row[i] *= scale;
            return;
        }
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
                ReluBackward(output, gradient);
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

    /// <summary>
    /// As <see cref="Backward"/>, and in the same pass adds each column's sum of the resulting gradient to
    /// <paramref name="biasGradient"/> (one value per column of <paramref name="rowLength"/>): the bias gradient of a
    /// Conv2D or Dense layer, without a second pass over its output gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWithBiasGradient(Activation activation, ReadOnlySpan<float> output, Span<float> gradient, int rowLength, Span<float> biasGradient)
    {
        if (biasGradient.Length != rowLength || gradient.Length % rowLength != 0 || output.Length < gradient.Length)
            throw new ArgumentException($"BackwardWithBiasGradient: rows of {rowLength} need a bias gradient of {rowLength} and whole rows (gradient {gradient.Length}, output {output.Length}, bias {biasGradient.Length}).");
        if (activation != Activation.ReLU)
        {
            if (activation != Activation.Linear)
                Backward(activation, output, gradient, rowLength);
            SumRows(gradient, rowLength, biasGradient);
            return;
        }
        int width = Vector<float>.Count;
        int rows = gradient.Length / rowLength;
        if (!Vector.IsHardwareAccelerated || rowLength % width != 0 || rowLength > 16 * width)
        {
            ReluBackward(output, gradient);
            SumRows(gradient, rowLength, biasGradient);
            return;
        }
        // One pass over the rows, each row's column blocks summed into a small array that stays in L1.
        ref float o = ref MemoryMarshal.GetReference(output);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        int blocks = rowLength / width;
        Span<Vector<float>> sums = stackalloc Vector<float>[blocks];
        sums.Clear();
        for (int r = 0; r < rows; r++)
        {
            int rowStart = r * rowLength;
            for (int block = 0; block < blocks; block++)
            {
                int at = rowStart + block * width;
                var y = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref o, at)));
                var dy = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref g, at)));
                dy = Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), dy, Vector<float>.Zero);
                Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref g, at)), dy);
                sums[block] += dy;
            }
        }
        for (int block = 0; block < blocks; block++)
        {
            var bias = biasGradient.Slice(block * width, width);
            (new Vector<float>(bias) + sums[block]).CopyTo(bias);
        }
    }

    /// <summary>sums[c] += Σ_r matrix[r, c] over whole rows of <paramref name="rowLength"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SumRows(ReadOnlySpan<float> matrix, int rowLength, Span<float> sums)
    {
        int width = Vector<float>.Count;
        int rows = matrix.Length / rowLength;
        int col = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; col + width <= rowLength; col += width)
            {
                var sum = Vector<float>.Zero;
                for (int r = 0; r < rows; r++) sum += new Vector<float>(matrix.Slice(r * rowLength + col, width));
                var s = sums.Slice(col, width);
                (new Vector<float>(s) + sum).CopyTo(s);
            }
        }
        for (; col < rowLength; col++)
        {
            float sum = 0;
            for (int r = 0; r < rows; r++) sum += matrix[r * rowLength + col];
            sums[col] += sum;
        }
    }

    /// <summary>dL/dx = dL/dy where y &gt; 0, else 0; vectorised, since on real data the sign is a coin flip a branch would mispredict.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i + width <= gradient.Length; i += width)
            {
                var y = new Vector<float>(output.Slice(i, width));
                var dy = new Vector<float>(gradient.Slice(i, width));
                Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), dy, Vector<float>.Zero).CopyTo(gradient.Slice(i, width));
            }
        }
        for (; i < gradient.Length; i++)
            if (!(output[i] > 0f)) gradient[i] = 0f;
    }
}
