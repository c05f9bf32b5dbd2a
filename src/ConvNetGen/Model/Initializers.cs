namespace ConvNetGen;

/// <summary>Keras' default initialisers: glorot_uniform kernels, zero biases and betas, unit gammas and moving variances.</summary>
internal static class Initializers
{
    public static void Initialize(ModelArchitecture architecture, Span<float> parameters, int seed)
    {
        var random = new Random(seed);
        foreach (var layer in architecture.Layers)
        foreach (var weight in layer.Weights)
        {
            var values = parameters.Slice(weight.Offset, weight.Length);
            switch (weight.Name)
            {
                case "kernel":
                    GlorotUniform(values, weight.Shape, random);
                    break;
                case "gamma":
                case "moving_variance":
                    values.Fill(1f);
                    break;
                default:
                    values.Clear();
                    break;
            }
        }
    }

    /// <summary>U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)); for a kernel (…, in, out) the leading axes are the receptive field.</summary>
    public static void GlorotUniform(Span<float> values, TensorShape shape, Random random)
    {
        int receptiveField = 1;
        for (int i = 0; i < shape.Rank - 2; i++) receptiveField *= shape[i];
        double fanIn = (double)shape[shape.Rank - 2] * receptiveField;
        double fanOut = (double)shape[shape.Rank - 1] * receptiveField;
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }
}
