using System.ComponentModel;

namespace ConvNetGen;

/// <summary>
/// The base of every generated model: one contiguous parameter buffer laid out by the generator, per-layer
/// trainable flags, and the Keras workflow (Compile, Fit, Evaluate, Predict). The generated subclass supplies the
/// forward and backward passes with every dimension a constant.
/// </summary>
/// <remarks>
/// Thread safety: <c>Predict</c>, <c>Evaluate</c> and reading the model's description may be called from any number
/// of threads at once; each call rents its own buffers and gives bit-identical results to the same call made alone.
/// <c>Fit</c> and <c>TrainOnBatch</c> run on one thread at a time (a second caller gets an
/// <see cref="InvalidOperationException"/>); inference on other threads meanwhile waits for the running step and sees
/// the weights between two steps. Configuration (<c>Compile</c>, <see cref="ThreadCount"/>, <c>Layer.Trainable</c>,
/// <c>LoadWeights</c>, <c>LoadCheckpoint</c>, <c>CopyWeightsFrom</c>, <c>ReleaseBuffers</c>) is refused while training runs and otherwise
/// waits for running inference calls. Writing through the spans of <see cref="Parameters"/> or
/// <see cref="Weights"/> is not synchronised: do it while nothing else uses the model.
/// </remarks>
public abstract partial class Model
{
    private readonly Kernels.AlignedFloats _parameters;
    private readonly bool[] _trainable;
    private readonly Layer[] _layers;
    private readonly bool[] _hasTrainableVariables; // per layer, so the backward pass's checks allocate nothing
    private readonly bool[] _computesInputGradient; // per layer, from its ancestors' flags; recomputed when one changes

