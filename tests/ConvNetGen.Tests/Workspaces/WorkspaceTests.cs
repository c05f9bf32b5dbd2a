using ConvNetGen.Kernels;
using System.Reflection;

namespace ConvNetGen.Tests.Workspaces;

/// <summary>Keras' VGG16 convolutional base (include_top=False) at 256×256×3, with a small classifier so it can train.</summary>
[Input(256, 256, 3)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPooling2D(2)]
[GlobalAveragePooling2D]
[Dense(10, Activation = Activation.Softmax)]
internal partial class Vgg16At256;

/// <summary>
/// Workspaces as the generated code allocates them: <c>WorkspaceBytes</c> is the sum of the arrays a workspace really
/// holds (read by reflection), in both modes; an inference workspace computes the same forward pass as a training
/// workspace (bit for bit where both run the same kernels); and the largest capacity is one an array can hold.
/// </summary>
public class WorkspaceTests
{
    /// <summary>Every generated model of this test assembly but the large one, which has its own tests.</summary>
    public static TheoryData<string> ModelNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in ModelTypes().Where(t => t != typeof(Vgg16At256))) data.Add(type.FullName!);
        return data;
    }

    private static IEnumerable<Type> ModelTypes() => typeof(WorkspaceTests).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Model)) && !t.IsAbstract && t.GetConstructor([typeof(int)]) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static Model Create(string name) =>
        (Model)Activator.CreateInstance(typeof(WorkspaceTests).Assembly.GetType(name, throwOnError: true)!, 3)!;

    /// <summary>
    /// The bytes of every distinct buffer the workspace holds: its fields, and the base class's (float buffers counted
    /// by their floats, not the slack that aligns them; aliases once).
    /// </summary>
    private static long ArrayBytes(ModelWorkspace ws)
    {
        var floats = new HashSet<AlignedFloats> { ws.Input, ws.Gradients, ws.Output, ws.OutputGradient };
        var arrays = new HashSet<Array>(ReferenceEqualityComparer.Instance) { ws.Labels };
        foreach (var field in ws.GetType().GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            if (field.FieldType.IsArray && field.GetValue(ws) is Array array) arrays.Add(array);
            else if (field.GetValue(ws) is AlignedFloats buffer) floats.Add(buffer);
        }
        long bytes = floats.Sum(f => 4L * f.Length);
        foreach (var array in arrays)
        {
            var element = array.GetType().GetElementType()!;
            int size = element == typeof(double) ? 8 : element == typeof(bool) ? 1 : element == typeof(float) || element == typeof(int) ? 4
                : throw new InvalidOperationException($"Unexpected workspace array of {element}.");
            bytes += (long)array.Length * size;
        }
        return bytes;
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void WorkspaceBytesAreTheArraysAWorkspaceHolds(string name)
    {
        var model = Create(name);
        foreach (int capacity in new[] { 1, 7 })
        {
            long training = model.WorkspaceBytesForTests(capacity, training: true);
            long inference = model.WorkspaceBytesForTests(capacity, training: false);
            Assert.Equal(training, ArrayBytes(model.NewWorkspaceForTests(capacity, training: true)));
            Assert.Equal(inference, ArrayBytes(model.NewWorkspaceForTests(capacity, training: false)));
            Assert.True(inference < training, $"{name}: inference {inference} bytes, training {training}");
        }
    }

    [Fact]
    public void InferenceWorkspacesShareOneArrayForTheConvsScratch()
    {
        // VGG16's thirteen convs: block1_conv1 (3 input channels) runs im2col, the other twelve Winograd. In inference
        // the twelve one-block transformed inputs are one array, the products another; the transformed kernels are
        // the model's, not a workspace's (an inference workspace has none), and block1_conv1's patches go block by
        // block through the runtime's per-thread scratch (none in the workspace). Training keeps each conv's own,
        // every block of the inputs and all the patches, for the backward pass.
        var model = new Vgg16At256(seed: 1);
        static AlignedFloats[] Scratch(ModelWorkspace ws, string suffix) => ws.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => f.Name.EndsWith(suffix, StringComparison.Ordinal)).Select(f => (AlignedFloats)f.GetValue(ws)!).ToArray();
        var inference = model.NewWorkspaceForTests(1, training: false);
        var training = model.NewWorkspaceForTests(1, training: true);
        Assert.True(Assert.Single(Scratch(inference, "Patches")).IsEmpty);
        Assert.Equal(256 * 256 * 3 * 3 * 3, Assert.Single(Scratch(training, "Patches")).Length);
        foreach (string suffix in new[] { "TransformedInput", "Products" })
        {
            var shared = Scratch(inference, suffix);
            Assert.Equal(12, shared.Length);
            Assert.All(shared, a => Assert.Equal(shared[0], a)); // equal buffers view the same floats
        }
        foreach (string suffix in new[] { "TransformedInput", "TransformedKernel", "Products" })
            Assert.Equal(12, Scratch(training, suffix).Distinct().Count());
        Assert.Equal(12, Scratch(inference, "TransformedKernel").Length);
        Assert.All(Scratch(inference, "TransformedKernel"), a => Assert.True(a.IsEmpty));
        // As long as the longest: one block of a 512-channel conv's V (F(4×4): 36 positions × (6 tiles × 512 channels
        // + 16)); block1_conv2's is 36 × (42 × 64 + 16).
        Assert.Equal(36 * (6 * 512 + 16), Scratch(inference, "TransformedInput")[0].Length);
        Assert.True(model.WorkspaceBytesForTests(1, training: false) < 150_000_000, $"{model.WorkspaceBytesForTests(1, training: false):N0} bytes");
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void InferenceWorkspacesLeaveTheTrainingBuffersEmpty(string name)
    {
        var model = Create(name);
        var ws = model.NewWorkspaceForTests(5, training: false);
        Assert.False(ws.IsTraining);
        Assert.True(ws.Gradients.IsEmpty);
        Assert.Empty(ws.Labels);
        Assert.True(ws.OutputGradient.IsEmpty);
        Assert.Equal(5 * model.Definition.OutputShape.ElementCount, ws.Output.Length);
        Assert.True(model.NewWorkspaceForTests(5, training: true).IsTraining);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void InferenceWorkspacesComputeTheSameForwardPass(string name)
    {
        // Batches of 1 and 12. A BatchNormalization read from a linear conv is folded into it in an inference
        // workspace (a scaled kernel, its rounding the fold's own): the same pass to within float rounding there. A
        // Winograd conv runs in training from the batch its kernel transform pays for, at inference (which keeps the
        // transformed kernel) from fewer samples: for a single image the test models' Winograd convs and
        // MnistConvNetCopy's conv2d_2 take Winograd at inference and im2col in training, again the same to within
        // rounding. At 12 samples both take Winograd: bit for bit unless folded, or unless an im2col conv on few
        // channels reads its windows in place at inference (Im2ColBlocks.ReadsInPlace), whose row tails round apart.
        var model = Create(name);
        var layers = model.Definition.Layers;
        bool roundsApart = layers.Any(l => l.Kind == LayerKind.BatchNormalization && l.InputIndices[0] >= 0
            && layers[l.InputIndices[0]] is { Kind: LayerKind.Conv2D, Activation: Activation.Linear });
        roundsApart |= layers.Any(l => l.Kind == LayerKind.Conv2D && l.Weights[0].Shape[1] * l.InputShape[2] <= global::ConvNetGen.Kernels.Im2ColBlocks.MaxInPlaceRun
            && l.OutputShape[1] >= 2 * global::ConvNetGen.Kernels.Gemm.TileRows);
        int inputSize = model.Definition.InputShape.ElementCount, outputSize = model.Definition.OutputShape.ElementCount;
        var random = new Random(11);
        foreach (int n in new[] { 1, 12 })
        {
            var x = new float[n * inputSize];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
            var expected = new float[n * outputSize];
            var actual = new float[n * outputSize];
            model.ForwardPass(x, expected, training: false);
            model.ForwardPass(x, actual, training: false, inferenceWorkspace: true);
            if (roundsApart || n == 1)
                Numerics.NumericsKit.AssertClose(actual, expected.Select(v => (double)v).ToArray(), 1e-5, $"{name}, batch {n}, folded, Winograd or read in place at inference");
            else
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void CapacityBeyondTheLargestIsRefusedBeforeAllocating(string name)
    {
        var model = Create(name);
        foreach (bool training in new[] { true, false })
        {
            int max = model.MaxWorkspaceCapacityForTests(training);
            Assert.True(max >= 1);
            Assert.True(model.WorkspaceBytesForTests(max, training) >= model.WorkspaceBytesForTests(1, training));
            Assert.True(model.WorkspaceBytesForTests(int.MaxValue, training) >= model.WorkspaceBytesForTests(max, training));
            if (max < int.MaxValue)
                Assert.Throws<ArgumentOutOfRangeException>(() => model.NewWorkspaceForTests(max + 1, training));
        }
    }

    [Fact]
    public void Vgg16At256ConstructsAndKnowsItsMemory()
    {
        var model = new Vgg16At256(seed: 1);
        long training = model.WorkspaceBytesForTests(1, training: true);
        long inference = model.WorkspaceBytesForTests(1, training: false);
        Assert.Equal(training, ArrayBytes(model.NewWorkspaceForTests(1, training: true)));
        Assert.Equal(inference, ArrayBytes(model.NewWorkspaceForTests(1, training: false)));
        Assert.True(inference < training);

        foreach (bool mode in new[] { true, false })
        {
            int max = model.MaxWorkspaceCapacityForTests(mode);
            Assert.True(max >= 1);
            long bytes = model.WorkspaceBytesForTests(max, mode); // no overflow at the largest capacity, nor past it
            Assert.True(bytes > 0 && model.WorkspaceBytesForTests(int.MaxValue, mode) >= bytes);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.NewWorkspaceForTests(max + 1, mode));
        }
    }

    [Fact]
    public void Vgg16At256PredictsOneSampleOnAnInferenceWorkspace()
    {
        var model = new Vgg16At256(seed: 1);
        var x = new float[model.Definition.InputShape.ElementCount];
        var random = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        var expected = new float[10];
        var actual = new float[10];
        model.ForwardPass(x, expected, training: false);
        model.ForwardPass(x, actual, training: false, inferenceWorkspace: true);
        Assert.Equal(expected, actual);
        Assert.Equal(1f, actual.Sum(), 1e-4f);
    }

    [Fact]
    public void Vgg16At256TrainsOneSample()
    {
        // A training step at batch 1: one training workspace of capacity 1 (about 650 MB), no overflow anywhere.
        var model = new Vgg16At256(seed: 1) { ThreadCount = 1 };
        model.Compile(new SGD(0.01f), global::ConvNetGen.Losses.SparseCategoricalCrossentropy);
        var x = new float[model.Definition.InputShape.ElementCount];
        var random = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        float loss = model.TrainOnBatch(x, [3]);
        Assert.True(float.IsFinite(loss) && loss > 0, $"loss {loss}");
    }
}
