namespace ConvNetGen.Tests.Losses;

/// <summary>The metrics beyond accuracy, each on a case counted by hand from Keras' definitions (keras/src/metrics).</summary>
public sealed class ClassificationMetricTests
{
    // Three samples of two sigmoid outputs. At 0.5: (0.9, 1) TP, (0.4, 0) TN, (0.6, 0) FP, (0.7, 1) TP, (0.2, 1) FN, (0.55, 0) FP.
    private static readonly float[] BinaryOutputs = [0.9f, 0.4f, 0.6f, 0.7f, 0.2f, 0.55f];
    private static readonly float[] BinaryTargets = [1f, 0f, 0f, 1f, 1f, 0f];

    // Five samples of three classes; each row's highest output predicts 0, 1, 0, 2, 1 for true classes 0, 1, 2, 2, 0.
    private static readonly float[] ClassOutputs = [0.7f, 0.2f, 0.1f, 0.3f, 0.4f, 0.3f, 0.5f, 0.3f, 0.2f, 0.1f, 0.1f, 0.8f, 0.2f, 0.5f, 0.3f];
    private static readonly int[] ClassLabels = [0, 1, 2, 2, 0];

    [Fact]
    public void Precision_and_Recall_count_every_output_at_one_half()
    {
        // TP 2, FP 2, FN 1: precision 2/4, recall 2/3.
        var precision = new Precision();
        var recall = new Recall();
        precision.Update(BinaryOutputs, BinaryTargets, 2);
        recall.Update(BinaryOutputs, BinaryTargets, 2);
        Assert.Equal((2, 2, 1), (precision.TruePositives, precision.FalsePositives, precision.FalseNegatives));
        Assert.Equal(0.5f, precision.Result);
        Assert.Equal(2f / 3, recall.Result, 6);
        Assert.Equal(("precision", "recall"), (precision.Name, recall.Name));
    }

    [Fact]
    public void Precision_and_Recall_take_a_threshold_and_a_class_id()
    {
        // At 0.65 only 0.9 and 0.7 are positive, both right: precision 1; the 0.2 with target 1 is missed: recall 2/3.
        var precision = new Precision(threshold: 0.65f);
        var recall = new Recall(threshold: 0.65f);
        precision.Update(BinaryOutputs, BinaryTargets, 2);
        recall.Update(BinaryOutputs, BinaryTargets, 2);
        Assert.Equal(1f, precision.Result);
        Assert.Equal(2f / 3, recall.Result, 6);
        // Column 1 alone: (0.4, 0) TN, (0.7, 1) TP, (0.55, 0) FP → precision 1/2, recall 1.
        var column = new Precision(classId: 1);
        var columnRecall = new Recall(classId: 1);
        column.Update(BinaryOutputs, BinaryTargets, 2);
        columnRecall.Update(BinaryOutputs, BinaryTargets, 2);
        Assert.Equal(0.5f, column.Result);
        Assert.Equal(1f, columnRecall.Result);
    }

    [Fact]
    public void Counts_add_up_across_batches_and_reset()
    {
        var precision = new Precision();
        precision.Update(BinaryOutputs.AsSpan(0, 2), BinaryTargets.AsSpan(0, 2), 2);
        precision.Update(BinaryOutputs.AsSpan(2), BinaryTargets.AsSpan(2), 2);
        Assert.Equal(0.5f, precision.Result);
        precision.Reset();
        Assert.Equal(0f, precision.Result); // nothing to divide: Keras' divide_no_nan gives 0
        Assert.Equal(0, precision.TruePositives);
    }

    [Fact]
    public void BinaryAccuracy_compares_thresholded_outputs_with_targets()
    {
        // Thresholded: 1 0 | 1 1 | 0 1 against 1 0 | 0 1 | 1 0: 3 of 6 match.
        var accuracy = new BinaryAccuracy();
        accuracy.Update(BinaryOutputs, BinaryTargets, 2);
        Assert.Equal(0.5f, accuracy.Result);
        Assert.Equal("binary_accuracy", accuracy.Name);
    }

    [Fact]
    public void CategoricalAccuracy_compares_argmaxes()
    {
        // Predicted 0 1 0 2 1 against 0 1 2 2 0: 3 of 5.
        var accuracy = new CategoricalAccuracy();
        accuracy.Update(ClassOutputs, OneHot(ClassLabels, 3), 3);
        Assert.Equal(0.6f, accuracy.Result, 6);
    }

    [Fact]
    public void F1Score_averages_as_Keras()
    {
        // Per class (TP, FP, FN): 0 → (1, 1, 1), F1 0.5; 1 → (1, 1, 0), P 1/2, R 1, F1 2/3; 2 → (1, 0, 1), F1 2/3.
        // Support (positive targets) 2, 1, 2. Pooled: TP 3, FP 2, FN 2 → 0.6.
        Assert.Equal(0.5 / 3 + 4.0 / 9, Score(F1Average.Macro), 5);
        Assert.Equal((2 * 0.5 + 2.0 / 3 + 2 * 2.0 / 3) / 5, Score(F1Average.Weighted), 5);
        Assert.Equal(0.6, Score(F1Average.Micro), 5);

        var perClass = new F1Score();
        perClass.Update(ClassOutputs, ClassLabels, 3); // integer labels as their one-hot rows
        Assert.Equal([0.5, 2.0 / 3, 2.0 / 3], perClass.ClassScores.Select(s => (double)Math.Round(s, 5)), new RoundedComparer());
        var logs = new List<KeyValuePair<string, float>>();
        perClass.AddResults(logs);
        Assert.Equal(["f1_score_0", "f1_score_1", "f1_score_2"], logs.Select(l => l.Key));
        Assert.Equal(0.5, logs[0].Value, 5);

        static double Score(F1Average average)
        {
            var f1 = new F1Score(average);
            f1.Update(ClassOutputs, OneHot(ClassLabels, 3), 3);
            return f1.Result;
        }
    }

