namespace ConvNetGen.Tests.Losses;

using Losses = global::ConvNetGen.Losses;

/// <summary>
/// The float-target losses: each formula against values worked out by hand from Keras' definitions
/// (keras/src/losses/losses.py, keras/src/backend/numpy/nn.py), each gradient against central differences of a
/// double-precision transcription of the same formula, and Keras' sum_over_batch_size weighting.
/// </summary>
public sealed class FloatTargetLossTests
{
    // Two samples of two outputs, shared by the regression losses' hand-worked values.
    private static readonly float[] RegressionOutputs = [0.5f, 2.0f, -1.0f, 0.0f];
    private static readonly float[] RegressionTargets = [1.0f, 1.0f, 0.0f, 2.0f];

    [Fact]
    public void Names_are_Keras()
    {
        Assert.Equal("mean_squared_error", Losses.MeanSquaredError.Name);
        Assert.Equal("mean_absolute_error", Losses.MeanAbsoluteError.Name);
        Assert.Equal("huber_loss", Losses.Huber.Name);
        Assert.Equal("binary_crossentropy", Losses.BinaryCrossentropy.Name);
        Assert.Equal("categorical_crossentropy", Losses.CategoricalCrossentropy.Name);
        Assert.Equal(1f, ((Huber)Losses.Huber).Delta);
    }

    [Fact]
    public void MeanSquaredError_is_the_row_mean_then_the_batch_mean()
    {
        // sample 0: (0.25 + 1) / 2 = 0.625; sample 1: (1 + 4) / 2 = 2.5; batch: 1.5625
        Assert.Equal(1.5625, Losses.MeanSquaredError.Compute(RegressionOutputs, RegressionTargets, default, 2), 6);
    }

    [Fact]
    public void Sample_weights_divide_by_the_batch_size_not_by_the_weights()
    {
        // Keras' sum_over_batch_size: (1 × 0.625 + 3 × 2.5) / 2 = 4.0625, not / (1 + 3).
        float[] weights = [1f, 3f];
        Assert.Equal(4.0625, Losses.MeanSquaredError.Compute(RegressionOutputs, RegressionTargets, weights, 2), 6);
        Assert.Equal(4.0625, Losses.MeanSquaredError.Compute(RegressionOutputs, RegressionTargets, weights, 2, Activation.Linear, new float[4]), 6);
        // A zero weight drops the sample from the sum but not from the count: 0.625 / 2.
        Assert.Equal(0.3125, Losses.MeanSquaredError.Compute(RegressionOutputs, RegressionTargets, [1f, 0f], 2), 6);
    }

    [Fact]
    public void MeanAbsoluteError_is_the_row_mean_of_absolute_differences()
    {
        // sample 0: (0.5 + 1) / 2 = 0.75; sample 1: (1 + 2) / 2 = 1.5; batch: 1.125
        Assert.Equal(1.125, Losses.MeanAbsoluteError.Compute(RegressionOutputs, RegressionTargets, default, 2), 6);
    }

    [Fact]
    public void Huber_is_quadratic_up_to_delta_and_linear_beyond()
    {
        // delta 1, errors p - y: -0.5 → 0.125, 1 → 0.5 (|e| <= delta), -1 → 0.5, -2 → 1·2 - 0.5 = 1.5;
        // rows (0.125 + 0.5) / 2 = 0.3125 and (0.5 + 1.5) / 2 = 1; batch 0.65625.
        Assert.Equal(0.65625, Losses.Huber.Compute(RegressionOutputs, RegressionTargets, default, 2), 6);
        // delta 0.5: 0.125, 0.5·1 - 0.125 = 0.375, 0.375, 0.5·2 - 0.125 = 0.875; rows 0.25 and 0.625; batch 0.4375.
        Assert.Equal(0.4375, new Huber(0.5f).Compute(RegressionOutputs, RegressionTargets, default, 2), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(0f));
    }

    [Fact]
    public void BinaryCrossentropy_clips_probabilities_as_Keras()
    {
        // sample 0: (-ln 0.9 - ln 0.8) / 2; sample 1: (-ln 0.4 - ln 1e-7) / 2, the 0 clipped to epsilon.
        float[] outputs = [0.9f, 0.2f, 0.6f, 0.0f];
        float[] targets = [1f, 0f, 0f, 1f];
        Assert.Equal(4.3407226, Losses.BinaryCrossentropy.Compute(outputs, targets, default, 2), 5);
    }

