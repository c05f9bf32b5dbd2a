using ConvNetGen.Tests.Data;

namespace ConvNetGen.Tests.Inference;

using Losses = global::ConvNetGen.Losses;

/// <summary>A same-padded 3×3 conv with 9 tiles a sample: Winograd F(3×3, 3×3) from batch 1, so Predict uses the model's transformed kernel.</summary>
[Input(9, 9, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Flatten]
[Dense(3)]
internal partial class PreparedF3Net;

/// <summary>A same-padded 3×3 conv before 2×2 pooling with 16 windows a sample: Winograd F(2×2, 3×3) from batch 1.</summary>
[Input(8, 8, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Flatten]
[Dense(3)]
internal partial class PreparedF2Net;

/// <summary>A strided 3×3 conv: im2col at every batch, so Predict uses the model's kernel packed in the GEMM's panels.</summary>
[Input(9, 9, 2)]
[Conv2D(8, 1)]
[Conv2D(5, 3, Strides = 2)]
[Flatten]
[Dense(3)]
internal partial class PreparedPackedNet;

/// <summary>
/// Inference keeps each Winograd conv's transformed kernel, and each im2col conv's packed one, between calls and must
/// make it again whenever the weights
/// change, by any of the ways they can: a span from Parameters or Weights, a training step, LoadWeights, SetWeights,
/// CopyWeightsFrom. Each case compares Predict after the change with a fresh model that never predicted before,
/// given the same weights: bit-identical, and different from the prediction before the change.
/// </summary>
public sealed class PreparedKernelTests
{
    public static TheoryData<string> Flavours => new() { "F3", "F2", "Packed" };

    private static Model Create(string flavour, int seed) => flavour switch
    {
        "F3" => new PreparedF3Net(seed),
        "F2" => new PreparedF2Net(seed),
        _ => new PreparedPackedNet(seed),
    };

    private static float[] Inputs(Model model, int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * model.Definition.InputShape.ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        return x;
    }

    private static float[] Predict(Model model, float[] x)
    {
        var y = new float[x.Length / model.Definition.InputShape.ElementCount * model.Definition.OutputShape.ElementCount];
        model.Predict(x, y);
        return y;
    }

    /// <summary>Predict after <paramref name="change"/> equals a fresh model's with the weights it left, and differs from before it.</summary>
    private static void AssertSeen(string flavour, Action<Model> change)
    {
        var model = Create(flavour, seed: 1);
        var x = Inputs(model, 3, seed: 2);
        float[] before = Predict(model, x);
        Assert.Equal(before, Predict(model, x)); // the kept kernel gives what the first call did
        change(model);
        float[] after = Predict(model, x);

        var fresh = Create(flavour, seed: 1);
        model.Parameters.CopyTo(fresh.Parameters);
        Assert.Equal(Predict(fresh, x), after);
        Assert.NotEqual(before, after);
    }

    private static int KernelOffset(Model model) => model.Definition["conv2d_1"].Weights.Single(w => w.Name == "kernel").Offset;

    [Theory]
    [MemberData(nameof(Flavours))]
    public void A_write_through_Parameters_is_seen(string flavour) =>
        AssertSeen(flavour, m => m.Parameters[KernelOffset(m) + 7] += 0.75f);

    [Theory]
    [MemberData(nameof(Flavours))]
    public void A_write_through_Weights_is_seen(string flavour) =>
        AssertSeen(flavour, m => m.Weights("conv2d_1/kernel").Fill(0.05f));

    [Theory]
    [MemberData(nameof(Flavours))]
    public void A_write_through_a_layers_Weights_is_seen(string flavour) =>
        AssertSeen(flavour, m => m["conv2d_1"].Weights("kernel")[3] -= 0.5f);

    [Theory]
    [MemberData(nameof(Flavours))]
    public void A_training_step_is_seen(string flavour) => AssertSeen(flavour, m =>
    {
        m.Compile(new SGD(learningRate: 0.5f), Losses.SparseCategoricalCrossentropy);
        m.TrainOnBatch(Inputs(m, 4, seed: 9), [0, 1, 2, 1]);
    });

    [Theory]
    [MemberData(nameof(Flavours))]
    public void SetWeights_is_seen(string flavour) => AssertSeen(flavour, m =>
    {
        var other = Create(flavour, seed: 7);
        m.SetWeights(other.GetWeights());
    });

    [Theory]
    [MemberData(nameof(Flavours))]
    public void CopyWeightsFrom_and_LoadWeights_are_seen(string flavour)
    {
        AssertSeen(flavour, m => m.CopyWeightsFrom(Create(flavour, seed: 8)));
        using var folder = new TempFolder();
        string path = folder.Combine("weights.safetensors");
        Create(flavour, seed: 9).SaveWeights(path);
        AssertSeen(flavour, m => m.LoadWeights(path));
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public void ReleaseBuffers_drops_the_kernels_and_the_next_call_makes_them_again(string flavour) => AssertSeen(flavour, m =>
    {
        m.ReleaseBuffers();
        m.Weights("conv2d_1/kernel").Fill(-0.05f);
    });

    [Theory]
    [MemberData(nameof(Flavours))]
    public void Threads_that_meet_a_changed_kernel_at_once_all_see_the_new_one(string flavour)
    {
        var model = Create(flavour, seed: 3);
        var x = Inputs(model, 2, seed: 4);
        Predict(model, x);
        for (int round = 0; round < 20; round++)
        {
            model.Parameters[KernelOffset(model) + round] += 0.25f; // every round starts with a stale kernel
            var fresh = Create(flavour, seed: 3);
            model.Parameters.CopyTo(fresh.Parameters);
            float[] expected = Predict(fresh, x);
            using var start = new Barrier(4);
            var results = new float[4][];
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                results[t] = Predict(model, x);
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            foreach (var result in results) Assert.Equal(expected, result);
        }
    }

    [Fact]
    public void A_conv_that_runs_im2col_at_one_batch_and_Winograd_at_another_keeps_both_kernels()
    {
        // The reference model's conv2d_2 runs im2col below 9 samples a thread and Winograd from there: inference keeps
        // a packed kernel for one and a transformed kernel for the other, and neither may be taken for the other.
        var model = new Numerics.MnistConvNetCopy(seed: 5) { ThreadCount = 1 };
        var one = Inputs(model, 1, seed: 6);
        var many = Inputs(model, 40, seed: 7);
        float[] expectedOne = Predict(new Numerics.MnistConvNetCopy(seed: 5), one);
        float[] expectedMany = Predict(new Numerics.MnistConvNetCopy(seed: 5) { ThreadCount = 1 }, many);
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(expectedOne, Predict(model, one));
            Assert.Equal(expectedMany, Predict(model, many));
        }
    }
}
