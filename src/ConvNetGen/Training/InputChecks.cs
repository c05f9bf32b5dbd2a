namespace ConvNetGen;

/// <summary>Checks what users pass to Fit, Evaluate and Predict, and says exactly what is wrong and where.</summary>
internal static class InputChecks
{
    /// <summary>Returns the number of samples.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    public static int Validate(float[] x, int[] y, ModelArchitecture architecture, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        int count = ValidateSamples(x, architecture.InputShape.ElementCount, xName);
        if (y.Length != count)
            throw new ArgumentException($"{xName} holds {count} samples but {yName} has {y.Length} labels.", yName);
        int classes = architecture.OutputShape.ElementCount;
        for (int i = 0; i < y.Length; i++)
            if ((uint)y[i] >= (uint)classes)
                throw new ArgumentException($"{yName}[{i}] is {y[i]}; labels must be in [0, {classes}) for {architecture.Name}'s {classes} outputs.", yName);
        return count;
    }

    public static int ValidateSamples(ReadOnlySpan<float> x, int inputSize, string name)
    {
        if (x.Length == 0 || x.Length % inputSize != 0)
            throw new ArgumentException($"{name} has {x.Length} values, which is not a positive multiple of one sample's {inputSize}.", name);
        int bad = IndexOfNonFinite(x);
        if (bad >= 0)
            throw new ArgumentException($"{name} has {x[bad]} at sample {bad / inputSize}, element {bad % inputSize}; inputs must be finite.", name);
        return x.Length / inputSize;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    internal static int IndexOfNonFinite(ReadOnlySpan<float> x)
    {
        // x - x is 0 for finite values and NaN for NaN and ±∞, so one vectorised pass finds any.
        const int Block = 4096;
        Span<float> scratch = stackalloc float[Block];
        for (int start = 0; start < x.Length; start += Block)
        {
            var part = x.Slice(start, Math.Min(Block, x.Length - start));
            var s = scratch[..part.Length];
            System.Numerics.Tensors.TensorPrimitives.Subtract(part, part, s);
            if (float.IsNaN(System.Numerics.Tensors.TensorPrimitives.Sum(s)))
                for (int i = 0; i < part.Length; i++)
                    if (!float.IsFinite(part[i])) return start + i;
        }
        return -1;
    }
}