    [Fact]
    public void BinaryCrossentropy_label_smoothing_pulls_targets_to_one_half()
    {
        // smoothing 0.2: 1 → 0.9, 0 → 0.1; -(0.9 ln 0.9 + 0.1 ln 0.1) and -(0.1 ln 0.2 + 0.9 ln 0.8), mean 0.34342798.
        var loss = new BinaryCrossentropy(labelSmoothing: 0.2f);
        Assert.Equal(0.34342798, loss.Compute([0.9f, 0.2f], [1f, 0f], default, 2), 6);
    }

    [Fact]
    public void BinaryCrossentropy_from_logits_is_the_stable_sigmoid_form()
    {
        // z = 2, y = 1: ln(1 + e^-2); z = -1, y = 0: 0 - 0 + ln(1 + e^-1); mean 0.22009485.
        Assert.Equal(0.22009485, new BinaryCrossentropy(fromLogits: true).Compute([2f, -1f], [1f, 0f], default, 2), 6);
    }

    [Fact]
    public void CategoricalCrossentropy_takes_one_hot_and_soft_labels()
    {
        // sample 0: -ln 0.7; sample 1: -(0.2 ln 0.1 + 0.3 ln 0.3 + 0.5 ln 0.6); mean 0.71689831.
        float[] outputs = [0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f];
        float[] targets = [1f, 0f, 0f, 0.2f, 0.3f, 0.5f];
        Assert.Equal(0.71689831, Losses.CategoricalCrossentropy.Compute(outputs, targets, default, 3), 6);
    }

    [Fact]
    public void CategoricalCrossentropy_label_smoothing_from_logits_and_rescaling()
    {
        // smoothing 0.3 over 3 classes: [1, 0, 0] → [0.8, 0.1, 0.1]; -(0.8 ln 0.7 + 0.1 ln 0.2 + 0.1 ln 0.1).
        Assert.Equal(0.67654226, new CategoricalCrossentropy(labelSmoothing: 0.3f).Compute([0.7f, 0.2f, 0.1f], [1f, 0f, 0f], default, 3), 6);
        // logits [2, 1, 0], label 1: ln(e² + e + 1) - 1.
        Assert.Equal(1.40760596, new CategoricalCrossentropy(fromLogits: true).Compute([2f, 1f, 0f], [0f, 1f, 0f], default, 3), 6);
        // Probabilities that do not sum to 1 are rescaled first: [2, 6, 2] → 0.6 for the label.
        Assert.Equal(0.51082562, Losses.CategoricalCrossentropy.Compute([2f, 6f, 2f], [0f, 1f, 0f], default, 3), 6);
    }

    [Fact]
    public void Integer_labels_give_the_same_loss_as_their_one_hot_rows()
    {
        float[] outputs = [0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f];
        int[] labels = [0, 2];
        float[] oneHot = [1f, 0f, 0f, 0f, 0f, 1f];
        float[] weights = [0.5f, 2f];
        foreach (var loss in AllLosses())
        {
            float fromLabels = loss.Compute(outputs, labels, weights, 3);
            Assert.Equal(loss.Compute(outputs, oneHot, weights, 3), fromLabels);
            var labelGradient = new float[6];
            var rowGradient = new float[6];
            loss.Compute(outputs, labels, weights, 3, Activation.Sigmoid, labelGradient);
            loss.Compute(outputs, oneHot, weights, 3, Activation.Sigmoid, rowGradient);
            Assert.Equal(rowGradient, labelGradient);
        }
        // And SparseCategoricalCrossentropy agrees with CategoricalCrossentropy on one-hot rows, weights included.
        Assert.Equal(Losses.CategoricalCrossentropy.Compute(outputs, oneHot, weights, 3),
            Losses.SparseCategoricalCrossentropy.Compute(outputs, labels, weights, 3), 6);
    }

