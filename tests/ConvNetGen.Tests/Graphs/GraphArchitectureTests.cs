using ConvNetGen.Tests.Data;

namespace ConvNetGen.Tests.Graphs;

/// <summary>
/// The runtime side of graph models (residual networks): architectures whose layers read any earlier layer, the
/// backward pass's flags that follow the graph, Keras' "Connected to" column, and weight names under a block's prefix
/// (<c>layer1_0/conv1/kernel</c>). The generator does not emit graph models yet, so these build architectures by hand
/// and run them in <see cref="StubModel"/>, which has parameters but no passes.
/// </summary>
public class GraphArchitectureTests
{
    private static readonly TensorShape Image = new(4, 4, 2), Features = new(4, 4, 3);

    /// <summary>A 1×1 Conv2D from 2 to 3 channels: kernel (1, 1, 2, 3) and bias (3), 9 parameters at <paramref name="offset"/>.</summary>
    private static LayerInfo Conv(int index, string name, int offset, IReadOnlyList<int>? inputs = null, TensorShape? input = null) =>
        new(index, name, LayerKind.Conv2D, input ?? Image, Features, Activation.Linear,
            [new("kernel", new TensorShape(1, 1, 2, 3), offset, true), new("bias", new TensorShape(3), offset + 6, true)], inputs);

    private static LayerInfo NoWeights(int index, string name, LayerKind kind, IReadOnlyList<int>? inputs = null) =>
        new(index, name, kind, Features, Features, Activation.Linear, [], inputs);

    /// <summary>Two convs on the input, added: the smallest branch-and-merge graph.</summary>
    private static ModelArchitecture BranchNet() => new("BranchNet", "input_layer", Image,
    [
        Conv(0, "conv2d", 0, [-1]),
        Conv(1, "conv2d_1", 9, [-1]),
        NoWeights(2, "add", LayerKind.Add, [0, 1]),
    ]);

    // ---- Validation -------------------------------------------------------------------------------------------------

    public static TheoryData<string, LayerInfo[], string> InvalidGraphs => new()
    {
        { "reads itself", [Conv(0, "conv2d", 0), NoWeights(1, "act", LayerKind.Activation, [1])], "layer 1 'act' reads layer 1" },
        { "reads a later layer", [Conv(0, "conv2d", 0, [1]), NoWeights(1, "act", LayerKind.Activation)], "layer 0 'conv2d' reads layer 1" },
        { "reads below the input", [Conv(0, "conv2d", 0, [-2])], "layer 0 'conv2d' reads layer -2" },
        { "reads nothing", [Conv(0, "conv2d", 0, [])], "layer 0 'conv2d' reads no layer" },
        { "a conv reads two", [Conv(0, "conv2d", 0), Conv(1, "conv2d_1", 9, [-1, 0])], "layer 1 'conv2d_1' is a Conv2D and reads one layer" },
        { "an index that is not its position", [Conv(0, "conv2d", 0), NoWeights(2, "act", LayerKind.Activation, [0])], "layer 1 'act' has Index 2" },
        { "a name taken twice", [Conv(0, "block/conv", 0), NoWeights(1, "block/conv", LayerKind.Activation)], "layer 1 'block/conv': the name is already taken by layer 0" },
        { "the input's name", [Conv(0, "input_layer", 0)], "layer 0 'input_layer': the name is already taken by the input layer" },
        { "a weight name with '/'", [NoWeights(0, "bn", LayerKind.BatchNormalization) with { Weights = [new("a/gamma", new TensorShape(3), 0, true)] }], "layer 0 'bn' has a weight named 'a/gamma'" },
    };

