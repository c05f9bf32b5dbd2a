namespace ConvNetGen.Tests.Optimizers;

public class AdamTests
{
    private static readonly ParameterRange[] Everything = [new(0, 1)];

    [Fact]
    public void Defaults_AreKeras()
    {
        var adam = new Adam();
        Assert.Equal(0.001f, adam.LearningRate);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-7f, adam.Epsilon);
        Assert.False(adam.Amsgrad);
        Assert.Equal("adam", adam.Name);
    }

    [Fact]
    public void BiasCorrection_AtSteps1And2()
    {
        // lr = 0.1, constant g = 0.5, w = 1. Keras raises the float32 betas (0.9f = 0.89999998, 0.999f = 0.99900001) to t
        // but takes 1 - beta in double (0.1, 0.001):
        //   t = 1: m = 0.05, v = 0.00025, alpha = 0.1 * sqrt(1 - 0.99900001) / (1 - 0.89999998) = 0.031622565
        //          w = 1 - 0.05 * 0.031622565 / (sqrt(0.00025) + 1e-7) = 0.9000013000
        //   t = 2: m = 0.095, v = 0.00049975, alpha = 0.1 * sqrt(1 - 0.99900001^2) / (1 - 0.89999998^2) = 0.023531516
        //          w = 0.9000013 - 0.095 * 0.023531516 / (sqrt(0.00049975) + 1e-7) = 0.8000024133
        // The corrected steps are full-sized (about lr); without the correction step 1 would be 0.1 * 0.05 / 0.0158 = 0.316.
        var adam = new Adam(0.1f);
        adam.Build(1);
        float[] w = [1f];

        adam.Step(w, [0.5f], Everything);
        Assert.Equal(1, adam.Iterations);
        Assert.Equal(0.9000013000, w[0], 1e-7);
        Assert.Equal(0.05, adam.Momentums[0], 1e-9);
        Assert.Equal(0.00025, adam.Velocities[0], 1e-10);

        adam.Step(w, [0.5f], Everything);
        Assert.Equal(2, adam.Iterations);
        Assert.Equal(0.8000024133, w[0], 1e-7);
        Assert.Equal(0.095, adam.Momentums[0], 1e-8);
        Assert.Equal(0.00049975, adam.Velocities[0], 1e-10);
    }

    [Fact]
    public void Epsilon_IsAddedOutsideTheSquareRoot()
    {
        // g = 1e-6 at t = 1: m = 1e-7, sqrt(v) = 1e-6 * sqrt(0.001), alpha = 0.031622565 (see above).
        // Keras: m * alpha / (sqrt(v) + 1e-7) = 0.0240251; inside the root it would be 1e-5.
        var adam = new Adam(0.1f);
        adam.Build(1);
        float[] w = [0f];
        adam.Step(w, [1e-6f], Everything);
        Assert.Equal(-0.0240251469, w[0], 1e-8);
    }

    [Fact]
    public void Amsgrad_DividesByTheLargestSecondMomentSoFar()
    {
        // g = 1 then 0.01: v_2 = 0.001 + (0.0001 - 0.001) * 0.001 = 0.0009991 < v_1 = 0.001, so AMSGrad divides by 0.001.
        //   plain:   w = -0.1677452946     amsgrad: w = -0.1677148020
        var plain = new Adam(0.1f);
        var amsgrad = new Adam(0.1f, amsgrad: true);
        plain.Build(1);
        amsgrad.Build(1);
        float[] wPlain = [0f], wAmsgrad = [0f];
        foreach (float g in new[] { 1f, 0.01f })
        {
            plain.Step(wPlain, [g], Everything);
            amsgrad.Step(wAmsgrad, [g], Everything);
        }
        Assert.Equal(-0.1677452946, wPlain[0], 5e-8);
        Assert.Equal(-0.1677148020, wAmsgrad[0], 5e-8);
        Assert.Equal(0.0009991, amsgrad.Velocities[0], 1e-10);
        Assert.Equal(0.001, amsgrad.VelocityHats[0], 1e-10);
        Assert.Equal(0, plain.VelocityHats.Length);
    }

    [Theory]
    [InlineData("beta1", -0.1f, 0.999f)]
    [InlineData("beta1", 1f, 0.999f)]
    [InlineData("beta2", 0.9f, 1f)]
    [InlineData("beta2", 0.9f, float.NaN)]
    public void Constructor_RejectsBetasOutsideUnitInterval(string parameter, float beta1, float beta2)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: beta1, beta2: beta2)).ParamName);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    public void Constructor_RejectsNonPositiveEpsilon(float epsilon)
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: epsilon)).ParamName);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NegativeInfinity)]
    public void Constructor_RejectsBadLearningRate(float learningRate)
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(learningRate)).ParamName);
    }
}
