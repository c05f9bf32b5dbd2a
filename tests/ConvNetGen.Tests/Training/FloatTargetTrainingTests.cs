namespace ConvNetGen.Tests.Training;

using Losses = global::ConvNetGen.Losses;

/// <summary>Float targets, sample and class weights through Fit, TrainOnBatch and Evaluate.</summary>
public sealed class FloatTargetTrainingTests
{
    /// <summary>Inputs uniform in [-1, 1] and targets y0 = x0 + 2 x1 - x2, y1 = x3 · x0.</summary>
    private static (float[] X, float[] Y) RegressionData(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 4];
        var y = new float[count * 2];
        for (int i = 0; i < x.Length; i++) x[i] = 2 * random.NextSingle() - 1;
        for (int s = 0; s < count; s++)
        {
            var v = x.AsSpan(s * 4, 4);
            y[s * 2] = v[0] + 2 * v[1] - v[2];
            y[s * 2 + 1] = v[3] * v[0];
        }
        return (x, y);
    }

    /// <summary>Inputs uniform in [-1, 1] and labels x0 &gt; 0, x1 &gt; 0, x2 + x3 &gt; 0, any number of them on at once.</summary>
    private static (float[] X, float[] Y) MultiLabelData(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 6];
        var y = new float[count * 3];
        for (int i = 0; i < x.Length; i++) x[i] = 2 * random.NextSingle() - 1;
        for (int s = 0; s < count; s++)
        {
            var v = x.AsSpan(s * 6, 6);
            y[s * 3] = v[0] > 0 ? 1 : 0;
            y[s * 3 + 1] = v[1] > 0 ? 1 : 0;
            y[s * 3 + 2] = v[2] + v[3] > 0 ? 1 : 0;
        }
        return (x, y);
    }

    [Fact]
    public void A_regressor_learns_a_known_function_with_mean_squared_error()
    {
        var (x, y) = RegressionData(512, seed: 1);
        var (testX, testY) = RegressionData(256, seed: 2);
        var model = new Regressor(seed: 3) { ThreadCount = 1 }; // one thread: the long run leaves the shared worker team to other tests
        model.Compile(new Adam(0.01f), Losses.MeanSquaredError, [new MeanAbsoluteErrorMetric()]);
        float before = model.Evaluate(testX, testY).Loss;
        var history = model.Fit(x, y, epochs: 30, batchSize: 32, validationSplit: 0.25f, verbose: Verbosity.Silent);
        var after = model.Evaluate(testX, testY);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.2f, $"training loss {history["loss"][0]} → {history["loss"][^1]}");
        Assert.True(after.Loss < before * 0.05f, $"test loss {before} → {after.Loss}");
        Assert.True(after.Metrics["mean_absolute_error"] < 0.15f, $"test MAE {after.Metrics["mean_absolute_error"]}");
        Assert.Equal(30, history["val_mean_absolute_error"].Count);
        Assert.Null(after.ConfusionMatrix); // float targets have no classes to confuse
    }

    [Fact]
    public void A_multi_label_net_learns_with_binary_crossentropy()
    {
        var (x, y) = MultiLabelData(600, seed: 4);
        var (testX, testY) = MultiLabelData(300, seed: 5);
        var model = new MultiLabelNet(seed: 6) { ThreadCount = 1 }; // one thread: the long run leaves the shared worker team to other tests
        model.Compile(new Adam(0.01f), Losses.BinaryCrossentropy, [new BinaryAccuracy(), new Precision(), new Recall(), new AUC()]);
        var history = model.Fit(x, y, epochs: 20, batchSize: 32, verbose: Verbosity.Silent);
        var result = model.Evaluate(testX, testY);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.5f, $"training loss {history["loss"][0]} → {history["loss"][^1]}");
        Assert.True(result.Metrics["binary_accuracy"] > 0.9f, $"binary accuracy {result.Metrics["binary_accuracy"]}");
        Assert.True(result.Metrics["precision"] > 0.85f && result.Metrics["recall"] > 0.85f, $"precision {result.Metrics["precision"]}, recall {result.Metrics["recall"]}");
        Assert.True(result.Metrics["auc"] > 0.95f, $"AUC {result.Metrics["auc"]}");
    }

    [Fact]
    public void Evaluate_gives_the_hand_computed_mean_absolute_error()
    {
        // output = x0 + 2 x1 - x2 + 0.5: samples (1, 0, 0) → 1.5, (0, 1, 1) → 1.5, (2, -1, 0) → 0.5.
        var model = new LinearUnit();
        model.SetWeights(new Dictionary<string, float[]> { ["line/kernel"] = [1f, 2f, -1f], ["line/bias"] = [0.5f] });
        model.Compile(new SGD(0.1f), Losses.MeanSquaredError, [new MeanAbsoluteErrorMetric()]);
        float[] x = [1, 0, 0, 0, 1, 1, 2, -1, 0];
        float[] y = [1f, 2f, 0f]; // errors 0.5, -0.5, 0.5
        var result = model.Evaluate(x, y);
        Assert.Equal(0.5f, result.Metrics["mean_absolute_error"], 6);
        Assert.Equal(0.25f, result.Loss, 6);
        // Weighted (Keras' sum_over_batch_size): (2 · 0.25 + 0 + 1 · 0.25) / 3.
        Assert.Equal(0.25f, model.Evaluate(x, y, sampleWeight: [2f, 0f, 1f]).Loss, 6);
        Assert.Equal(0.5f / 3, model.Evaluate(x, y, sampleWeight: [1f, 0f, 1f]).Loss, 6);
        Assert.Equal(0.5f, model.Evaluate(x, y, sampleWeight: [1f, 0f, 1f]).Metrics["mean_absolute_error"], 6); // metrics are unweighted
    }

    [Fact]
    public void Evaluate_gives_the_hand_counted_precision_and_recall_of_a_multi_label_model()
    {
        // gate = sigmoid(10 · x): an output is above 0.5 exactly when its input is positive.
        var model = new SigmoidPair();
        model.SetWeights(new Dictionary<string, float[]> { ["gate/kernel"] = [10f, 0f, 0f, 10f], ["gate/bias"] = [0f, 0f] });
        model.Compile(new SGD(0.1f), Losses.BinaryCrossentropy, [new Precision(), new Recall(), new Recall(classId: 0, name: "recall_0")]);
        // predicted: (1, 0), (1, 1), (0, 1), (0, 0); targets: (1, 0), (0, 1), (1, 1), (0, 1)
        // TP: (0,0) (1,1) (2,1) = 3; FP: (1,0) = 1; FN: (2,0) (3,1) = 2 → precision 3/4, recall 3/5; column 0: TP 1, FN 1 → 1/2.
        float[] x = [0.5f, -0.2f, 0.3f, 0.8f, -0.4f, 0.1f, -0.6f, -0.9f];
        float[] y = [1, 0, 0, 1, 1, 1, 0, 1];
        var result = model.Evaluate(x, y);
        Assert.Equal(0.75f, result.Metrics["precision"]);
        Assert.Equal(0.6f, result.Metrics["recall"], 6);
        Assert.Equal(0.5f, result.Metrics["recall_0"]);
    }

    [Fact]
    public void Evaluate_with_labels_gives_the_confusion_matrix()
    {
        // classes = softmax(x): the prediction is the largest input.
        var model = new SoftmaxUnit();
        model.SetWeights(new Dictionary<string, float[]> { ["classes/kernel"] = [1, 0, 0, 0, 1, 0, 0, 0, 1], ["classes/bias"] = [0f, 0f, 0f] });
        model.Compile(new SGD(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        float[] x = [3, 0, 0, 0, 3, 0, 0, 3, 0, 0, 0, 3, 3, 0, 0];
        int[] y = [0, 1, 2, 2, 1]; // predicted 0, 1, 1, 2, 0
        var result = model.Evaluate(x, y);
        Assert.Equal(new long[,] { { 1, 0, 0 }, { 1, 1, 0 }, { 0, 1, 1 } }, result.ConfusionMatrix!.ToArray());
        Assert.Equal(0.6f, result.Accuracy, 6);
    }

    [Fact]
    public void Class_weights_train_exactly_as_the_sample_weights_Keras_makes_of_them()
    {
        var (x, y) = SyntheticData.Make(96, seed: 8);
        var classWeight = new Dictionary<int, float> { [0] = 2f, [2] = 0.5f }; // class 1 left out: weight 1
        var sampleWeight = Array.ConvertAll(y, label => label switch { 0 => 2f, 2 => 0.5f, _ => 1f });
        float[] Train(Func<SmallNet, History> fit)
        {
            var model = new SmallNet(seed: 9) { ThreadCount = 2 };
            model.Compile(new SGD(0.05f), Losses.SparseCategoricalCrossentropy);
            fit(model);
            return model.Parameters.ToArray();
        }
        var byClass = Train(m => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, classWeight: classWeight));
        var bySample = Train(m => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, sampleWeight: sampleWeight));
        var unweighted = Train(m => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent));
        Assert.Equal(bySample, byClass);
        Assert.NotEqual(unweighted, byClass);
        // All-ones weights are no weights at all.
        var ones = Train(m => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, sampleWeight: Enumerable.Repeat(1f, y.Length).ToArray()));
        Assert.Equal(unweighted, ones);
    }

    [Fact]
    public void Class_weights_on_a_dataset_train_as_on_the_same_arrays()
    {
        var (x, y) = SyntheticData.Make(80, seed: 20);
        var classWeight = new Dictionary<int, float> { [1] = 3f };
        float[] Train(Action<SmallNet> fit)
        {
            var model = new SmallNet(seed: 21) { ThreadCount = 2 };
            model.Compile(new SGD(0.05f), Losses.SparseCategoricalCrossentropy);
            fit(model);
            return model.Parameters.ToArray();
        }
        var arrays = Train(m => m.Fit(x, y, epochs: 2, batchSize: 16, verbose: Verbosity.Silent, classWeight: classWeight));
        var dataset = Train(m => m.Fit(new ArrayDataset(x, y, 12, 12, 1), epochs: 2, batchSize: 16, verbose: Verbosity.Silent, classWeight: classWeight));
        Assert.Equal(arrays, dataset);
        Assert.NotEqual(Train(m => m.Fit(new ArrayDataset(x, y, 12, 12, 1), epochs: 2, batchSize: 16, verbose: Verbosity.Silent)), dataset);
    }

    [Fact]
    public void TrainOnBatch_returns_the_weighted_loss_Evaluate_gives_before_the_step()
    {
        var (x, y) = RegressionData(8, seed: 10);
        float[] weights = [1, 0, 2, 3, 0.5f, 1, 0, 4];
        var model = new Regressor(seed: 11) { ThreadCount = 2 };
        model.Compile(new SGD(0.01f), new Huber(0.5f));
        float expected = model.Evaluate(x, y, sampleWeight: weights).Loss;
        Assert.Equal(expected, model.TrainOnBatch(x, y, weights), 5);
    }

    [Fact]
    public void Integer_labels_with_categorical_crossentropy_train_as_one_hot_float_targets()
    {
        var (x, y) = SyntheticData.Make(64, seed: 12);
        var oneHot = new float[y.Length * 3];
        for (int i = 0; i < y.Length; i++) oneHot[i * 3 + y[i]] = 1f;
        float[] Train(Action<SmallNet> fit)
        {
            var model = new SmallNet(seed: 13) { ThreadCount = 2 };
            model.Compile(new Adam(0.01f), Losses.CategoricalCrossentropy, [new CategoricalAccuracy()]);
            fit(model);
            return model.Parameters.ToArray();
        }
        Assert.Equal(Train(m => m.Fit(x, oneHot, epochs: 1, batchSize: 16, verbose: Verbosity.Silent)),
            Train(m => m.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent)));
    }

    [Fact]
    public void Bad_targets_and_weights_say_what_and_where()
    {
        var (x, y) = RegressionData(10, seed: 14);
        var model = new Regressor(seed: 15);
        model.Compile(new SGD(0.01f), Losses.MeanSquaredError);

        var nan = (float[])y.Clone();
        nan[7] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, nan, verbose: Verbosity.Silent));
        Assert.Contains("y has NaN at sample 3, output 1", error.Message);

        error = Assert.Throws<ArgumentException>(() => model.Fit(x, y[..19], verbose: Verbosity.Silent));
        Assert.Contains("needs 20 targets (10 × Regressor's 2 outputs), but has 19", error.Message);

        var weights = Enumerable.Repeat(1f, 10).ToArray();
        weights[4] = -1f;
        error = Assert.Throws<ArgumentException>(() => model.Fit(x, y, sampleWeight: weights, verbose: Verbosity.Silent));
        Assert.Contains("sampleWeight[4] is -1", error.Message);
        error = Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, sampleWeight: weights[..9]));
        Assert.Contains("9 weights for 10 samples", error.Message);

        error = Assert.Throws<ArgumentException>(() => model.Fit(x, y, validationData: (x, y[..18]), verbose: Verbosity.Silent));
        Assert.Contains("validationData.Y", error.Message);

        var classifier = new SmallNet(seed: 16);
        classifier.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy);
        var (cx, cy) = SyntheticData.Make(12, seed: 17);
        error = Assert.Throws<ArgumentException>(() => classifier.Fit(cx, cy, classWeight: new Dictionary<int, float> { [3] = 1f }, verbose: Verbosity.Silent));
        Assert.Contains("classWeight has class 3", error.Message);
        error = Assert.Throws<ArgumentException>(() => classifier.Fit(cx, cy, classWeight: new Dictionary<int, float> { [1] = float.NaN }, verbose: Verbosity.Silent));
        Assert.Contains("classWeight[1] is NaN", error.Message);
        error = Assert.Throws<ArgumentException>(() => classifier.Fit(cx, cy, verbose: Verbosity.Silent,
            classWeight: new Dictionary<int, float> { [1] = 2f }, sampleWeight: new float[12]));
        Assert.Contains("not both", error.Message);
    }

    [Fact]
    public void A_loss_that_takes_only_labels_refuses_float_targets_before_training()
    {
        var (x, _) = SyntheticData.Make(12, seed: 18);
        var model = new SmallNet(seed: 19);
        model.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy);
        var before = model.Parameters.ToArray();
        var error = Assert.Throws<NotSupportedException>(() => model.Fit(x, new float[36], verbose: Verbosity.Silent));
        Assert.Contains("sparse_categorical_crossentropy", error.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }
}
