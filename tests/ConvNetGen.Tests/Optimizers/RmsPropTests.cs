namespace ConvNetGen.Tests.Optimizers;

public class RmsPropTests
{
    private static readonly ParameterRange[] Everything = [new(0, 1)];

    [Fact]
    public void Defaults_AreKeras()
    {
        var rmsprop = new RMSprop();
        Assert.Equal(0.001f, rmsprop.LearningRate);
        Assert.Equal(0.9f, rmsprop.Rho);
        Assert.Equal(0f, rmsprop.Momentum);
        Assert.Equal(1e-7f, rmsprop.Epsilon);
        Assert.False(rmsprop.Centered);
        Assert.Equal("rmsprop", rmsprop.Name);
    }

    [Fact]
    public void MatchesKerasDocstringExample()
    {
        // keras.optimizers.RMSprop docstring: learning_rate=0.1, var1 = 10, loss = var1^2 / 2 (gradient = var1)
        // -> 9.683772 after one minimize. By hand: velocity = 0.1 * 100 = 10, w = 10 - 0.1 * 10 / sqrt(10 + 1e-7).
        var rmsprop = new RMSprop(0.1f);
        rmsprop.Build(1);
        float[] w = [10f];
        rmsprop.Step(w, [w[0]], Everything);
        Assert.Equal(9.683772, w[0], 1e-5);

        // Second step, gradient = 9.683772: velocity = 0.9 * 10 + 0.1 * 9.683772^2 = 18.37754...
        rmsprop.Step(w, [w[0]], Everything);
        Assert.Equal(9.4578802, w[0], 1e-5);
    }

    [Fact]
    public void Momentum_IsPlainMomentumOnTheIncrement()
    {
        // increment_1 = 0.1 * 10 / sqrt(10) = 0.3162278;  buffer = 0.3162278;                w = 9.6837722
        // increment_2 = 0.1 * 10 / sqrt(19) = 0.2294157;  buffer = 0.5 * 0.3162278 + 0.2294157 = 0.3875296;  w = 9.2962426
        var rmsprop = new RMSprop(0.1f, momentum: 0.5f);
        rmsprop.Build(1);
        float[] w = [10f];
        rmsprop.Step(w, [10f], Everything);
        Assert.Equal(9.6837722, w[0], 1e-5);
        rmsprop.Step(w, [10f], Everything);
        Assert.Equal(9.2962426, w[0], 1e-5);
    }

    [Fact]
    public void Centered_DividesByTheEstimatedStandardDeviation()
    {
        // velocity = 0.1 * 100 = 10, average = 0.1 * 10 = 1, denominator = 10 - 1 + 1e-7 -> w = 10 - 1 / 3 = 9.6666667
        var rmsprop = new RMSprop(0.1f, centered: true);
        rmsprop.Build(1);
        float[] w = [10f];
        rmsprop.Step(w, [10f], Everything);
        Assert.Equal(9.6666667, w[0], 1e-5);
    }

    [Fact]
    public void Epsilon_IsAddedInsideTheSquareRoot()
    {
        // g = 1e-4: velocity = 1e-9; Keras: 0.1 * 1e-4 / sqrt(1e-9 + 1e-7) = 0.0314658,
        // whereas sqrt(v) + eps would give 0.3152309.
        var rmsprop = new RMSprop(0.1f);
        rmsprop.Build(1);
        float[] w = [0f];
        rmsprop.Step(w, [1e-4f], Everything);
        Assert.Equal(-0.0314658388, w[0], 1e-6);
    }

    [Fact]
    public void OptionalBuffers_ExistOnlyWhenUsed()
    {
        var plain = new RMSprop();
        plain.Build(10);
        Assert.Equal(10, plain.Velocities.Length);
        Assert.Equal(0, plain.Momentums.Length);
        Assert.Equal(0, plain.AverageGradients.Length);

        var full = new RMSprop(momentum: 0.9f, centered: true);
        full.Build(10);
        Assert.Equal(10, full.Momentums.Length);
        Assert.Equal(10, full.AverageGradients.Length);
    }

    [Theory]
    [InlineData(-0.01f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Constructor_RejectsRhoOutsideUnitInterval(float rho)
    {
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(rho: rho)).ParamName);
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(1f)]
    public void Constructor_RejectsMomentumOutsideUnitInterval(float momentum)
    {
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(momentum: momentum)).ParamName);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1e-7f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Constructor_RejectsNonPositiveEpsilon(float epsilon)
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(epsilon: epsilon)).ParamName);
    }

    [Fact]
    public void Constructor_RejectsBadLearningRate()
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(-1f)).ParamName);
    }
}
