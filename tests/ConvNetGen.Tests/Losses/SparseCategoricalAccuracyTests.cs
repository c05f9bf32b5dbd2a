namespace ConvNetGen.Tests.Losses;

// The metric lives next to the losses' tests: both score a batch of outputs against integer labels.
public class SparseCategoricalAccuracyTests
{
    [Fact]
    public void Accuracy_IsAFreshMetricNamedAccuracy()
    {
        var first = ConvNetGen.Metrics.Accuracy;
        var second = ConvNetGen.Metrics.Accuracy;
        Assert.NotSame(first, second);
        Assert.IsType<SparseCategoricalAccuracy>(first);
        Assert.Equal("accuracy", first.Name);
        Assert.Equal(0f, first.Result);
    }

    [Fact]
    public void Result_IsTheRunningMeanWeightedBySampleCount()
    {
        var accuracy = new SparseCategoricalAccuracy();

        // Batch of 3, argmaxes 0, 2, 1 against labels 0, 2, 0: 2 correct.
        accuracy.Update([0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.2f, 0.5f, 0.3f], [0, 2, 0], 3);
        Assert.Equal(2.0 / 3, accuracy.Result, 1e-6);

        // Batch of 5, argmaxes 0, 1, 2, 0 (a tie goes to the first), 2 against labels 0, 1, 2, 1, 2: 4 correct,
        // so 6 of 8 overall (not the 0.733 mean of the two batch means).
        accuracy.Update(
            [0.9f, 0.05f, 0.05f, 0.1f, 0.8f, 0.1f, 0.1f, 0.1f, 0.8f, 0.4f, 0.4f, 0.2f, 0.3f, 0.3f, 0.4f],
            [0, 1, 2, 1, 2],
            3);
        Assert.Equal(0.75, accuracy.Result, 1e-7);
        Assert.Equal(8, accuracy.Count);

        accuracy.Reset();
        Assert.Equal(0f, accuracy.Result);
        Assert.Equal(0, accuracy.Count);
    }

    [Fact]
    public void Ties_GoToTheFirstClass()
    {
        var accuracy = new SparseCategoricalAccuracy();
        // Sample 2's tie between classes 0 and 1 goes to 0, as argmax does; the label 1 is then wrong.
        accuracy.Update([0.5f, 0.5f, 0f, 0.5f, 0.5f, 0f], [0, 1], 3);
        Assert.Equal(0.5, accuracy.Result, 1e-7);
    }

    [Fact]
    public void LabelOutOfRange_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalAccuracy().Update(new float[4], [0, 2], 2));
        Assert.Contains("sample 1", error.Message);
    }

    [Fact]
    public void Update_AllocatesNothing()
    {
        var accuracy = new SparseCategoricalAccuracy();
        var outputs = new float[64 * 10];
        var labels = new int[64];
        for (int i = 0; i < 100; i++)
            accuracy.Update(outputs, labels, 10);
        Assert.Equal(0, SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 1000; i++)
                accuracy.Update(outputs, labels, 10);
        }));
        Assert.Equal(1f, accuracy.Result);
    }
}
