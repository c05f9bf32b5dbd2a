namespace ConvNetGen.Tests.Optimizers;

/// <summary>Named optimizer configurations, each paired with its double-precision Keras reference.</summary>
internal static class OptimizerTestCases
{
    public const float LearningRate = 0.05f;

    public static TheoryData<string> Names =>
    [
        "sgd",
        "sgd_momentum",
        "sgd_nesterov",
        "rmsprop",
        "rmsprop_momentum",
        "rmsprop_centered",
        "rmsprop_centered_momentum",
        "adam",
        "adam_amsgrad",
        "adam_large_epsilon",
    ];

    public static (Optimizer Optimizer, KerasOptimizerReference Reference) Create(string name, int parameterCount)
    {
        // The reference gets the hyperparameters as a Keras user writes them (Python floats, i.e. doubles).
        (Optimizer optimizer, KerasOptimizerReference reference) = name switch
        {
            "sgd" => ((Optimizer)new SGD(LearningRate), (KerasOptimizerReference)new SgdReference(parameterCount, 0, false)),
            "sgd_momentum" => (new SGD(LearningRate, 0.9f), new SgdReference(parameterCount, 0.9, false)),
            "sgd_nesterov" => (new SGD(LearningRate, 0.9f, nesterov: true), new SgdReference(parameterCount, 0.9, true)),
            "rmsprop" => (new RMSprop(LearningRate), new RmsPropReference(parameterCount, 0.9, 0, 1e-7, false)),
            "rmsprop_momentum" => (new RMSprop(LearningRate, momentum: 0.8f), new RmsPropReference(parameterCount, 0.9, 0.8, 1e-7, false)),
            "rmsprop_centered" => (new RMSprop(LearningRate, rho: 0.8f, centered: true), new RmsPropReference(parameterCount, 0.8, 0, 1e-7, true)),
            "rmsprop_centered_momentum" => (new RMSprop(LearningRate, 0.85f, 0.5f, 1e-3f, true), new RmsPropReference(parameterCount, 0.85, 0.5, 1e-3, true)),
            "adam" => (new Adam(LearningRate), new AdamReference(parameterCount, 0.9, 0.999, 1e-7, false)),
            "adam_amsgrad" => (new Adam(LearningRate, amsgrad: true), new AdamReference(parameterCount, 0.9, 0.999, 1e-7, true)),
            "adam_large_epsilon" => (new Adam(LearningRate, 0.8f, 0.99f, 0.1f), new AdamReference(parameterCount, 0.8, 0.99, 0.1, false)),
            _ => throw new ArgumentException($"Unknown test optimizer '{name}'.", nameof(name)),
        };
        optimizer.Build(parameterCount);
        return (optimizer, reference);
    }

    /// <summary>Gradients of mixed sign and magnitude, different at every step, the same for every run.</summary>
    public static float[] Gradients(int parameterCount, int step)
    {
        var random = new Random(1000 + step);
        var gradients = new float[parameterCount];
        for (int i = 0; i < parameterCount; i++)
            gradients[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 1)));
        return gradients;
    }

    public static float[] InitialParameters(int parameterCount)
    {
        var random = new Random(7);
        var parameters = new float[parameterCount];
        for (int i = 0; i < parameterCount; i++)
            parameters[i] = (float)(random.NextDouble() * 2 - 1);
        return parameters;
    }

    public static void AssertClose(double[] expected, float[] actual, double tolerance, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= tolerance * (1 + Math.Abs(expected[i])),
                $"{context}: parameter {i} is {actual[i]:R}, the Keras reference gives {expected[i]:R} (error {error:E2}).");
        }
    }
}
