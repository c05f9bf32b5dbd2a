using System;
using System.Collections.Generic;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Layers;

/// <summary>
/// Everything one layer kind is, in one place: its attribute and Keras name, how its arguments are read, checked
/// and turn into an output shape and weights, the buffers it keeps, its forward and backward code, and how the
/// summary and comments describe it. A new kind is an attribute, one subclass (registered in
/// <see cref="LayerDefinitions"/>), a kernel if it needs one, and tests.
/// </summary>
internal abstract class LayerDefinition
{
    public abstract LayerKind Kind { get; }

    /// <summary>The attribute's metadata name, e.g. <c>ConvNetGen.Conv2DAttribute</c>.</summary>
    public string AttributeName => $"ConvNetGen.{Kind}Attribute";

    /// <summary>Keras' snake_case prefix for automatic names (what <c>backend.get_uid</c> counts): <c>conv2d</c>.</summary>
    public abstract string Prefix { get; }

    /// <summary>How many tensors the layer reads: one for most kinds, two or more for merges.</summary>
    public virtual bool Merges => false;

    /// <summary>Reads the kind's arguments from its attribute (the Reading stage; nothing after it sees Roslyn).</summary>
    public virtual LayerArguments Read(AttributeArguments args) => NoArguments.Instance;

    /// <summary>Checks the arguments that do not depend on the input shape.</summary>
    public virtual void CheckArguments(LayerSpec layer, ArgumentCheck check) { }

    /// <summary>The output shape for one sample, or null after reporting why there is none.</summary>
    public abstract int[]? OutputShape(ShapeContext c);

    /// <summary>The weight tensors, in Keras' order, for this input shape.</summary>
    public virtual IEnumerable<WeightShape> Weights(LayerSpec layer, int[] input) => Array.Empty<WeightShape>();

    /// <summary>One line on what the layer does, for the doc comment above its methods.</summary>
    public virtual string Describe(LayerPlan layer) => $"{Kind}; {Shapes(layer)}.";

    /// <summary>
    /// The layer's settings for the runtime's <c>LayerConfig</c> (what exporters and configuration checks read), as
    /// property names and C# values; only those that differ from the defaults.
    /// </summary>
    public virtual IEnumerable<(string Property, string Value)> Config(LayerPlan layer) => Array.Empty<(string, string)>();

    /// <summary>A window's settings: its size and strides, its padding mode, and the zeros it adds on each side.</summary>
    internal static IEnumerable<(string, string)> WindowConfig(LayerPlan layer, Window window)
    {
        yield return ("WindowHeight", SourceWriter.Int(window.Height));
        yield return ("WindowWidth", SourceWriter.Int(window.Width));
        if (window.StrideHeight != 1) yield return ("StrideHeight", SourceWriter.Int(window.StrideHeight));
        if (window.StrideWidth != 1) yield return ("StrideWidth", SourceWriter.Int(window.StrideWidth));
        if (window.Padding != PaddingKind.Same) yield break;
        yield return ("Padding", "global::ConvNetGen.Padding.Same");
        int Total(int input, int output, int size, int stride) => Math.Max((output - 1) * stride + size - input, 0);
        int bottom = Total(layer.InputShape[0], layer.OutputShape[0], window.Height, window.StrideHeight) - layer.PadTop;
        int right = Total(layer.InputShape[1], layer.OutputShape[1], window.Width, window.StrideWidth) - layer.PadLeft;
        foreach (var (name, value) in new[] { ("PadTop", layer.PadTop), ("PadBottom", bottom), ("PadLeft", layer.PadLeft), ("PadRight", right) })
            if (value != 0) yield return (name, SourceWriter.Int(value));
    }

