using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable: never renumber or reuse one; each has a page at
/// docs/diagnostics/CNGnnnn.md and a test.
/// </summary>
internal static class Descriptors
{
    private const string Category = "ConvNetGen";
    // Set once in Directory.Build.props (ConvNetGenDiagnosticsHelpBase); the page of an ID is <base><ID>.md.
    private const string HelpLinkBase = DiagnosticsHelp.Base;

    public static readonly DiagnosticDescriptor ModelNotPartial = Error("CNG0001",
        "Model class must be partial",
        "Model class '{0}' must be declared partial so ConvNetGen can generate its code");

    public static readonly DiagnosticDescriptor ModelIsGeneric = Error("CNG0002",
        "Model class must not be generic",
        "Model class '{0}' must not be generic: every shape is a compile-time constant, so a model cannot have type parameters");

    public static readonly DiagnosticDescriptor WindowLargerThanInput = Error("CNG0003",
        "Layer window is larger than its input",
        "{0} '{1}' needs an input of at least {2} but gets {3} from '{4}'; its output would shrink to zero (use a smaller {5}, or Padding = Padding.Same)");

    public static readonly DiagnosticDescriptor MissingInput = Error("CNG0004",
        "Model has no [Input]",
        "Model class '{0}' declares layers but no [Input(...)]; add one with the shape of a sample, e.g. [Input(28, 28, 1)]");

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error("CNG0005",
        "Layers are split across partial declarations",
        "Model class '{0}' declares its layers on more than one partial declaration; put [Input] and every layer on one declaration so their order is defined");

    public static readonly DiagnosticDescriptor InvalidArgument = Error("CNG0006",
        "Invalid layer argument",
        "{0} '{1}': {2}");

    public static readonly DiagnosticDescriptor WrongInputRank = Error("CNG0007",
        "Layer cannot take an input of this rank",
        "{0} '{1}' needs {2} but gets {3} from '{4}'");

    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error("CNG0008",
        "Dropout rate out of range",
        "Dropout '{0}' has rate {1}; the rate must be in [0, 1)");

    public static readonly DiagnosticDescriptor SoftmaxBeforeLastLayer = new("CNG0009",
        "Softmax before the last layer",
        "{0} '{1}' uses Softmax but is not the last layer; Softmax normalises for a classifier's output and is rarely wanted inside a network",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "CNG0009.md");

    public static readonly DiagnosticDescriptor DenseOnUnflattenedInput = Error("CNG0010",
        "Dense needs a flat input",
        "Dense '{0}' needs a flat input but gets {1} from '{2}'; add [Flatten] or [GlobalAveragePooling2D] before it");

    public static readonly DiagnosticDescriptor ModelIsNested = Error("CNG0011",
        "Model class must not be nested",
        "Model class '{0}' is nested in '{1}'; declare models as top-level classes");

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("CNG0012",
        "Invalid input shape",
        "Model '{0}' has input shape {1}: {2}");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error("CNG0013",
        "Invalid or duplicate layer name",
        "Layer name '{0}' {1}");

    public static readonly DiagnosticDescriptor NoLayers = Error("CNG0014",
        "Model has no layers",
        "Model '{0}' declares an [Input] but no layers; add at least one layer, e.g. [Dense(10, Activation = Activation.Softmax)]");

    public static readonly DiagnosticDescriptor ModelHasBaseClass = Error("CNG0015",
        "Model class must not declare a base class",
        "Model class '{0}' derives from '{1}'; generated models derive from ConvNetGen.Model, so leave the base class out");

    public static readonly DiagnosticDescriptor IncludedModelNotFound = Error("CNG0016",
        "Included type is not a model",
        "[Include(typeof({0}))] in '{1}': {2}");

    public static readonly DiagnosticDescriptor IncludedModelInputMismatch = Error("CNG0017",
        "Included model's input does not match",
        "[Include(typeof({0}))] needs an input of {1} but gets {2} from '{3}'");

    public static readonly DiagnosticDescriptor UnsupportedModelDeclaration = Error("CNG0018",
        "Unsupported model declaration",
        "Model '{0}' is {1}");

    public static readonly DiagnosticDescriptor SizeExceedsInt = Error("CNG0019",
        "Tensor or parameter count too large",
        "{0} '{1}': {2}");

    public static readonly DiagnosticDescriptor WorkspaceBufferTooLarge = Error("CNG0020",
        "Workspace buffer too large for one sample",
        "{0} '{1}' needs its workspace buffer '{2}' to hold {3} elements for a single sample, more than a buffer holds ({4}); the model could not run even one sample at a time");

    public static readonly DiagnosticDescriptor InputNotFound = Error("CNG0021",
        "Layer reads a tensor that is not above it",
        "{0} '{1}' reads '{2}', {3}");

    public static readonly DiagnosticDescriptor MergeShapeMismatch = Error("CNG0022",
        "Merged inputs do not fit together",
        "{0} '{1}' cannot merge '{2}' ({3}) with '{4}' ({5}): {6}");

    public static readonly DiagnosticDescriptor UnusedLayerOutput = new("CNG0023",
        "Layer output is not used",
        "The output of {0} '{1}' is read by no layer, so it never reaches the model's output '{2}'; it is not computed. Read it (Input = \"{1}\", or in an Add or Concatenate) or remove the layer.",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "CNG0023.md");

    public static readonly DiagnosticDescriptor BlockArgumentMissing = Error("CNG0024",
        "Block argument not given",
        "[Include(typeof({0}))] must set {1}: the block's layer '{2}' uses Block.{1}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
