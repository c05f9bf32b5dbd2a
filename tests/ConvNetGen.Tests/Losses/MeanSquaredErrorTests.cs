namespace ConvNetGen.Tests.Losses;

public class MeanSquaredErrorTests
{
    private readonly Loss _loss = ConvNetGen.Losses.MeanSquaredError;

    [Fact]
    public void Name_IsKeras()
    {
        Assert.Equal("mean_squared_error", _loss.Name);
    }

    [Fact]
    public void Value_IsTheMeanOverClassesThenOverBatch()
    {
        // ((0.09 + 0.04 + 0.01) / 3 + (0.01 + 0.36 + 0.49) / 3) / 2 = (0.0466667 + 0.2866667) / 2 = 0.1666667
        float[] outputs = [0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f];
        int[] labels = [0, 2];
        Assert.Equal(1.0 / 6, _loss.Compute(outputs, labels, 3), 1e-6);
        Assert.Equal(1.0 / 6, _loss.Compute(outputs, labels, 3, Activation.Linear, new float[6]), 1e-6);
    }

    [Fact]
    public void OutputGradient_MatchesCentralFiniteDifferences()
    {
        const int classes = 3;
        double[] outputs = [0.8, -0.3, 0.6, 0.1, 1.9, 0.4];
        int[] labels = [0, 2];
        var floatOutputs = LossTestMath.ToFloat(outputs);
        var gradient = new float[outputs.Length];
        _loss.Compute(floatOutputs, labels, classes, Activation.Tanh, gradient);

        var numeric = LossTestMath.CentralDifferences(
            o => LossTestMath.MeanSquaredError(o, labels, classes), LossTestMath.ToDouble(floatOutputs));
        LossTestMath.AssertClose(numeric, gradient, 1e-6);
    }

    [Fact]
    public void SoftmaxGradient_IsWithRespectToTheLogits()
    {
        const int classes = 4;
        double[] logits = [0.5, -1.2, 2.0, 0.1, 3.0, 2.5, -0.5, 0.0];
        int[] labels = [1, 0];
        var probabilities = LossTestMath.ToFloat(LossTestMath.Softmax(logits, classes));
        var gradient = new float[probabilities.Length];
        _loss.Compute(probabilities, labels, classes, Activation.Softmax, gradient);

        var numeric = LossTestMath.CentralDifferences(
            z => LossTestMath.MeanSquaredError(LossTestMath.Softmax(z, classes), labels, classes), logits);
        LossTestMath.AssertClose(numeric, gradient, 1e-6);
    }

    [Fact]
    public void LabelOutOfRange_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _loss.Compute(new float[6], [0, 7], 3));
        Assert.Contains("sample 1", error.Message);
    }

    [Fact]
    public void Compute_AllocatesNothing()
    {
        LossAllocation.AssertNone(_loss);
    }
}