    public static TheoryData<string, Activation> GradientCases()
    {
        var cases = new TheoryData<string, Activation>();
        foreach (var name in new[] { "mse", "mae", "huber", "huber_0.3", "bce", "bce_smooth", "bce_logits", "cce", "cce_smooth", "cce_logits" })
            foreach (var activation in new[] { Activation.Linear, Activation.Sigmoid, Activation.Softmax })
                cases.Add(name, activation);
        return cases;
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Gradient_matches_central_differences(string name, Activation activation)
    {
        const int width = 3;
        var (loss, reference) = Case(name);
        double[] pre = [0.4, -1.1, 0.9, 1.3, 0.2, -0.6, -0.3, 0.8, 0.1];
        float[] targets = name.StartsWith("cce", StringComparison.Ordinal)
            ? [1f, 0f, 0f, 0.2f, 0.5f, 0.3f, 0f, 0.5f, 1f] // the last row sums to 1.5, which Keras allows
            : name.StartsWith("bce", StringComparison.Ordinal) ? [1f, 0f, 1f, 0f, 0f, 1f, 1f, 1f, 0f] : [0.2f, -0.7f, 1.5f, 0.9f, 0.3f, -0.2f, 0.4f, 0.6f, -1f];
        float[] weights = [1f, 0.5f, 2f];
        Func<double[], double[]> activate = activation switch
        {
            Activation.Sigmoid => z => Array.ConvertAll(z, v => 1 / (1 + Math.Exp(-v))),
            Activation.Softmax => z => LossTestMath.Softmax(z, width),
            _ => z => z,
        };
        // Probabilities for the probability losses behind a linear layer: keep them in (0, 1) and away from the clip.
        if (activation == Activation.Linear && !name.Contains("logits", StringComparison.Ordinal) && !IsRegression(name))
            pre = Array.ConvertAll(pre, v => 0.5 + 0.3 * Math.Tanh(v));
        var outputs = LossTestMath.ToFloat(activate(pre));
        var gradient = new float[outputs.Length];
        loss.Compute(outputs, targets, weights, width, activation, gradient);

        // The gradient is with respect to the pre-activations behind a softmax, to the outputs otherwise.
        double[] at = activation == Activation.Softmax ? pre : LossTestMath.ToDouble(outputs);
        Func<double[], double[]> map = activation == Activation.Softmax ? activate : o => o;
        var numeric = LossTestMath.CentralDifferences(v => reference(map(v), targets, weights, width), at);
        LossTestMath.AssertClose(numeric, gradient, 2e-4);
    }

    [Fact]
    public void Every_loss_allocates_nothing_once_warm()
    {
        foreach (var loss in AllLosses())
        {
            const int batch = 16, width = 4;
            var outputs = new float[batch * width];
            var targets = new float[batch * width];
            var weights = new float[batch];
            var labels = new int[batch];
            for (int i = 0; i < outputs.Length; i++) (outputs[i], targets[i]) = (0.1f + 0.8f * (i % 7) / 7f, i % 3 == 0 ? 1f : 0f);
            for (int i = 0; i < batch; i++) (weights[i], labels[i]) = (1f + i % 2, i % width);
            var gradient = new float[outputs.Length];
            float sink = 0;
            long allocated = SteadyStateAllocation.Measure(() =>
            {
                for (int i = 0; i < 200; i++)
                    sink += loss.Compute(outputs, targets, weights, width, Activation.Sigmoid, gradient)
                        + loss.Compute(outputs, targets, default, width)
                        + loss.Compute(outputs, labels, weights, width, Activation.Softmax, gradient)
                        + loss.Compute(outputs, labels, width);
            });
            Assert.True(allocated == 0, $"{loss.Name} allocated {allocated} bytes");
            Assert.True(float.IsFinite(sink));
        }
    }

    [Fact]
    public void Bad_targets_and_weights_say_what_and_where()
    {
        var loss = Losses.MeanSquaredError;
        var nan = Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], [0f, 1f, float.NaN, 0f], default, 2));
        Assert.Contains("sample 1, output 0", nan.Message);
        var shape = Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], new float[6], default, 2));
        Assert.Contains("same shape", shape.Message);
        var negative = Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], new float[4], [1f, -2f], 2));
        Assert.Contains("sample 1 is -2", negative.Message);
        var count = Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], new float[4], [1f, 1f, 1f], 2));
        Assert.Contains("3 sample weights for a batch of 2", count.Message);
        var sparse = Assert.Throws<NotSupportedException>(() => Losses.SparseCategoricalCrossentropy.Compute(new float[4], new float[4], default, 2));
        Assert.Contains("CategoricalCrossentropy", sparse.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossentropy(labelSmoothing: 1.5f));
    }

    private static bool IsRegression(string name) => name is "mse" or "mae" || name.StartsWith("huber", StringComparison.Ordinal);

    private static IEnumerable<Loss> AllLosses() =>
        [Losses.MeanSquaredError, Losses.MeanAbsoluteError, Losses.Huber, Losses.BinaryCrossentropy, Losses.CategoricalCrossentropy,
         new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1f), new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1f)];

    private delegate double Reference(double[] outputs, float[] targets, float[] weights, int width);

    /// <summary>The loss and its formula transcribed from Keras in double precision: per-sample values, weighted, summed, / batch.</summary>
    private static (Loss, Reference) Case(string name) => name switch
    {
        "mse" => (Losses.MeanSquaredError, Elementwise((p, y) => (p - y) * (p - y))),
        "mae" => (Losses.MeanAbsoluteError, Elementwise((p, y) => Math.Abs(p - y))),
        "huber" => (Losses.Huber, Elementwise((p, y) => HuberTerm(p - y, 1))),
        "huber_0.3" => (new Huber(0.3f), Elementwise((p, y) => HuberTerm(p - y, 0.3))),
        "bce" => (Losses.BinaryCrossentropy, Elementwise((p, y) => BinaryTerm(p, y))),
        "bce_smooth" => (new BinaryCrossentropy(labelSmoothing: 0.2f), Elementwise((p, y) => BinaryTerm(p, y * 0.8 + 0.1))),
        "bce_logits" => (new BinaryCrossentropy(fromLogits: true), Elementwise((z, y) => BinaryTerm(1 / (1 + Math.Exp(-z)), y))),
        "cce" => (Losses.CategoricalCrossentropy, Rows((p, y) => CategoricalRow(p, y, 0, false))),
        "cce_smooth" => (new CategoricalCrossentropy(labelSmoothing: 0.25f), Rows((p, y) => CategoricalRow(p, y, 0.25, false))),
        "cce_logits" => (new CategoricalCrossentropy(fromLogits: true), Rows((z, y) => CategoricalRow(z, y, 0, true))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static double HuberTerm(double error, double delta) =>
        Math.Abs(error) <= delta ? 0.5 * error * error : delta * Math.Abs(error) - 0.5 * delta * delta;

    private static double BinaryTerm(double p, double y)
    {
        p = Math.Clamp(p, LossTestMath.KerasEpsilon, 1 - LossTestMath.KerasEpsilon);
        return -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
    }

    private static double CategoricalRow(double[] row, double[] target, double smoothing, bool fromLogits)
    {
        int k = row.Length;
        double[] log;
        if (fromLogits)
        {
            double max = row.Max(), lse = max + Math.Log(row.Sum(z => Math.Exp(z - max)));
            log = Array.ConvertAll(row, z => z - lse);
        }
        else
        {
            double sum = row.Sum();
            log = Array.ConvertAll(row, p => Math.Log(Math.Clamp(p / sum, LossTestMath.KerasEpsilon, 1 - LossTestMath.KerasEpsilon)));
        }
        double loss = 0;
        for (int j = 0; j < k; j++) loss -= (target[j] * (1 - smoothing) + smoothing / k) * log[j];
        return loss;
    }

    private static Reference Elementwise(Func<double, double, double> term) => (outputs, targets, weights, width) =>
    {
        int batch = outputs.Length / width;
        double total = 0;
        for (int s = 0; s < batch; s++)
        {
            double row = 0;
            for (int j = 0; j < width; j++) row += term(outputs[s * width + j], targets[s * width + j]);
            total += weights[s] * row / width;
        }
        return total / batch;
    };

    private static Reference Rows(Func<double[], double[], double> rowLoss) => (outputs, targets, weights, width) =>
    {
        int batch = outputs.Length / width;
        double total = 0;
        for (int s = 0; s < batch; s++)
            total += weights[s] * rowLoss(outputs[(s * width)..((s + 1) * width)], Array.ConvertAll(targets[(s * width)..((s + 1) * width)], v => (double)v));
        return total / batch;
    };
}