    [Theory]
    [MemberData(nameof(InvalidGraphs))]
    public void An_invalid_graph_is_refused_naming_the_layer(string why, LayerInfo[] layers, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelArchitecture("Bad", "input_layer", Image, layers));
        Assert.Contains(expected, error.Message);
        Assert.Contains("Model 'Bad'", error.Message);
        Assert.Equal("layers", error.ParamName);
        _ = why;
    }

    [Fact]
    public void Add_and_Concatenate_may_read_several_layers_and_the_same_one_twice()
    {
        var architecture = new ModelArchitecture("Merges", "input_layer", Image,
        [
            Conv(0, "conv2d", 0),
            NoWeights(1, "concatenate", LayerKind.Concatenate, [0, 0]) with { OutputShape = new TensorShape(4, 4, 6) },
            NoWeights(2, "add", LayerKind.Add, [1]),
        ]);
        Assert.Equal([0, 0], architecture.Layers[1].InputIndices);
        Assert.Equal([1], architecture.Consumers(0));
        Assert.False(architecture.IsSequential);
    }

    // ---- IsSequential, InputIndices, Consumers ----------------------------------------------------------------------

    [Fact]
    public void Layers_without_inputs_read_the_previous_one_and_make_a_sequential_model()
    {
        var architecture = new ModelArchitecture("Chain", "input_layer", Image,
            [Conv(0, "conv2d", 0), NoWeights(1, "act", LayerKind.Activation), NoWeights(2, "act_1", LayerKind.Activation)]);
        Assert.True(architecture.IsSequential);
        Assert.Null(architecture.Layers[0].Inputs);
        Assert.Equal([-1], architecture.Layers[0].InputIndices);
        Assert.Equal([1], architecture.Layers[2].InputIndices);
        Assert.Equal([0], architecture.Consumers(-1));
        Assert.Equal([2], architecture.Consumers(1));
        Assert.Empty(architecture.Consumers(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => architecture.Consumers(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => architecture.Consumers(-2));
    }

    [Fact]
    public void A_chain_given_explicit_inputs_is_still_sequential()
    {
        var architecture = new ModelArchitecture("Chain", "input_layer", Image,
            [Conv(0, "conv2d", 0, [-1]), NoWeights(1, "act", LayerKind.Activation, [0])]);
        Assert.True(architecture.IsSequential);
    }

    [Fact]
    public void A_graph_knows_who_reads_what()
    {
        var architecture = BranchNet();
        Assert.False(architecture.IsSequential);
        Assert.Equal([0, 1], architecture.Consumers(-1));
        Assert.Equal([2], architecture.Consumers(0));
        Assert.Equal([2], architecture.Consumers(1));
        Assert.Equal([0, 1], architecture.Layers[2].InputIndices);
        Assert.Equal([0, 1], architecture.Ancestors(2).ToArray());
        Assert.Empty(architecture.Ancestors(0).ToArray());
    }

    // ---- ComputesInputGradient and RunsBackward follow the graph ----------------------------------------------------

    /// <summary>
    /// a and b read the input; c reads b only; d adds a and c. Lower indices are not ancestors: layer 0 (a) is below
    /// c but c's gradient never reaches it.
    /// </summary>
    private static ModelArchitecture Diamond() => new("Diamond", "input_layer", Image,
    [
        Conv(0, "a", 0, [-1]),
        Conv(1, "b", 9, [-1]),
        NoWeights(2, "c", LayerKind.Activation, [1]),
        NoWeights(3, "d", LayerKind.Add, [0, 2]),
    ]);

    [Fact]
    public void Input_gradients_follow_ancestors_not_lower_indices()
    {
        var model = new StubModel(Diamond());
        Assert.Equal([false, false, true, true], model.InputGradients());
        Assert.Equal([true, true, true, true], model.Backwards());

        model["b"].Trainable = false; // c's only ancestor: c passes nothing down though a (layer 0) still trains
        Assert.Equal([false, false, false, true], model.InputGradients());
        Assert.Equal([true, false, false, true], model.Backwards());

        model["a"].Trainable = false; // nothing below d trains any more
        Assert.Equal([false, false, false, false], model.InputGradients());
        Assert.Equal([false, false, false, false], model.Backwards());

        model["b"].Trainable = true;
        Assert.Equal([false, false, true, true], model.InputGradients());
        Assert.Equal([false, true, true, true], model.Backwards());
    }

    [Fact]
    public void A_frozen_layer_without_weights_changes_nothing()
    {
        var model = new StubModel(Diamond());
        model["c"].Trainable = false; // its flag matters only for layers with trainable variables
        Assert.Equal([false, false, true, true], model.InputGradients());
        Assert.Equal([true, true, true, true], model.Backwards());
    }

    [Fact]
    public void In_a_sequential_model_input_gradients_are_todays_any_trainable_layer_below()
    {
        // Weights in layers 0, 2 and 3, none in 1 and 4; every combination of flags.
        var layers = new LayerInfo[]
        {
            Conv(0, "conv2d", 0),
            NoWeights(1, "act", LayerKind.Activation),
            Conv(2, "conv2d_1", 9, input: Features) with { Weights = [new("kernel", new TensorShape(1, 1, 3, 3), 9, true)] },
            Conv(3, "conv2d_2", 18, input: Features) with { Weights = [new("kernel", new TensorShape(1, 1, 3, 3), 18, true)] },
            NoWeights(4, "act_1", LayerKind.Activation),
        };
        var model = new StubModel(new ModelArchitecture("Chain", "input_layer", Image, layers));
        bool[] hasWeights = [true, false, true, true, false];
        for (int flags = 0; flags < 1 << layers.Length; flags++)
        {
            for (int i = 0; i < layers.Length; i++) model.Layers[i].Trainable = (flags & (1 << i)) != 0;
            for (int i = 0; i < layers.Length; i++)
            {
                bool below = Enumerable.Range(0, i).Any(j => model.Layers[j].Trainable && hasWeights[j]);
                Assert.Equal(below, model.InputGradients()[i]);
                Assert.Equal(below || (model.Layers[i].Trainable && hasWeights[i]), model.Backwards()[i]);
            }
        }
    }

    [Fact]
    public void The_backward_flags_allocate_nothing()
    {
        var model = new StubModel(Diamond());
        model.CountTrueFlags(); // JIT first
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = 0;
        for (int i = 0; i < 1000; i++) count += model.CountTrueFlags();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000 * 6, count);
    }

    // ---- The summary's Connected to column --------------------------------------------------------------------------

    [Fact]
    public void A_graph_summary_has_Keras_functional_Connected_to_column()
    {
        // Keras 3's functional table: four columns at least 19, 17, 10 and 17 wide (positions [0.3, 0.56, 0.74, 1.0] of
        // a 76-character line), each connection written name[node][tensor], the input layer's row "-", and a merge's
        // connections one per line as rich wraps "conv2d[0][0], conv2d_1[0][0]". Ours widen where a cell is wider.
        const string Expected = """
            Model: "BranchNet"
            ┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
            ┃ Layer (type)             ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
            ┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
            │ input_layer (InputLayer) │ (None, 4, 4, 2)   │          0 │ -                 │
            ├──────────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ conv2d (Conv2D)          │ (None, 4, 4, 3)   │          9 │ input_layer[0][0] │
            ├──────────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ conv2d_1 (Conv2D)        │ (None, 4, 4, 3)   │          9 │ input_layer[0][0] │
            ├──────────────────────────┼───────────────────┼────────────┼───────────────────┤
            │ add (Add)                │ (None, 4, 4, 3)   │          0 │ conv2d[0][0],     │
            │                          │                   │            │ conv2d_1[0][0]    │
            └──────────────────────────┴───────────────────┴────────────┴───────────────────┘
             Total params: 18 (72.00 B)
             Trainable params: 18 (72.00 B)
             Non-trainable params: 0 (0.00 B)
            """;
        Assert.Equal(Expected.ReplaceLineEndings("\n"), BranchNet().ToString());
        Assert.Equal(Expected.ReplaceLineEndings("\n"), new StubModel(BranchNet()).GetSummary());
    }

    [Fact]
    public void A_graph_summary_counts_frozen_layers_as_Keras_does()
    {
        var model = new StubModel(BranchNet());
        model["conv2d_1"].Trainable = false;
        string summary = model.GetSummary();
        Assert.EndsWith(" Total params: 18 (72.00 B)\n Trainable params: 9 (36.00 B)\n Non-trainable params: 9 (36.00 B)", summary);
        Assert.Contains("│ conv2d_1 (Conv2D)        │ (None, 4, 4, 3)   │          9 │ input_layer[0][0] │", summary);
    }

    [Fact]
    public void The_minimum_widths_hold_for_short_cells_and_long_cells_widen_their_column()
    {
        var rows = new List<SummaryTable.Row>
        {
            new("x (InputLayer)", "(None, 2)", 0),
            new("block_with_a_long_name/dense (Dense)", "(None, 2)", 6, ["x"]),
            new("d (Add)", "(None, 2)", 0, ["x", "block_with_a_long_name/dense", "x"]),
        };
        string[] lines = SummaryTable.Format("M", rows, 6, 0, connected: true).Split('\n');
        Assert.Equal("┃ Layer (type)                         ┃ Output Shape      ┃    Param # ┃ Connected to                        ┃", lines[2]);
        Assert.Equal("│ x (InputLayer)                       │ (None, 2)         │          0 │ -                                   │", lines[4]);
        Assert.Equal("│ d (Add)                              │ (None, 2)         │          0 │ x[0][0],                            │", lines[8]);
        Assert.Equal("│                                      │                   │            │ block_with_a_long_name/dense[0][0], │", lines[9]);
        Assert.Equal("│                                      │                   │            │ x[0][0]                             │", lines[10]);
    }

    [Fact]
    public void A_sequential_summary_keeps_three_columns_even_with_explicit_inputs()
    {
        var implicitInputs = new ModelArchitecture("Chain", "input_layer", Image, [Conv(0, "conv2d", 0), NoWeights(1, "act", LayerKind.Activation)]);
        var explicitInputs = new ModelArchitecture("Chain", "input_layer", Image, [Conv(0, "conv2d", 0, [-1]), NoWeights(1, "act", LayerKind.Activation, [0])]);
        string summary = implicitInputs.ToString();
        Assert.Equal(summary, explicitInputs.ToString());
        Assert.DoesNotContain("Connected to", summary);
        Assert.Contains("┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n", summary);
        // The connections of a row are ignored when the table has no column for them.
        var rows = new List<SummaryTable.Row> { new("x (InputLayer)", "(None, 2)", 0), new("d (Dense)", "(None, 2)", 6, ["x"]) };
        Assert.Equal(SummaryTable.Format("M", [rows[0], new("d (Dense)", "(None, 2)", 6)], 6, 0), SummaryTable.Format("M", rows, 6, 0));
    }

    // ---- Scoped names: layer1_0/conv1/kernel ------------------------------------------------------------------------

    /// <summary>
    /// A residual block included under the prefix <c>layer1_0</c>, plus a layer named <c>layer1_0</c> itself, so that a
    /// split at the first '/' would find the wrong layer: <c>layer1_0/conv1/kernel</c> is conv1's kernel.
    /// </summary>
    private static ModelArchitecture ScopedNet() => new("ScopedNet", "input_layer", Image,
    [
        Conv(0, "layer1_0", 0, [-1]),
        Conv(1, "layer1_0/conv1", 9, [-1]),
        new(2, "layer1_0/bn1", LayerKind.BatchNormalization, Features, Features, Activation.Linear,
        [
            new("gamma", new TensorShape(3), 18, true), new("beta", new TensorShape(3), 21, true),
            new("moving_mean", new TensorShape(3), 24, false), new("moving_variance", new TensorShape(3), 27, false),
        ], [1]),
        NoWeights(3, "layer1_0/add", LayerKind.Add, [0, 2]),
    ]);

    [Fact]
    public void A_full_weight_name_splits_at_its_last_slash()
    {
        var model = new StubModel(ScopedNet());
        Fill(model);
        Assert.Equal(9f, model.Weights("layer1_0/conv1/kernel")[0]);
        Assert.Equal(15f, model.Weights("layer1_0/conv1/bias")[0]);
        Assert.Equal(0f, model.Weights("layer1_0/kernel")[0]);
        Assert.Equal(27f, model.Weights("layer1_0/bn1/moving_variance")[0]);
        Assert.Equal(3, model.Weights("layer1_0/bn1/gamma").Length);
        Assert.Equal(9f, model["layer1_0/conv1"].Weights("kernel")[0]);
        Assert.Equal(0f, model["layer1_0"].Weights("kernel")[0]);
        Assert.Equal("layer1_0/bn1", ScopedNet()["layer1_0/bn1"].Name);

        var noWeight = Assert.Throws<KeyNotFoundException>(() => model.Weights("layer1_0/conv1/gamma"));
        Assert.Contains("Layer 'layer1_0/conv1' has no weight 'gamma'. Its weights: kernel, bias.", noWeight.Message);
        var noLayer = Assert.Throws<KeyNotFoundException>(() => model.Weights("layer1_0/conv2/kernel"));
        Assert.Contains("has no layer 'layer1_0/conv2'", noLayer.Message);
        Assert.Contains("layer1_0/conv1, layer1_0/bn1", noLayer.Message);
        // A layer's weights are found in the layer: "b/kernel" is not a weight of layer1_0, even though layer1_0/b… exists.
        Assert.Throws<KeyNotFoundException>(() => model["layer1_0"].Weights("conv1/kernel"));
        Assert.Throws<ArgumentException>(() => model.Weights("kernel"));
    }

    [Fact]
    public void Scoped_weights_round_trip_through_a_file_strict_and_by_name()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("scoped.safetensors");
        var source = new StubModel(ScopedNet());
        Fill(source);
        source.SaveWeights(path);

        using (var file = File.OpenRead(path))
        {
            var (entries, _, _) = SafeTensorsFormat.ReadHeader(file, path);
            Assert.Equal(
                ["layer1_0/kernel", "layer1_0/bias", "layer1_0/conv1/kernel", "layer1_0/conv1/bias", "layer1_0/bn1/gamma",
                 "layer1_0/bn1/beta", "layer1_0/bn1/moving_mean", "layer1_0/bn1/moving_variance"],
                entries.OrderBy(e => e.Begin).Select(e => e.Name));
        }

        var strict = new StubModel(ScopedNet());
        Assert.Equal(["layer1_0", "layer1_0/conv1", "layer1_0/bn1"], strict.LoadWeights(path));
        Assert.Equal(source.Parameters.ToArray(), strict.Parameters.ToArray());

        // By name into a model that has only the block's conv (under the same scoped name) and a layer of its own.
        var smaller = new StubModel(new ModelArchitecture("Smaller", "input_layer", Image,
            [Conv(0, "layer1_0/conv1", 0, [-1]), Conv(1, "other", 9, [-1]), NoWeights(2, "add", LayerKind.Add, [0, 1])]));
        Assert.Equal(["layer1_0/conv1"], smaller.LoadWeights(path, byName: true));
        Assert.Equal(source.Weights("layer1_0/conv1/kernel").ToArray(), smaller.Weights("layer1_0/conv1/kernel").ToArray());
        Assert.Equal(source.Weights("layer1_0/conv1/bias").ToArray(), smaller.Weights("layer1_0/conv1/bias").ToArray());

        // Strict, the same file is refused, naming the scoped tensors on either side.
        var refused = Assert.Throws<InvalidDataException>(() => smaller.LoadWeights(path));
        Assert.Contains("'other/kernel' (1, 1, 2, 3) is missing from the file", refused.Message);
        Assert.Contains("'layer1_0/bn1/moving_mean' is in the file but Smaller has no such weight", refused.Message);
    }

    [Fact]
    public void By_name_a_scoped_layer_only_partly_in_the_file_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("partial.safetensors");
        // A file whose layer1_0/conv1 has its kernel only (a layer of that name without a bias).
        var kernelOnly = new StubModel(new ModelArchitecture("KernelOnly", "input_layer", Image,
            [Conv(0, "layer1_0/conv1", 0) with { Weights = [new("kernel", new TensorShape(1, 1, 2, 3), 0, true)] }]));
        kernelOnly.SaveWeights(path);
        var model = new StubModel(ScopedNet());
        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path, byName: true));
        Assert.Contains("layer 'layer1_0/conv1' is only partly in the file: 'layer1_0/conv1/bias' missing", error.Message);
    }

    [Fact]
    public void Copying_weights_matches_scoped_layer_names()
    {
        var source = new StubModel(ScopedNet());
        Fill(source);
        var target = new StubModel(new ModelArchitecture("Target", "input_layer", Image,
            [Conv(0, "layer1_0/conv1", 0, [-1]), Conv(1, "layer1_0/conv2", 9, [-1]), NoWeights(2, "add", LayerKind.Add, [0, 1])]));
        Assert.Equal(["layer1_0/conv1"], target.CopyWeightsFrom(source));
        Assert.Equal(source.Weights("layer1_0/conv1/kernel").ToArray(), target.Weights("layer1_0/conv1/kernel").ToArray());
    }

    /// <summary>Parameter i becomes i, so each weight's first value is its offset.</summary>
    private static void Fill(ConvNetGen.Model model)
    {
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = i;
    }
}

