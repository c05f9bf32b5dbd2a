namespace ConvNetGen.Tests.Optimizers;

public class SgdTests
{
    private static readonly ParameterRange[] Everything = [new(0, 1)];

    private static float[] Run(SGD optimizer, float initial, params float[] gradientPerStep)
    {
        optimizer.Build(1);
        float[] w = [initial];
        var trajectory = new float[gradientPerStep.Length];
        for (int t = 0; t < gradientPerStep.Length; t++)
        {
            optimizer.Step(w, [gradientPerStep[t]], Everything);
            trajectory[t] = w[0];
        }
        return trajectory;
    }

    [Fact]
    public void Defaults_AreKeras()
    {
        var sgd = new SGD();
        Assert.Equal(0.01f, sgd.LearningRate);
        Assert.Equal(0f, sgd.Momentum);
        Assert.False(sgd.Nesterov);
        Assert.Equal("SGD", sgd.Name);
    }

    [Fact]
    public void Plain_StepsAgainstTheGradient()
    {
        // w = 1 - 0.1 * 0.5 = 0.95, then 0.95 - 0.1 * (-1) = 1.05
        var trajectory = Run(new SGD(0.1f), 1f, 0.5f, -1f);
        Assert.Equal(0.95, trajectory[0], 1e-6);
        Assert.Equal(1.05, trajectory[1], 1e-6);
    }

    [Fact]
    public void Momentum_AccumulatesVelocity()
    {
        // velocity = 0.9 * 0 - 0.1 * 0.5 = -0.05;            w = 1 - 0.05 = 0.95
        // velocity = 0.9 * -0.05 - 0.1 * 0.5 = -0.095;       w = 0.95 - 0.095 = 0.855
        var trajectory = Run(new SGD(0.1f, 0.9f), 1f, 0.5f, 0.5f);
        Assert.Equal(0.95, trajectory[0], 1e-6);
        Assert.Equal(0.855, trajectory[1], 1e-6);
    }

    [Fact]
    public void Nesterov_LooksAheadAlongTheVelocity()
    {
        // velocity = -0.05;   w = 1 + 0.9 * -0.05 - 0.05 = 0.905
        // velocity = -0.095;  w = 0.905 + 0.9 * -0.095 - 0.05 = 0.7695
        var trajectory = Run(new SGD(0.1f, 0.9f, nesterov: true), 1f, 0.5f, 0.5f);
        Assert.Equal(0.905, trajectory[0], 1e-6);
        Assert.Equal(0.7695, trajectory[1], 1e-6);
    }

    [Fact]
    public void Nesterov_DiffersFromPlainMomentum_ButNotWithoutMomentum()
    {
        float[] gradients = [0.3f, -0.2f, 0.7f];
        var plain = Run(new SGD(0.1f, 0.5f), 2f, gradients);
        var nesterov = Run(new SGD(0.1f, 0.5f, nesterov: true), 2f, gradients);
        Assert.NotEqual(plain[^1], nesterov[^1]);

        // Keras only reads nesterov when there is a momentum buffer.
        Assert.Equal(Run(new SGD(0.1f), 2f, gradients), Run(new SGD(0.1f, 0f, nesterov: true), 2f, gradients));
    }

    [Fact]
    public void NoMomentum_AllocatesNoState()
    {
        var sgd = new SGD(0.1f);
        sgd.Build(100);
        Assert.Equal(0, sgd.Momentums.Length);
        var withMomentum = new SGD(0.1f, 0.9f);
        withMomentum.Build(100);
        Assert.Equal(100, withMomentum.Momentums.Length);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Constructor_RejectsBadLearningRate(float learningRate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(learningRate));
        Assert.Equal("learningRate", error.ParamName);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Constructor_RejectsMomentumOutsideUnitInterval(float momentum)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(0.01f, momentum));
        Assert.Equal("momentum", error.ParamName);
    }
}