    [Fact]
    public void F1Score_with_a_threshold_predicts_every_output_above_it()
    {
        // At 0.45 sample 1 (0.3, 0.4, 0.3) predicts nothing: class 1 has TP 0, FP 1 (sample 4's 0.5), FN 1 → F1 0.
        var f1 = new F1Score(threshold: 0.45f);
        f1.Update(ClassOutputs, OneHot(ClassLabels, 3), 3);
        Assert.Equal(0f, f1.ClassScores[1], 6);
        Assert.Equal(0.5f, f1.ClassScores[0], 5);
    }

    [Fact]
    public void AUC_is_the_trapezoid_sum_over_Keras_buckets()
    {
        // Scores 0.1 (neg), 0.4 (neg), 0.35 (pos), 0.8 (pos) land in different buckets: the exact ROC AUC, 3 of 4 pairs.
        var auc = new AUC();
        auc.Update([0.1f, 0.4f, 0.35f, 0.8f], [0f, 0f, 1f, 1f], 1);
        Assert.Equal(0.75f, auc.Result, 6);
        Assert.Equal(("auc", 200), (auc.Name, auc.NumThresholds));

        // 0.4010 (pos) and 0.4015 (neg) share bucket 79 (ceil(p · 199) - 1): the curve joins (0, 0) and (1, 1), area 1/2,
        // where the exact AUC would be 0.
        var tied = new AUC();
        tied.Update([0.4010f, 0.4015f], [1f, 0f], 1);
        Assert.Equal(0.5f, tied.Result, 6);

        // No negatives: every false positive rate is 0, so the area is 0, as in Keras.
        var positivesOnly = new AUC();
        positivesOnly.Update([0.2f, 0.9f], [1f, 1f], 1);
        Assert.Equal(0f, positivesOnly.Result);
    }

    [Fact]
    public void MeanAbsoluteErrorMetric_is_the_mean_of_row_means()
    {
        // rows (|0.5 - 1| + |2 - 1|) / 2 = 0.75 and (|-1 - 0| + |0 - 2|) / 2 = 1.5, in two batches: 1.125.
        var mae = new MeanAbsoluteErrorMetric();
        mae.Update([0.5f, 2f], [1f, 1f], 2);
        mae.Update([-1f, 0f], [0f, 2f], 2);
        Assert.Equal(1.125f, mae.Result);
        Assert.Equal("mean_absolute_error", mae.Name);
    }

    [Fact]
    public void ConfusionMatrix_rows_are_true_classes_and_columns_predictions()
    {
        var counts = new long[9];
        ConfusionMatrix.Count(counts, ClassOutputs, ClassLabels, 3);
        var matrix = new ConfusionMatrix(3, counts);
        // true 0 → predicted 0 and 1; true 1 → 1; true 2 → 0 and 2.
        Assert.Equal(new long[,] { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } }, matrix.ToArray());
        Assert.Equal(5, matrix.Total);
        Assert.Equal(1, matrix[2, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[3, 0]);
        Assert.Contains("true\\pred", matrix.ToString());
    }

    [Fact]
    public void Metrics_refuse_what_they_cannot_take()
    {
        var nan = Assert.Throws<ArgumentException>(() => new Precision().Update([0.5f, 0.5f], [1f, float.NaN], 2));
        Assert.Contains("sample 0, output 1", nan.Message);
        Assert.Throws<NotSupportedException>(() => Metrics.Accuracy.Update([0.5f, 0.5f], [1f, 0f], 2));
        var f1 = new F1Score();
        f1.Update([0.5f, 0.5f], [1f, 0f], 2);
        Assert.Throws<ArgumentException>(() => f1.Update([0.5f, 0.5f, 0f], [1f, 0f, 0f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(threshold: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(numThresholds: 1));
    }

    [Fact]
    public void CreateNew_keeps_the_configuration_and_nothing_accumulated()
    {
        var precision = new Precision(threshold: 0.7f, classId: 1, name: "p1");
        precision.Update(BinaryOutputs, BinaryTargets, 2);
        var copy = (Precision)precision.CreateNew();
        Assert.Equal((0.7f, (int?)1, "p1", 0L), (copy.Threshold, copy.ClassId, copy.Name, copy.TruePositives));
        var f1 = (F1Score)new F1Score(F1Average.Weighted, 0.3f, "f").CreateNew();
        Assert.Equal((F1Average.Weighted, (float?)0.3f, "f"), (f1.Average, f1.Threshold, f1.Name));
    }

    private static float[] OneHot(int[] labels, int classes)
    {
        var rows = new float[labels.Length * classes];
        for (int i = 0; i < labels.Length; i++) rows[i * classes + labels[i]] = 1f;
        return rows;
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-5;
        public int GetHashCode(double obj) => 0;
    }
}
