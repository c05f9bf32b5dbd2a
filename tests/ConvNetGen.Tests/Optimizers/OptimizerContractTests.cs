namespace ConvNetGen.Tests.Optimizers;

public class OptimizerContractTests
{
    // Odd sizes so the vectorized loops and their scalar tails both run, whatever Vector<float>.Count is.
    private const int ParameterCount = 53;
    private static readonly ParameterRange[] AllTrainable = [new(0, 20), new(20, 33)];
    private static readonly ParameterRange[] SomeFrozen = [new(0, 11), new(30, 23)];
    private const int FrozenStart = 11, FrozenEnd = 30;

    public static TheoryData<string> Optimizers => OptimizerTestCases.Names;

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Step_MatchesKerasReferenceOverSeveralSteps(string name)
    {
        var (optimizer, reference) = OptimizerTestCases.Create(name, ParameterCount);
        var parameters = OptimizerTestCases.InitialParameters(ParameterCount);
        var expected = Array.ConvertAll(parameters, p => (double)p);

        for (int step = 1; step <= 12; step++)
        {
            var gradients = OptimizerTestCases.Gradients(ParameterCount, step);
            optimizer.Step(parameters, gradients, AllTrainable);
            reference.Step(expected, Array.ConvertAll(gradients, g => (double)g), AllTrainable, OptimizerTestCases.LearningRate);
            OptimizerTestCases.AssertClose(expected, parameters, 2e-5, $"{name}, step {step}");
        }
        Assert.Equal(12, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void UpdatingInSlices_AsTheTrainingThreadsDo_EqualsOneStep_BitForBit(string name)
    {
        // The model splits each step's update across its threads: BeginStep once, then UpdateSlice per thread on
        // slices that cut through ranges (and through frozen gaps); the result must not depend on the cuts.
        var (whole, _) = OptimizerTestCases.Create(name, ParameterCount);
        var (sliced, _) = OptimizerTestCases.Create(name, ParameterCount);
        var wholeParameters = OptimizerTestCases.InitialParameters(ParameterCount);
        var slicedParameters = OptimizerTestCases.InitialParameters(ParameterCount);
        int[] cuts = [0, 7, 16, 25, 41, ParameterCount];
        for (int step = 1; step <= 5; step++)
        {
            var gradients = OptimizerTestCases.Gradients(ParameterCount, step);
            whole.Step(wholeParameters, gradients, SomeFrozen);
            sliced.BeginStep(slicedParameters, gradients, SomeFrozen);
            for (int i = cuts.Length - 2; i >= 0; i--) // any order: the slices are independent
                sliced.UpdateSlice(slicedParameters, gradients, SomeFrozen, cuts[i], cuts[i + 1]);
            Assert.Equal(wholeParameters, slicedParameters);
        }
        Assert.Equal(whole.Iterations, sliced.Iterations);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void FrozenRanges_KeepTheirParametersAndState_UntilUnfrozen(string name)
    {
        var (optimizer, reference) = OptimizerTestCases.Create(name, ParameterCount);
        var parameters = OptimizerTestCases.InitialParameters(ParameterCount);
        var initial = (float[])parameters.Clone();
        var expected = Array.ConvertAll(parameters, p => (double)p);

        for (int step = 1; step <= 5; step++)
        {
            var gradients = OptimizerTestCases.Gradients(ParameterCount, step);
            optimizer.Step(parameters, gradients, SomeFrozen);
            reference.Step(expected, Array.ConvertAll(gradients, g => (double)g), SomeFrozen, OptimizerTestCases.LearningRate);
        }

        for (int i = FrozenStart; i < FrozenEnd; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(initial[i]), BitConverter.SingleToInt32Bits(parameters[i]));
        foreach (var state in StateBuffers(optimizer).Where(buffer => buffer.Length > 0))
        {
            for (int i = FrozenStart; i < FrozenEnd; i++)
                Assert.Equal(0f, state[i]);
        }

        // Unfrozen at step 6, the layer starts from zero state while the step count (Adam's bias correction) is 6:
        // any state leaked during the frozen steps would make it diverge from the reference.
        for (int step = 6; step <= 9; step++)
        {
            var gradients = OptimizerTestCases.Gradients(ParameterCount, step);
            optimizer.Step(parameters, gradients, AllTrainable);
            reference.Step(expected, Array.ConvertAll(gradients, g => (double)g), AllTrainable, OptimizerTestCases.LearningRate);
            OptimizerTestCases.AssertClose(expected, parameters, 2e-5, $"{name}, step {step}");
        }
    }

    [Fact]
    public void Iterations_CountsSteps_AndLearningRateChangesApplyToTheNextStep()
    {
        var sgd = new SGD(0.1f);
        sgd.Build(1);
        float[] w = [1f];
        Assert.Equal(0, sgd.Iterations);
        sgd.Step(w, [1f], [new(0, 1)]);
        sgd.LearningRate = 0.5f;
        sgd.Step(w, [1f], [new(0, 1)]);
        Assert.Equal(2, sgd.Iterations);
        Assert.Equal(0.4, w[0], 1e-6);

        // Frozen everything still counts as a step, as in Keras.
        sgd.Step(w, [1f], []);
        Assert.Equal(3, sgd.Iterations);
        Assert.Equal(0.4, w[0], 1e-6);
    }

    [Fact]
    public void Build_SameSizeKeepsState_NewSizeStartsOver()
    {
        var adam = new Adam(0.1f);
        adam.Build(3);
        float[] w = [1f, 1f, 1f];
        adam.Step(w, [0.5f, 0.5f, 0.5f], [new(0, 3)]);

        adam.Build(3);
        Assert.Equal(1, adam.Iterations);
        Assert.Equal(0.05, adam.Momentums[0], 1e-7);

        adam.Build(2);
        Assert.Equal(0, adam.Iterations);
        Assert.Equal(2, adam.ParameterCount);
        Assert.Equal(new float[2], adam.Momentums.ToArray());

        // A rebuilt optimizer steps exactly like a fresh one.
        var fresh = new Adam(0.1f);
        fresh.Build(2);
        float[] rebuiltW = [1f, 2f], freshW = [1f, 2f];
        adam.Step(rebuiltW, [0.3f, -0.4f], [new(0, 2)]);
        fresh.Step(freshW, [0.3f, -0.4f], [new(0, 2)]);
        Assert.Equal(freshW, rebuiltW);
    }

    [Fact]
    public void Build_RejectsNegativeCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD().Build(-1));
    }

    [Fact]
    public void Step_BeforeBuild_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Adam().Step(new float[2], new float[2], [new(0, 2)]));
        Assert.Contains("Build", error.Message);
    }

    [Fact]
    public void Step_WithBuffersOfTheWrongLength_Throws()
    {
        var adam = new Adam();
        adam.Build(4);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[4], [])).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[5], [])).ParamName);
        Assert.Equal(0, adam.Iterations);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, 11)]
    [InlineData(10, 1)]
    [InlineData(3, -1)]
    [InlineData(int.MaxValue, 2)]
    public void Step_WithRangeOutsideTheBuffers_ThrowsAndChangesNothing(int start, int length)
    {
        var sgd = new SGD(0.1f);
        sgd.Build(10);
        var w = new float[10];
        var g = Enumerable.Repeat(1f, 10).ToArray();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Step(w, g, [new(0, 2), new(start, length)]));
        Assert.Equal("trainableRanges", error.ParamName);
        Assert.Equal(new float[10], w);
        Assert.Equal(0, sgd.Iterations);
    }

    [Fact]
    public void Step_WithOverlappingRanges_Throws()
    {
        var sgd = new SGD(0.1f);
        sgd.Build(10);
        Assert.Throws<ArgumentException>(() => sgd.Step(new float[10], new float[10], [new(0, 5), new(4, 3)]));
        // Adjacent and empty ranges are fine.
        sgd.Step(new float[10], new float[10], [new(0, 5), new(5, 5), new(2, 0)]);
    }

    [Fact]
    public void LearningRate_RejectsBadValues()
    {
        var adam = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = float.NaN);
        Assert.Equal(0.001f, adam.LearningRate);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Step_AllocatesNothing(string name)
    {
        const int count = 1000;
        var (optimizer, _) = OptimizerTestCases.Create(name, count);
        optimizer.LearningRate = 1e-4f;
        var parameters = OptimizerTestCases.InitialParameters(count);
        var gradients = OptimizerTestCases.Gradients(count, 1);
        ParameterRange[] ranges = [new(0, 300), new(310, 690)];

        for (int i = 0; i < 200; i++)
            optimizer.Step(parameters, gradients, ranges);

        long allocated = SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 1000; i++)
                optimizer.Step(parameters, gradients, ranges);
        });

        Assert.Equal(0, allocated);
    }

    private static float[][] StateBuffers(Optimizer optimizer) => optimizer switch
    {
        SGD sgd => [sgd.Momentums.ToArray()],
        RMSprop rmsprop => [rmsprop.Velocities.ToArray(), rmsprop.Momentums.ToArray(), rmsprop.AverageGradients.ToArray()],
        Adam adam => [adam.Momentums.ToArray(), adam.Velocities.ToArray(), adam.VelocityHats.ToArray()],
        _ => throw new ArgumentException(optimizer.GetType().Name),
    };
}
