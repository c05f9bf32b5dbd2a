namespace ConvNetGen.Tests.Callbacks;

/// <summary>The schedules against Keras' formulas, worked out by hand; and an optimizer reading them per step.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public void ExponentialDecay_follows_rate_to_the_step_over_decay_steps()
    {
        var decay = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5f);
        Assert.Equal(0.1f, decay[0]);
        Assert.Equal(0.05f, decay[10], 6);
        Assert.Equal(0.1f * MathF.Sqrt(0.5f), decay[5], 6);
        var stairs = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5f, staircase: true);
        Assert.Equal(0.1f, stairs[9]);
        Assert.Equal(0.05f, stairs[15], 6);
    }

    [Fact]
    public void CosineDecay_halves_at_mid_way_ends_at_alpha_and_warms_up_linearly()
    {
        var cosine = new CosineDecay(1f, decaySteps: 10, alpha: 0.1f);
        Assert.Equal(1f, cosine[0]);
        Assert.Equal(0.55f, cosine[5], 6); // (1 - 0.1) * 0.5 + 0.1
        Assert.Equal(0.1f, cosine[10], 6);
        Assert.Equal(0.1f, cosine[1000], 6);
        var warm = new CosineDecay(0.1f, decaySteps: 10, warmupTarget: 1f, warmupSteps: 10);
        Assert.Equal(0.1f, warm[0]);
        Assert.Equal(0.55f, warm[5], 6);
        Assert.Equal(1f, warm[10], 6);
        Assert.Equal(0.5f, warm[15], 6);
        Assert.True(warm[20] > 0f); // alpha 0 ends on the smallest positive rate, never 0
    }

    [Fact]
    public void PiecewiseConstantDecay_switches_after_each_boundary()
    {
        var piecewise = new PiecewiseConstantDecay([10, 20], [1f, 0.5f, 0.1f]);
        Assert.Equal([1f, 1f, 0.5f, 0.5f, 0.1f], new long[] { 0, 10, 11, 20, 21 }.Select(s => piecewise[s]));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 20], [1f, 0.5f]));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([20, 10], [1f, 0.5f, 0.1f]));
    }

    [Fact]
    public void An_optimizer_reads_its_schedule_at_the_0_based_step_and_refuses_a_set_rate()
    {
        var sgd = new SGD(new PiecewiseConstantDecay([0], [1f, 0.5f]));
        sgd.Build(1);
        float[] w = [1f];
        sgd.Step(w, [1f], [new ParameterRange(0, 1)]);
        Assert.Equal(0f, w[0]); // step 0: rate 1
        Assert.Equal(0.5f, sgd.LearningRate); // what step 1 will use
        sgd.Step(w, [1f], [new ParameterRange(0, 1)]);
        Assert.Equal(-0.5f, w[0]);
        var error = Assert.Throws<InvalidOperationException>(() => sgd.LearningRate = 0.1f);
        Assert.Contains("PiecewiseConstantDecay", error.Message);
    }

    [Fact]
    public void Adam_with_a_constant_schedule_steps_exactly_as_with_the_fixed_rate()
    {
        var fixedRate = new Adam(0.01f);
        var scheduled = new Adam(new PiecewiseConstantDecay([], [0.01f]));
        float[] a = [1f, -2f], b = [1f, -2f];
        fixedRate.Build(2);
        scheduled.Build(2);
        for (int i = 0; i < 3; i++)
        {
            fixedRate.Step(a, [0.3f, -0.1f], [new ParameterRange(0, 2)]);
            scheduled.Step(b, [0.3f, -0.1f], [new ParameterRange(0, 2)]);
        }
        Assert.Equal(a, b);
        Assert.NotEqual(1f, a[0]);
    }
}