/// <summary>
/// A model with parameters and flags but no passes, for testing the base class on architectures the generator does
/// not emit yet: its workspace and passes throw.
/// </summary>
internal sealed class StubModel(ModelArchitecture architecture) : ConvNetGen.Model(architecture, seed: 1)
{
    public bool[] InputGradients() => Enumerable.Range(0, Layers.Count).Select(ComputesInputGradient).ToArray();

    public bool[] Backwards() => Enumerable.Range(0, Layers.Count).Select(RunsBackward).ToArray();

    /// <summary>Both flags of every layer, as a generated backward reads them: no LINQ, nothing allocated.</summary>
    public int CountTrueFlags()
    {
        int count = 0;
        for (int i = 0; i < Layers.Count; i++)
        {
            if (ComputesInputGradient(i)) count++;
            if (RunsBackward(i)) count++;
        }
        return count;
    }

    protected override ModelWorkspace CreateWorkspace(int capacity, bool training) => throw new NotSupportedException("A stub model has no passes.");

    protected override long WorkspaceBytes(int capacity, bool training) => 0;

    protected override int MaxWorkspaceCapacity(bool training) => 1;

    protected override void Forward(ModelWorkspace workspace, int batch, bool training) => throw new NotSupportedException("A stub model has no passes.");

    protected override void Backward(ModelWorkspace workspace, int batch) => throw new NotSupportedException("A stub model has no passes.");
}