    /// <summary>Creates the model's parameters with Keras' initialisers (glorot_uniform kernels, zero biases), seeded.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Model(ModelArchitecture architecture, int seed)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Definition = architecture;
        _parameters = Kernels.AlignedFloats.Allocate(architecture.ParameterCount); // each weight starts where its offset puts it: on a line when the ones before it are whole lines long
        _trainable = Enumerable.Repeat(true, architecture.Layers.Count).ToArray();
        _layers = architecture.Layers.Select(l => new Layer(this, l)).ToArray();
        Initializers.Initialize(architecture, _parameters, seed);
        _hasTrainableVariables = architecture.Layers.Select(l => l.TrainableVariableCount > 0).ToArray();
        _computesInputGradient = new bool[architecture.Layers.Count];
        UpdateInputGradientFlags();
        Seed = seed;
    }

    /// <summary>The architecture the generator inferred (shapes, parameter layout); the generated class also has it as its static <c>Architecture</c>.</summary>
    public ModelArchitecture Definition { get; }

    /// <summary>The seed the weights were initialised with; shuffling and dropout derive from it too.</summary>
    public int Seed { get; }

    /// <summary>The layers after the input, with their trainable flags.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>A layer by name.</summary>
    /// <exception cref="KeyNotFoundException">No layer has that name; the message lists the names there are.</exception>
    public Layer this[string layerName] => _layers[Definition[layerName].Index];

    /// <summary>All parameters in the generator's layout (each layer's weights contiguous, Keras layouts).</summary>
    /// <remarks>
    /// Writable: getting the span marks the weights changed, so the next inference call derives again what it keeps
    /// from them (Winograd's transformed kernels). Write through a span before the next Predict or Evaluate, or get it
    /// again after one: writes through a span got before an inference call are not seen by the calls after it.
    /// </remarks>
    public Span<float> Parameters
    {
        get
        {
            MarkWeightsChanged();
            return _parameters;
        }
    }

    /// <summary>One weight tensor by its full name, e.g. <c>conv2d/kernel</c>.</summary>
    /// <remarks>
    /// Writable, and marks the weights changed as <see cref="Parameters"/> does (write before the next inference call,
    /// or get the span again after one).
    /// Layer names may contain '/' (layers of an included block: <c>layer1_0/conv1/kernel</c> is weight <c>kernel</c> of
    /// layer <c>layer1_0/conv1</c>) and weight names never do, so the name splits at its last '/'.
    /// </remarks>
    /// <exception cref="ArgumentException">The name has no '/'.</exception>
    /// <exception cref="KeyNotFoundException">No layer has that name, or the layer has no such weight; the message lists the names there are.</exception>
    public Span<float> Weights(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        int slash = fullName.LastIndexOf('/');
        if (slash < 0) throw new ArgumentException($"A weight's name is 'layer/weight', e.g. 'conv2d/kernel'; got '{fullName}'.", nameof(fullName));
        return WeightsOf(Definition[fullName[..slash]], fullName[(slash + 1)..]);
    }

    /// <summary>Weight <paramref name="weightName"/> of <paramref name="layer"/>, found in the layer itself (no name to split).</summary>
    internal Span<float> WeightsOf(LayerInfo layer, string weightName)
    {
        var weight = layer.Weights.FirstOrDefault(w => w.Name == weightName)
            ?? throw new KeyNotFoundException($"Layer '{layer.Name}' has no weight '{weightName}'. Its weights: {string.Join(", ", layer.Weights.Select(w => w.Name))}.");
        MarkWeightsChanged(); // the span is writable
        return _parameters.AsSpan(weight.Offset, weight.Length);
    }

    /// <summary>Keras' summary of the model as it is now: trainable and non-trainable counts follow the layers' flags.</summary>
    public string GetSummary() => Definition.FormatSummary(l => _trainable[l.Index] ? l.TrainableVariableCount : 0);

    internal bool IsTrainable(int layerIndex) => _trainable[layerIndex];

    internal void SetTrainable(int layerIndex, bool value) => Reconfigure($"change {Definition.Layers[layerIndex].Name}.Trainable", () =>
    {
        _trainable[layerIndex] = value;
        _trainableRanges = null; // rebuilt at the next step
        UpdateInputGradientFlags(); // under the write lock, so no backward pass reads them half updated
    });

    // O(layers × ancestors), once per change of a flag, so that ComputesInputGradient is a lookup in the backward pass.
    private void UpdateInputGradientFlags()
    {
        for (int i = 0; i < _computesInputGradient.Length; i++)
        {
            bool any = false;
            foreach (int a in Definition.Ancestors(i))
                if (_trainable[a] && _hasTrainableVariables[a])
                {
                    any = true;
                    break;
                }
            _computesInputGradient[i] = any;
        }
    }

    /// <summary>Whether layer <paramref name="layerIndex"/> computes its weight gradients in this backward pass.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool ComputesWeightGradients(int layerIndex) => _trainable[layerIndex];

    /// <summary>
    /// Whether layer <paramref name="layerIndex"/> must pass a gradient to its inputs: only when some layer its inputs
    /// come from (transitively) is trainable and has trainable variables. A layer that reads only the model's input
    /// never does; in a sequential model these are the layers below it.
    /// </summary>
    /// <remarks>A lookup (precomputed when a Trainable flag changes). For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool ComputesInputGradient(int layerIndex) => _computesInputGradient[layerIndex];

    /// <summary>
    /// Whether layer <paramref name="layerIndex"/>'s backward runs at all in this pass: it computes weight gradients
    /// (trainable, with trainable variables) or passes a gradient to its inputs (<see cref="ComputesInputGradient"/>).
    /// A graph model's backward skips the others whole, their output gradients included.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool RunsBackward(int layerIndex) =>
        (_trainable[layerIndex] && _hasTrainableVariables[layerIndex]) || _computesInputGradient[layerIndex];

    /// <summary>Whether a layer runs in training mode in this pass (BatchNormalization: batch statistics; Dropout: masks).</summary>
    /// <remarks>As in Keras, a frozen BatchNormalization layer always runs in inference mode. For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool IsTrainingMode(int layerIndex, bool training) =>
        training && (_trainable[layerIndex] || Definition.Layers[layerIndex].Kind != LayerKind.BatchNormalization);

    /// <summary>
    /// Allocates the buffers for passes of up to <paramref name="capacity"/> samples: for training steps, or, when
    /// <paramref name="training"/> is false, only those a forward pass with <c>training: false</c> uses.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive or above <see cref="MaxWorkspaceCapacity"/>.</exception>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract ModelWorkspace CreateWorkspace(int capacity, bool training);

    /// <summary>
    /// The exact bytes of the arrays <see cref="CreateWorkspace"/> would allocate for <paramref name="capacity"/>
    /// samples in that mode, the base class's included (4 per float or int, 8 per double, 1 per bool; object headers
    /// not counted), computed in long without allocating.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract long WorkspaceBytes(int capacity, bool training);

    /// <summary>The largest capacity for which every array of a workspace in that mode has at most <see cref="Array.MaxLength"/> elements (at least 1: larger models do not build).</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract int MaxWorkspaceCapacity(bool training);

    /// <summary>Runs every layer on <paramref name="batch"/> samples from <see cref="ModelWorkspace.Input"/>, leaving the result in <see cref="ModelWorkspace.Output"/>.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void Forward(ModelWorkspace workspace, int batch, bool training);

    /// <summary>
    /// Back-propagates <see cref="ModelWorkspace.OutputGradient"/> through the layers, adding each trainable layer's
    /// weight gradients to <see cref="ModelWorkspace.Gradients"/>. Needs the same workspace the forward pass filled.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void Backward(ModelWorkspace workspace, int batch);

    /// <summary>Draws a dropout mask: each element kept with probability 1 - rate and scaled by 1/(1 - rate).</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static void DropoutMask(ModelWorkspace workspace, Span<float> mask, float rate)
    {
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = workspace.Random.NextSingle() < rate ? 0f : scale;
        workspace.RandomDraws += mask.Length;
    }

    /// <summary>
    /// Fills <paramref name="draws"/> with uniform values in [0, 1) from the workspace's seeded stream, the draws an
    /// augmentation layer turns into its per-image (or per-pass) parameters.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static void AugmentationDraws(ModelWorkspace workspace, Span<float> draws)
    {
        for (int i = 0; i < draws.Length; i++)
            draws[i] = workspace.Random.NextSingle();
    }
}
