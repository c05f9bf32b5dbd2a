namespace ConvNetGen.Tests.Losses;

/// <summary>Double-precision references for the loss tests: Keras' formulas written out, softmax, and central differences.</summary>
internal static class LossTestMath
{
    public const double KerasEpsilon = 1e-7;

    /// <summary>keras/src/backend/numpy/nn.py sparse_categorical_crossentropy, from_logits=False, then the batch mean.</summary>
    public static double SparseCategoricalCrossentropy(double[] outputs, int[] labels, int classes)
    {
        double total = 0;
        for (int sample = 0; sample < labels.Length; sample++)
        {
            var row = outputs.AsSpan(sample * classes, classes);
            double sum = 0;
            foreach (double p in row)
                sum += p;
            // output = output / sum(output); output = clip(output, epsilon, 1 - epsilon); -sum(onehot * log(output))
            total += -Math.Log(Math.Clamp(row[labels[sample]] / sum, KerasEpsilon, 1 - KerasEpsilon));
        }
        return total / labels.Length;
    }

    /// <summary>Keras' mean_squared_error against one-hot targets (mean over the classes), then the batch mean.</summary>
    public static double MeanSquaredError(double[] outputs, int[] labels, int classes)
    {
        double total = 0;
        for (int sample = 0; sample < labels.Length; sample++)
        {
            for (int j = 0; j < classes; j++)
            {
                double difference = outputs[sample * classes + j] - (j == labels[sample] ? 1 : 0);
                total += difference * difference / classes;
            }
        }
        return total / labels.Length;
    }

    public static double[] Softmax(double[] logits, int classes)
    {
        var probabilities = new double[logits.Length];
        for (int start = 0; start < logits.Length; start += classes)
        {
            double max = logits.AsSpan(start, classes).ToArray().Max();
            double sum = 0;
            for (int j = 0; j < classes; j++)
                sum += probabilities[start + j] = Math.Exp(logits[start + j] - max);
            for (int j = 0; j < classes; j++)
                probabilities[start + j] /= sum;
        }
        return probabilities;
    }

    public static double[] CentralDifferences(Func<double[], double> function, double[] at, double step = 1e-6)
    {
        var gradient = new double[at.Length];
        for (int i = 0; i < at.Length; i++)
        {
            var plus = (double[])at.Clone();
            var minus = (double[])at.Clone();
            plus[i] += step;
            minus[i] -= step;
            gradient[i] = (function(plus) - function(minus)) / (2 * step);
        }
        return gradient;
    }

    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    public static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"Element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
