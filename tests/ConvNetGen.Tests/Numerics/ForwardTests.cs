namespace ConvNetGen.Tests.Numerics;

/// <summary>Generated forward passes (float32) against the float64 reference, for batches of 1, 3 and 7 (and 12).</summary>
public class ForwardTests
{
    private static readonly Dictionary<string, (Func<Model> Create, Func<ReferenceModel> Reference, double InputLow, double InputHigh)> Models = new()
    {
        ["MnistConvNet"] = (() => new MnistConvNetCopy(seed: 7), TestReferences.MnistConvNet, 0, 1),
        ["KitchenSink"] = (() => new KitchenSinkNet(seed: 7), TestReferences.KitchenSink, -1, 1),
        ["TrainingMix"] = (() => new TrainingMixNet(seed: 7), TestReferences.TrainingMix, -1, 1),
        ["FlattenFirst"] = (() => new FlattenFirstNet(seed: 7), TestReferences.FlattenFirst, -1, 1),
        ["BatchNormFirst"] = (() => new BatchNormFirstNet(seed: 7), TestReferences.BatchNormFirst, -1, 1),
        // Graphs: fan-out, Add, Concatenate (with the model's input), blocks; ResidualIdentity has a BatchNormalization on its branch.
        ["ResidualIdentity"] = (() => new GradResidualIdentity(seed: 7), TestReferences.ResidualIdentity, -1, 1),
        ["ProjectionShortcut"] = (() => new GradProjectionShortcut(seed: 7), TestReferences.ProjectionShortcut, -1, 1),
        ["ConcatenateBranches"] = (() => new GradConcatenateBranches(seed: 7), TestReferences.ConcatenateBranches, -1, 1),
        ["ActivationLayers"] = (() => new GradActivationLayers(seed: 7), TestReferences.ActivationLayers, -1, 1),
        ["PaddedPooling"] = (() => new GradPaddedPooling(seed: 7), TestReferences.PaddedPooling, -1, 1),
        ["BlockTwice"] = (() => new GradBlockTwice(seed: 7), TestReferences.BlockTwice, -1, 1),
        ["GraphCorners"] = (() => new GradGraphCorners(seed: 7), TestReferences.GraphCorners, -1, 1),
        ["GraphCorners2"] = (() => new GradGraphCorners2(seed: 7), TestReferences.GraphCorners2, -1, 1),
        // Full size: the ResNet-8 that Data.FashionMnistResNetTests trains (28×28 convs, three residual stages).
        ["FashionResNet8"] = (() => new Data.FashionResNet8(seed: 7), Data.FashionMnistResNetTests.Reference, 0, 1),
    };

    /// <summary>Models whose training-mode pass is deterministic (no dropout above rate 0).</summary>
    private static readonly string[] Deterministic =
        ["MnistConvNet", "TrainingMix", "BatchNormFirst", "ResidualIdentity", "ProjectionShortcut", "ConcatenateBranches", "ActivationLayers", "PaddedPooling", "BlockTwice", "GraphCorners", "GraphCorners2", "FashionResNet8"];