    /// <summary>A double setting as C# writes it, round-tripping.</summary>
    internal static string Double(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Constants besides the shapes and weights in the layer's class in <c>Shapes</c> (windows, padding).</summary>
    public virtual void ShapeConstants(SourceWriter w, LayerPlan layer) { }

    /// <summary>
    /// Buffers besides the output and its gradient, each with its length as data and whether the forward pass with
    /// <c>training: false</c> touches it (see <see cref="WorkspaceLayout"/>, which collects them once per model).
    /// </summary>
    public virtual IEnumerable<BufferPlan> ExtraBuffers(LayerContext c) => Array.Empty<BufferPlan>();

    /// <summary>Whether the output and its gradient alias the input's (Flatten: no copy).</summary>
    public virtual bool AliasesInput => false;

    /// <summary>Writes the body of <c>{Id}Forward(Workspace ws, int batch, bool training)</c>.</summary>
    public abstract void Forward(SourceWriter w, LayerContext c);

    /// <summary>
    /// Writes the body of <c>{Id}Backward(Workspace ws, int batch)</c>: from <c>{Id}Gradient</c>, add weight gradients
    /// to <c>ws.Gradients</c> when <c>ComputesWeightGradients(index)</c>, and write the input gradient when
    /// <c>ComputesInputGradient(index)</c>.
    /// </summary>
    public abstract void Backward(SourceWriter w, LayerContext c);

    protected static string Shapes(LayerPlan layer) =>
        $"{ShapeInference.Format(layer.InputShape)} → {ShapeInference.Format(layer.OutputShape)}";

    /// <summary>A buffer of layer <paramref name="c"/>, allocated (in inference workspaces too unless <paramref name="trainingOnly"/>).</summary>
    protected static BufferPlan Buffer(LayerContext c, string suffix, string elementType, BufferSize size, bool trainingOnly, string comment, string derivation, bool forwardScratch = false) =>
        new(c.Layer.Index, c.Id + suffix, elementType, BufferKind.Allocated, size, trainingOnly, comment, derivation, ForwardScratch: forwardScratch);

    /// <summary>Declares the one-sample shape constants a layer's loops use.</summary>
    internal static void Constants(SourceWriter w, LayerContext c, Window? window)
    {
        var s = c.Layer.InputShape;
        var o = c.Layer.OutputShape;
        if (s.Count == 3)
            w.Line($"const int IH = {s[0]}, IW = {s[1]}, IC = {s[2]};");
        if (o.Count == 3)
            w.Line($"const int OH = {o[0]}, OW = {o[1]}, OC = {o[2]};");
        if (window is not null)
            w.Line($"const int KH = {window.Height}, KW = {window.Width}, SH = {window.StrideHeight}, SW = {window.StrideWidth}, PT = {c.Layer.PadTop}, PL = {c.Layer.PadLeft};");
    }

    /// <summary>
    /// Turns the output gradient into the pre-activation gradient in place (unless the loss already fused a final
    /// Softmax), and, when the layer computes weight gradients and has a bias, adds the bias gradient in the same pass.
    /// Leaves the caller inside <c>if (ComputesWeightGradients(i)) {{</c> … emitted by <paramref name="weightGradients"/>.
    /// </summary>
    internal static void ActivationAndBiasBackward(SourceWriter w, LayerContext c, bool hasBias, string rows, string width, Action weightGradients)
    {
        var activation = c.Layer.Spec.Activation;
        if (c.SoftmaxFusedIntoLoss)
        {
            w.Line("// Softmax feeds the loss, which already gave the gradient with respect to the logits.");
            activation = ActivationKind.Linear;
        }
        string output = $"{c.OutputBuffer}.AsSpan(0, {rows} * {width})";
        string act = $"global::ConvNetGen.Activation.{activation}";
        using (w.Block($"if (ComputesWeightGradients({c.Layer.Index}))"))
        {
            if (hasBias)
            {
                w.Line($"// The activation's derivative and dBias[{width}] += Σ rows, in one pass over the gradient.");
                w.Line($"global::ConvNetGen.Kernels.Activations.BackwardWithBiasGradient({act}, {output}, gradient, {width}, ws.Gradients.AsSpan({Weight(c, "bias")}));");
            }
            else if (activation != ActivationKind.Linear)
                w.Line($"global::ConvNetGen.Kernels.Activations.Backward({act}, {output}, gradient, {width});");
            weightGradients();
        }
        if (activation != ActivationKind.Linear)
            w.Line($"else global::ConvNetGen.Kernels.Activations.Backward({act}, {output}, gradient, {width});");
    }

    internal static string Weight(LayerContext c, string name)
    {
        foreach (var weight in c.Layer.Weights)
            if (weight.Name == name)
                return $"{c.Shapes}.{ShapesEmitter.Pascal(name)}Offset, {c.Shapes}.{ShapesEmitter.Pascal(name)}Length";
        throw new InvalidOperationException($"{c.Layer.Name} has no weight {name}");
    }

    /// <summary>A shape's dimensions as the diagnostics print them: 3×3×128.</summary>
    protected static string Format(IEnumerable<int> shape) => ShapeInference.Format(shape);

    protected static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A weight tensor a kind declares: its Keras name, whether an optimizer may change it, and its shape.</summary>
internal sealed record WeightShape(string Name, bool Trainable, params int[] Shape)
{
    public long Length
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}

/// <summary>Where an argument check reports: CNG0006 with a message, or the kind's own descriptor.</summary>
internal sealed class ArgumentCheck(LayerSpec layer, string name, List<DiagnosticInfo> diagnostics)
{
    public string Name => name;

    public void Invalid(string message) =>
        diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidArgument, layer.Location, layer.Kind.ToString(), name, message));

