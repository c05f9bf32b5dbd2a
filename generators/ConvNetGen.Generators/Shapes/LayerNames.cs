using System.Collections.Generic;
using System.Linq;
using System.Text;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>Keras' default layer names (conv2d, conv2d_1, …) and the C# identifiers generated code uses for them.</summary>
internal sealed class LayerNames
{
    private readonly Dictionary<string, int> _autoNameCounts = new();
    /// <summary>
    /// Every public and protected member name of <c>ConvNetGen.Model</c> and its base <c>object</c>, inherited ones
    /// included (a layer accessor of the same name would hide it, CS0108). A test compares this list with the
    /// runtime's <c>Model</c> by reflection, so a member added there without being added here fails the build.
    /// </summary>
    internal static readonly string[] ModelMemberNames =
    {
        // Model's public surface.
        "Definition", "Seed", "Layers", "Item", "Parameters", "Weights", "GetSummary", "IsTraining", "ThreadCount", "Optimizer",
        "Compile", "Fit", "Evaluate", "Predict", "TrainOnBatch", "ReleaseBuffers", "SaveWeights", "LoadWeights", "CopyWeightsFrom", "ExportOnnx",
        "StopTraining", "SaveCheckpoint", "LoadCheckpoint",
        "GetWeights", "SetWeights",
        // Model's protected hooks, which only generated code calls or overrides.
        "ComputesWeightGradients", "ComputesInputGradient", "RunsBackward", "IsTrainingMode", "SumAcrossChunks", "IsFirstChunk", "DropoutMask", "AugmentationDraws",
        "CreateWorkspace", "WorkspaceBytes", "MaxWorkspaceCapacity", "Forward", "Backward", "ParameterBuffer", "WinogradKernel", "PackedKernel", "FoldedKernel",
        // object's.
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    };

    /// <summary>The members the generator itself declares in every model class besides the layers' own.</summary>
    internal static readonly string[] GeneratedMemberNames = { "Shapes", "Summary", "Architecture", "Workspace" };

    /// <summary>The members of <c>Model</c> every generated class overrides, so declares too.</summary>
    internal static readonly string[] OverriddenMemberNames = { "CreateWorkspace", "WorkspaceBytes", "MaxWorkspaceCapacity", "Forward", "Backward" };

    // Layers become members of the model class (typed accessors, {Id}Forward/{Id}Backward methods), so the names of
    // the generated and inherited members are taken.
    private readonly HashSet<string> _identifiers = new(ModelMemberNames.Concat(GeneratedMemberNames))
    {
        // Shapes' own constants, and the constants inside each layer's class in Shapes (a nested class cannot share
        // a name with its members).
        "InputSize", "OutputSize", "ParameterCount", "TrainableParameterCount", "ParameterOffset",
        "InputHeight", "InputWidth", "InputChannels", "InputRows", "InputColumns", "InputFeatures",
        "OutputHeight", "OutputWidth", "OutputChannels", "OutputRows", "OutputColumns", "OutputFeatures",
        "KernelHeight", "KernelWidth", "PoolHeight", "PoolWidth", "StrideHeight", "StrideWidth", "PadTop", "PadLeft", "PadBottom", "PadRight",
        "KernelOffset", "KernelLength", "BiasOffset", "BiasLength", "GammaOffset", "GammaLength", "BetaOffset", "BetaLength",
        "MovingMeanOffset", "MovingMeanLength", "MovingVarianceOffset", "MovingVarianceLength",
        // Workspace fields are {Id}Output and {Id}Gradient; "Output" would make OutputGradient hide the base's.
        "Output", "Input",
        // The types the model's own attributes name in their arguments (Activation.ReLU, Padding.Same, Block.Filters):
        // a member of that name would hide the type there, so a layer left with Keras' name "activation" broke the build.
        "Activation", "Padding", "Block", "RandomFlipMode", "FillMode",
    };

    /// <summary>Keras' snake_case prefix per kind (what <c>backend.get_uid</c> counts).</summary>
    public static string Prefix(LayerKind kind) =>
        kind == LayerKind.Input || kind == LayerKind.Include ? "input_layer" : Layers.LayerDefinitions.For(kind).Prefix;

    private readonly HashSet<string> _explicitNames;

    /// <param name="explicitNames">Names the model gives by hand; automatic names skip them.</param>
    /// <param name="className">The model class's name, which no member may share.</param>
    public LayerNames(IEnumerable<string?> explicitNames, string? className = null)
    {
        if (className is not null) _identifiers.Add(className);
        _explicitNames = new HashSet<string>();
        foreach (var name in explicitNames)
            if (name is not null) _explicitNames.Add(name);
    }

    /// <summary>Every layer's name: its own, or the next automatic one for its kind.</summary>
    public static string[] Assign(IReadOnlyList<LayerSpec> layers)
    {
        var names = new LayerNames(layers.Select(l => l.Name));
        return layers.Select(l => l.Name ?? names.Next(l.Kind)).ToArray();
    }

    /// <summary>
    /// The next automatic name for a kind; user-named layers do not advance the count, as in Keras, and a name a
    /// layer already has by hand (e.g. one included from another model) is skipped.
    /// </summary>
    public string Next(LayerKind kind)
    {
        string prefix = Prefix(kind);
        while (true)
        {
            _autoNameCounts.TryGetValue(prefix, out int count);
            _autoNameCounts[prefix] = count + 1;
            string name = count == 0 ? prefix : prefix + "_" + count;
            if (!_explicitNames.Contains(name)) return name;
        }
    }

    private bool IsFree(string identifier) =>
        !_identifiers.Contains(identifier) && !_identifiers.Contains(identifier + "Forward") && !_identifiers.Contains(identifier + "Backward");

    /// <summary>A unique PascalCase identifier for a layer name: <c>conv2d_1</c> → <c>Conv2d1</c>.</summary>
    public string Identifier(string name)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c) && c < 128)
            {
                sb.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else upper = true;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, "Layer");
        string baseName = sb.ToString(), identifier = baseName;
        if (!IsFree(identifier)) identifier = baseName + "Layer";
        for (int i = 2; !IsFree(identifier); i++) identifier = baseName + "Layer" + i;
        _identifiers.Add(identifier);
        _identifiers.Add(identifier + "Forward");
        _identifiers.Add(identifier + "Backward");
        return identifier;
    }
}