    public static TheoryData<string, int, bool> Cases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string name in Models.Keys)
            foreach (int batch in name == "MnistConvNet" ? new[] { 1, 3, 7, 12 } : new[] { 1, 3, 7 }) // 12: conv2d_2 takes Winograd from 9
            {
                data.Add(name, batch, false);
                if (Deterministic.Contains(name)) data.Add(name, batch, true);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_reference(string name, int batch, bool training)
    {
        var (create, createReference, low, high) = Models[name];
        var model = create();
        var reference = createReference();
        NumericsKit.Randomize(model, 11);
        var x = NumericsKit.Uniform(batch * reference.InputSize, 12 + batch, low, high);
        var p = NumericsKit.ToDouble(model.Parameters);
        var xd = NumericsKit.ToDouble(x);

        var output = new float[batch * reference.OutputSize];
        model.ForwardPass(x, output, training);

        NumericsKit.AssertClose(output, reference.Forward(xd, batch, p, training), NumericsKit.ForwardTolerance, $"{name}, batch {batch}, training {training}");
        // Training-mode passes update the moving statistics, and nothing else; inference passes change nothing.
        var expected = training ? reference.ParametersAfterTrainingPass(xd, batch, p) : p;
        NumericsKit.AssertClose(model.Parameters, expected, 1e-6, $"{name}'s parameters after the pass");
    }

    public static TheoryData<string, int> InferenceCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Models.Keys)
            foreach (int batch in new[] { 1, 3, 7 })
                data.Add(name, batch);
        return data;
    }

    /// <summary>
    /// On an inference workspace, as Predict and Evaluate run: the convs read BatchNormalization (and the ReLU after
    /// it) folded into their kernels and biases where the plan says so (ResidualIdentity, FashionResNet8), and every
    /// other layer as in a training workspace.
    /// </summary>
    [Theory]
    [MemberData(nameof(InferenceCases))]
    public void An_inference_workspace_forward_matches_the_reference(string name, int batch)
    {
        var (create, createReference, low, high) = Models[name];
        var model = create();
        var reference = createReference();
        NumericsKit.Randomize(model, 11);
        var x = NumericsKit.Uniform(batch * reference.InputSize, 12 + batch, low, high);
        var before = model.Parameters.ToArray();

        var output = new float[batch * reference.OutputSize];
        model.ForwardPass(x, output, training: false, inferenceWorkspace: true);

        NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), batch, NumericsKit.ToDouble(before), training: false),
            NumericsKit.ForwardTolerance, $"{name}, batch {batch}, inference workspace");
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void Predict_over_several_workspace_chunks_matches_the_reference()
    {
        // Predict runs in chunks of its workspace's capacity (16 samples): 150 samples take ten, the last partial.
        const int Samples = 150;
        var model = new KitchenSinkNet(seed: 7);
        var reference = TestReferences.KitchenSink();
        NumericsKit.Randomize(model, 11);
        var x = NumericsKit.Uniform(Samples * reference.InputSize, 13);
        var output = new float[Samples * reference.OutputSize];
        model.Predict(x, output);
        NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(x), Samples, NumericsKit.ToDouble(model.Parameters), training: false),
            NumericsKit.ForwardTolerance, "Predict");
    }

    [Fact]
    public void The_copy_of_the_reference_model_is_the_sample()
    {
        // Same summary as samples/Mnist/MnistConvNet.cs gives in Keras (Deep Learning with Python, chapter 8).
        var a = MnistConvNetCopy.Architecture;
        Assert.Equal(104_202, a.ParameterCount);
        Assert.Equal(
            ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2", "flatten", "dense"],
            a.Layers.Select(l => l.Name).ToArray());
        Assert.Equal([3, 3, 128], a.Layers[4].OutputShape.ToArray());
    }

    /// <summary>
    /// The reference model's backward: every one of MNIST's 104,202 parameter gradients from the generated
    /// BackwardPass against the float64 reference's analytic backward (itself checked against central differences
    /// here on a sample of parameters, and on every parameter of the small models in <see cref="GradientTests"/>).
    /// </summary>
    [Theory]
    [InlineData(3)]  // conv2d_2 direct (im2col + GEMM)
    [InlineData(12)] // conv2d_2 Winograd F(3×3, 3×3), from 9 samples on
    public void MnistConvNet_backward_matches_the_reference(int Batch)
    {
        var model = new MnistConvNetCopy(seed: 3);
        var reference = TestReferences.MnistConvNet();
        NumericsKit.Randomize(model, 4);
        var x = NumericsKit.Uniform(Batch * reference.InputSize, 5, 0, 1);
        var r = NumericsKit.Uniform(Batch * reference.OutputSize, 6);
        var p = NumericsKit.ToDouble(model.Parameters);
        var xd = NumericsKit.ToDouble(x);
        var rd = NumericsKit.ToDouble(r);

        var generated = new float[p.Length];
        model.BackwardPass(x, r, generated);
        var analytic = reference.Gradient(xd, Batch, p, rd);
        GradientCheck.AssertAgrees(reference.Architecture, generated, analytic, "MNIST, generated vs. reference backward");

        // Spot-check the reference backward with central differences: the largest and a few random gradients per tensor.
        var random = new Random(8);
        var sample = reference.Architecture.Layers.SelectMany(l => l.Weights).SelectMany(w =>
            Enumerable.Range(0, 4).Select(_ => w.Offset + random.Next(w.Length))
                .Append(Enumerable.Range(w.Offset, w.Length).MaxBy(i => Math.Abs(analytic[i]))))
            .ToArray();
        var numeric = reference.NumericGradient(xd, Batch, p, rd, only: sample);
        double scale = analytic.Max(Math.Abs);
        foreach (int i in sample)
            Assert.True(Math.Abs(analytic[i] - numeric[i]) <= 1e-6 * scale + 1e-5 * Math.Abs(numeric[i]),
                $"reference backward at {NumericsKit.ParameterName(reference.Architecture, i)}: {analytic[i]} vs. differences {numeric[i]}");
    }

    /// <summary>
    /// The same for the graph ResNet-8 (Data.FashionMnistResNetTests): three Adds whose inputs fan out, projection
    /// shortcuts, eleven BatchNormalizations in training mode; every parameter against the reference's analytic
    /// backward, and that backward against central differences on the largest and one random gradient per tensor.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void FashionResNet8_backward_matches_the_reference(int batch)
    {
        var model = new Data.FashionResNet8(seed: 3);
        var reference = Data.FashionMnistResNetTests.Reference();
        NumericsKit.Randomize(model, 4);
        var x = NumericsKit.Uniform(batch * reference.InputSize, 5, 0, 1);
        var r = NumericsKit.Uniform(batch * reference.OutputSize, 6);
        var p = NumericsKit.ToDouble(model.Parameters);
        var xd = NumericsKit.ToDouble(x);
        var rd = NumericsKit.ToDouble(r);

        var generated = new float[p.Length];
        model.BackwardPass(x, r, generated);
        var analytic = reference.Gradient(xd, batch, p, rd);
        GradientCheck.AssertAgrees(reference.Architecture, generated, analytic, "ResNet-8, generated vs. reference backward");

        var random = new Random(8);
        var sample = reference.Architecture.Layers.SelectMany(l => l.Weights).Where(w => w.IsTrainableVariable).SelectMany(w =>
            new[] { w.Offset + random.Next(w.Length), Enumerable.Range(w.Offset, w.Length).MaxBy(i => Math.Abs(analytic[i])) })
            .ToArray();
        var numeric = reference.NumericGradient(xd, batch, p, rd, only: sample);
        double scale = analytic.Max(Math.Abs);
        foreach (int i in sample)
            Assert.True(Math.Abs(analytic[i] - numeric[i]) <= 1e-6 * scale + 1e-5 * Math.Abs(numeric[i]),
                $"reference backward at {NumericsKit.ParameterName(reference.Architecture, i)}: {analytic[i]} vs. differences {numeric[i]}");
    }
}