    public void Report(DiagnosticDescriptor descriptor, params string[] arguments) =>
        diagnostics.Add(DiagnosticInfo.Create(descriptor, layer.Location, arguments));

    /// <summary>Checks a window's size and strides; pooling strides default to the pool size, so a bad size is one error.</summary>
    public void Window(Window window, string what, bool stridesFollowSize)
    {
        if (window.Height <= 0 || window.Width <= 0)
        {
            Invalid($"{what} must be positive but is {window.Height}×{window.Width}");
            if (stridesFollowSize) return;
        }
        if (window.StrideHeight <= 0 || window.StrideWidth <= 0)
            Invalid($"strides must be positive but are {window.StrideHeight}×{window.StrideWidth}");
        if (!Enum.IsDefined(typeof(PaddingKind), window.Padding))
            Invalid($"{(int)window.Padding} is not a Padding");
    }

    public void Activation(ActivationKind activation)
    {
        if (!Enum.IsDefined(typeof(ActivationKind), activation))
            Invalid($"{(int)activation} is not an Activation");
    }
}

/// <summary>A tensor a layer reads, by the name the diagnostics use, with its one-sample shape.</summary>
internal readonly record struct NamedShape(string Name, int[] Shape);

/// <summary>What a kind's shape rule sees: the layer, its name, the tensors it reads, and where to report.</summary>
internal sealed class ShapeContext(LayerSpec layer, string name, IReadOnlyList<NamedShape> inputs, List<DiagnosticInfo> diagnostics)
{
    public LayerSpec Layer => layer;
    public string Name => name;
    public IReadOnlyList<NamedShape> Inputs => inputs;
    public int[] Input => inputs[0].Shape;
    public string From => inputs[0].Name;
    public string Kind => layer.Kind.ToString();

    /// <summary>Rows and columns of padding before the first, for the plan (Conv2D and pooling with Same padding).</summary>
    public int PadTop { get; set; }
    public int PadLeft { get; set; }

    public void Report(DiagnosticDescriptor descriptor, params string[] args) =>
        diagnostics.Add(DiagnosticInfo.Create(descriptor, layer.Location, args));

    /// <summary>Whether the input is (height, width, channels), reporting CNG0007 when not.</summary>
    public bool RequireImage()
    {
        if (Input.Length == 3) return true;
        Report(Descriptors.WrongInputRank, Kind, name, "a (height, width, channels) input", ShapeInference.Format(Input), From);
        return false;
    }
}
