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

    /// <summary>Checks float targets: one finite row of the model's output size per sample. Returns the number of samples.</summary>
    public static int Validate(float[] x, float[] y, ModelArchitecture architecture, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        int count = ValidateSamples(x, architecture.InputShape.ElementCount, xName);
        int width = architecture.OutputShape.ElementCount;
        if (y.Length != (long)count * width)
            throw new ArgumentException(
                $"{xName} holds {count} samples, so {yName} needs {(long)count * width} targets ({count} × {architecture.Name}'s {width} outputs), but has {y.Length}.", yName);
        int bad = IndexOfNonFinite(y);
        if (bad >= 0)
            throw new ArgumentException($"{yName} has {y[bad]} at sample {bad / width}, output {bad % width}; targets must be finite.", yName);
        return count;
    }

    /// <summary>
    /// Checks Fit's and Evaluate's weights and returns one weight per sample (Keras' <c>class_weight</c> turned into
    /// sample weights: a sample's class is its label, or its target row's argmax), or null when there are none.
    /// </summary>
    public static float[]? SampleWeights(float[]? sampleWeight, IReadOnlyDictionary<int, float>? classWeight, Targets targets, int count,
        ModelArchitecture architecture)
    {
        if (sampleWeight is not null && classWeight is not null)
            throw new ArgumentException("Pass classWeight or sampleWeight, not both (as Keras, which refuses the two together).", nameof(classWeight));
        if (sampleWeight is not null)
        {
            if (sampleWeight.Length != count)
                throw new ArgumentException($"sampleWeight has {sampleWeight.Length} weights for {count} samples; give one per sample.", nameof(sampleWeight));
            for (int i = 0; i < count; i++)
                if (!(sampleWeight[i] >= 0f) || float.IsPositiveInfinity(sampleWeight[i]))
                    throw new ArgumentException($"sampleWeight[{i}] is {sampleWeight[i]}; sample weights must be finite and non-negative.", nameof(sampleWeight));
            return sampleWeight;
        }
        if (classWeight is null) return null;
        var perClass = ClassWeights(classWeight, architecture);
        var weights = new float[count];
        for (int i = 0; i < count; i++)
            weights[i] = perClass[targets.Labels is { } labels
                ? labels[i]
                : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(targets.Values.AsSpan(i * targets.Width, targets.Width))];
        return weights;
    }

    /// <summary>Checks Keras' <c>class_weight</c> and returns one weight per class, 1 for the classes it leaves out (as Keras).</summary>
    public static float[] ClassWeights(IReadOnlyDictionary<int, float> classWeight, ModelArchitecture architecture)
    {
        int classes = architecture.OutputShape.ElementCount;
        var perClass = new float[classes];
        perClass.AsSpan().Fill(1f);
        foreach (var (id, weight) in classWeight)
        {
            if ((uint)id >= (uint)classes)
                throw new ArgumentException($"classWeight has class {id}, but {architecture.Name}'s {classes} outputs are classes [0, {classes}).", nameof(classWeight));
            if (!(weight >= 0f) || float.IsPositiveInfinity(weight))
                throw new ArgumentException($"classWeight[{id}] is {weight}; class weights must be finite and non-negative.", nameof(classWeight));
            perClass[id] = weight;
        }
        return perClass;
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
