namespace ConvNetGen.Tests.Losses;

public class SparseTopKCategoricalAccuracyTests
{
    [Fact]
    public void Counts_a_label_among_the_k_highest_outputs()
    {
        // Hand-checked: labels 2 (second highest), 0 (lowest of four), 3 (highest).
        var metric = new SparseTopKCategoricalAccuracy(k: 2);
        metric.Update([0.1f, 0.5f, 0.3f, 0.1f, 0.05f, 0.4f, 0.3f, 0.25f, 0.1f, 0.2f, 0.3f, 0.4f], [2, 0, 3], 4);
        Assert.Equal(2f / 3, metric.Result, 6);
        Assert.Equal("sparse_top_k_categorical_accuracy", metric.Name);
    }

    [Fact]
    public void Ties_at_the_boundary_count_as_in_the_top_k_as_in_top_k_does()
    {
        // The label ties two other classes for the highest score: no class scores strictly higher, so it is in the top 1.
        var metric = new SparseTopKCategoricalAccuracy(k: 1);
        metric.Update([0.3f, 0.3f, 0.3f, 0.1f], [1], 4);
        Assert.Equal(1f, metric.Result);
        metric.Update([0.3f, 0.3f, 0.3f, 0.1f], [3], 4);
        Assert.Equal(0.5f, metric.Result);
    }

    [Fact]
    public void Is_a_running_mean_over_batches_reset_per_epoch_and_never_right_for_NaN()
    {
        var metric = new SparseTopKCategoricalAccuracy(k: 1, name: "top1");
        metric.Update([0.9f, 0.1f], [0], 2);
        metric.Update([float.NaN, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f], [0, 1, 1], 2);
        Assert.Equal(2f / 4, metric.Result); // right: the first batch's, and the second batch's second sample
        var fresh = metric.CreateNew();
        Assert.Equal("top1", fresh.Name);
        Assert.Equal(0f, fresh.Result);
        metric.Reset();
        Assert.Equal(0f, metric.Result);
    }

    [Fact]
    public void Agrees_with_accuracy_at_k_1_when_no_scores_tie()
    {
        var random = new Random(3);
        var outputs = Enumerable.Range(0, 200 * 10).Select(_ => random.NextSingle()).ToArray();
        var labels = Enumerable.Range(0, 200).Select(_ => random.Next(10)).ToArray();
        var top1 = new SparseTopKCategoricalAccuracy(k: 1);
        var accuracy = ConvNetGen.Metrics.Accuracy;
        top1.Update(outputs, labels, 10);
        accuracy.Update(outputs, labels, 10);
        Assert.Equal(accuracy.Result, top1.Result);
        var top10 = new SparseTopKCategoricalAccuracy(k: 10);
        top10.Update(outputs, labels, 10);
        Assert.Equal(1f, top10.Result);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTopKCategoricalAccuracy(k: 0));
        var metric = new SparseTopKCategoricalAccuracy();
        Assert.Throws<ArgumentOutOfRangeException>(() => metric.Update([0.5f, 0.5f], [2], 2));
        Assert.Throws<ArgumentException>(() => metric.Update([0.5f, 0.5f, 0.1f], [0], 2));
    }
}
