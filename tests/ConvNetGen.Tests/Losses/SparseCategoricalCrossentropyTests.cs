namespace ConvNetGen.Tests.Losses;

public class SparseCategoricalCrossentropyTests
{
    private readonly Loss _loss = ConvNetGen.Losses.SparseCategoricalCrossentropy;

    [Fact]
    public void Name_IsKeras()
    {
        Assert.Equal("sparse_categorical_crossentropy", _loss.Name);
        Assert.Same(_loss, ConvNetGen.Losses.SparseCategoricalCrossentropy);
    }

    [Fact]
    public void Value_IsTheMeanNegativeLogOfTheLabelsProbability()
    {
        // (-ln 0.7 - ln 0.3) / 2 = (0.3566749439 + 1.2039728043) / 2 = 0.7803238741
        float[] outputs = [0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f];
        int[] labels = [0, 2];
        Assert.Equal(0.7803238741, _loss.Compute(outputs, labels, 3), 1e-6);
        Assert.Equal(0.7803238741, _loss.Compute(outputs, labels, 3, Activation.Softmax, new float[6]), 1e-6);
        Assert.Equal(0.7803238741, _loss.Compute(outputs, labels, 3, Activation.Sigmoid, new float[6]), 1e-6);
    }

    [Fact]
    public void Value_NormalizesRowsAsKerasDoes()
    {
        // Keras divides the outputs by their sum first: -ln(0.6 / (0.6 + 0.9 + 0.3)) = -ln(1/3) = 1.0986122887
        Assert.Equal(1.0986122887, _loss.Compute([0.6f, 0.9f, 0.3f], [0], 3), 1e-6);
    }

    [Fact]
    public void Value_ClipsProbabilitiesLikeKeras()
    {
        // p = 0 costs -ln(1e-7) = 16.1180956510; p = 1 costs -ln(1 - 1e-7), about 1e-7. Mean: 8.05904788.
        float[] outputs = [0f, 1f, 0f, 1f, 0f, 0f];
        int[] labels = [0, 0];
        float loss = _loss.Compute(outputs, labels, 3);
        Assert.Equal(8.05904788, loss, 1e-5);

        var gradient = new float[6];
        Assert.Equal(loss, _loss.Compute(outputs, labels, 3, Activation.Sigmoid, gradient));
        // The clip is flat there, so (as autodiff through Keras' clip) no gradient flows, and nothing is infinite.
        Assert.All(gradient, g => Assert.Equal(0f, g));

        // Behind a softmax the fused gradient still pushes a p = 0 label up: (0 - 1) / 2.
        Assert.Equal(loss, _loss.Compute(outputs, labels, 3, Activation.Softmax, gradient));
        Assert.Equal([-0.5f, 0.5f, 0f, 0f, 0f, 0f], gradient);
    }

    [Fact]
    public void SoftmaxGradient_IsProbabilitiesMinusOneHotOverBatch_AndMatchesFiniteDifferencesOfTheLogits()
    {
        const int classes = 4;
        double[] logits = [0.5, -1.2, 2.0, 0.1, 3.0, 2.5, -0.5, 0.0, -2.0, 1.0, 0.3, 0.7];
        int[] labels = [2, 0, 3];
        var probabilities = LossTestMath.ToFloat(LossTestMath.Softmax(logits, classes));

        var gradient = new float[probabilities.Length];
        _loss.Compute(probabilities, labels, classes, Activation.Softmax, gradient);

        var expected = new double[probabilities.Length];
        for (int i = 0; i < expected.Length; i++)
            expected[i] = (probabilities[i] - (labels[i / classes] == i % classes ? 1.0 : 0.0)) / labels.Length;
        LossTestMath.AssertClose(expected, gradient, 1e-7);

        var numeric = LossTestMath.CentralDifferences(
            z => LossTestMath.SparseCategoricalCrossentropy(LossTestMath.Softmax(z, classes), labels, classes), logits);
        LossTestMath.AssertClose(numeric, gradient, 1e-5);
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.ReLU)]
    public void OutputGradient_MatchesCentralFiniteDifferences(Activation activation)
    {
        // Sigmoid-like outputs that do not sum to 1, so the row normalization's share of the gradient shows.
        const int classes = 3;
        double[] outputs = [0.8, 0.3, 0.6, 0.1, 0.9, 0.4, 0.05, 0.2, 0.7, 0.5, 0.5, 0.5];
        int[] labels = [0, 2, 1, 1];
        var floatOutputs = LossTestMath.ToFloat(outputs);
        var exactOutputs = LossTestMath.ToDouble(floatOutputs);

        var gradient = new float[outputs.Length];
        float loss = _loss.Compute(floatOutputs, labels, classes, activation, gradient);

        Assert.Equal(LossTestMath.SparseCategoricalCrossentropy(exactOutputs, labels, classes), loss, 1e-6);
        var numeric = LossTestMath.CentralDifferences(o => LossTestMath.SparseCategoricalCrossentropy(o, labels, classes), exactOutputs);
        LossTestMath.AssertClose(numeric, gradient, 1e-5);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void LabelOutOfRange_ThrowsNamingTheSampleAndTheLabel(int badLabel)
    {
        float[] outputs = [0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f];
        int[] labels = [1, badLabel];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _loss.Compute(outputs, labels, 3));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("sample 1", error.Message);
        Assert.Contains(badLabel.ToString(), error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _loss.Compute(outputs, labels, 3, Activation.Softmax, new float[6]));
    }

    [Fact]
    public void MismatchedLengths_Throw()
    {
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => _loss.Compute(new float[5], [0, 1], 3)).ParamName);
        Assert.Equal("outputGradient",
            Assert.Throws<ArgumentException>(() => _loss.Compute(new float[6], [0, 1], 3, Activation.Softmax, new float[5])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => _loss.Compute([], [], 3)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => _loss.Compute([], [0], 0)).ParamName);
        Assert.Equal("outputActivation",
            Assert.Throws<ArgumentOutOfRangeException>(() => _loss.Compute(new float[3], [0], 3, (Activation)42, new float[3])).ParamName);
    }

    [Fact]
    public void Compute_AllocatesNothing()
    {
        LossAllocation.AssertNone(_loss);
    }
}
