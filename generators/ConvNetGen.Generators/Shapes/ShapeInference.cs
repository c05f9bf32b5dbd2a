using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Pure arithmetic over a <see cref="ModelSpec"/>: names every layer, infers every shape with Keras' rules, lays the
/// parameters out in one buffer, and reports each problem on the attribute that causes it.
/// </summary>
internal static class ShapeInference
{
    public static ModelResult Infer(ModelSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
        var names = new LayerNames(spec.Layers.Select(l => l.Name), spec.ClassName);
        var layers = new List<LayerPlan>();

        int[] shape = spec.InputShape.ToArray();
        bool shapeKnown = CheckInput(spec, diagnostics);
        if (spec.Layers.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NoLayers, spec.InputLocation, spec.ClassName));

        var usedNames = new HashSet<string> { spec.InputName };
        CheckName(spec.InputName, spec.InputLocation, usedNames, diagnostics, isInput: true);
        names.Identifier(spec.InputName);

        string previous = spec.InputName;
        int offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            string name = layer.Name ?? names.Next(layer.Kind);
            if (layer.Name is not null)
                CheckName(name, layer.Location, usedNames, diagnostics, isInput: false);

            if (layer.Activation == ActivationKind.Softmax && i < spec.Layers.Count - 1)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SoftmaxBeforeLastLayer, layer.Location, layer.Kind.ToString(), name));

            if (shapeKnown && layer.IncludedFrom is not null && !layer.IncludedInput.AsSpan().SequenceEqual(shape))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelInputMismatch, layer.Location,
                    layer.IncludedFrom, Format(layer.IncludedInput), Format(shape), previous));
                shapeKnown = false;
            }

            // Arguments are checked even after an earlier problem, so every bad layer is reported at once.
            bool argumentsValid = CheckArguments(layer, name, diagnostics);
            if (!shapeKnown || !argumentsValid)
            {
                shapeKnown = false; // later layers cannot be checked against an unknown shape
                previous = name;
                continue;
            }

            var context = new LayerContext(layer, name, previous, shape, diagnostics);
            var output = OutputShape(context, out int padTop, out int padLeft);
            if (output is null)
            {
                shapeKnown = false;
                previous = name;
                continue;
            }

            // Sizes are counted in long: a tensor's elements must fit the int constants the generated code uses,
            // and all parameters one array (the model's parameters, and each training workspace's gradients).
            long outputSize = Elements(output);
            long parameters = ParameterCount(layer, shape);
            string? tooLarge =
                outputSize > int.MaxValue ? Too($"its output ({Format(output)})", outputSize, $"an int counts ({N(int.MaxValue)}), the most a tensor of one sample may have")
                : offset + parameters > WorkspacePlan.MaxArrayLength ? Too("the model's parameters up to this layer", offset + parameters, $"one array holds ({N(WorkspacePlan.MaxArrayLength)}), and they live in one")
                : null;
            if (tooLarge is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SizeExceedsInt, layer.Location, layer.Kind.ToString(), name, tooLarge));
                shapeKnown = false;
                previous = name;
                continue;
            }
            var weights = Weights(layer, shape, output, ref offset);
            layers.Add(new LayerPlan(i, name, names.Identifier(name), layer, previous, shape.ToEquatableArray(),
                output.ToEquatableArray(), padTop, padLeft, weights));
            shape = output;
            previous = name;
        }

        bool sound = spec.CanEmit && shapeKnown && !diagnostics.Any(d => d.IsError);
        var plan = sound
            ? new ModelPlan(spec.Namespace, spec.ClassName, spec.HintName, spec.InputName, spec.InputShape, ConvPlanning.Decide(layers))
            : null;
        if (plan is not null)
        {
            plan = plan with { Workspace = Emitting.WorkspaceLayout.Build(plan) };
            if (!CheckWorkspace(spec, plan, diagnostics)) plan = null;
        }
        return new ModelResult(spec, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// Every workspace array must hold one sample: a buffer longer than Array.MaxLength for a single sample would
    /// build and then throw when the model is constructed. Reported once per layer, on its attribute.
    /// </summary>
    private static bool CheckWorkspace(ModelSpec spec, ModelPlan plan, List<DiagnosticInfo> diagnostics)
    {
        bool fits = true;
        var reported = new HashSet<int>();
        foreach (var buffer in plan.Workspace.Buffers)
        {
            decimal elements = buffer.Size.Elements(1);
            if (!buffer.AllocatedIn(training: true) || elements <= WorkspacePlan.MaxArrayLength || !reported.Add(buffer.Layer)) continue;
            fits = false;
            var (kind, name, location) = buffer.Layer < 0
                ? ("Input", spec.InputName, spec.InputLocation)
                : (plan.Layers[buffer.Layer].Kind.ToString(), plan.Layers[buffer.Layer].Name, plan.Layers[buffer.Layer].Spec.Location);
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.WorkspaceBufferTooLarge, location, kind, name, buffer.Name,
                elements.ToString("N0", CultureInfo.InvariantCulture), N(WorkspacePlan.MaxArrayLength)));
        }
        return fits;
    }

    private static long Elements(IEnumerable<int> shape) => shape.Aggregate(1L, (n, d) => n * d);

    private static string Too(string what, long elements, string limit) => $"{what} would have {N(elements)} elements, more than {limit}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static bool CheckInput(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        string shape = spec.InputShape.Count == 0 ? "()" : Format(spec.InputShape);
        string? problem =
            spec.InputShape.Count == 0 ? "give the shape of one sample, e.g. [Input(28, 28, 1)]"
            : spec.InputShape.Count > 3 ? "inputs have rank 1 (features) to 3 (height, width, channels)"
            : spec.InputShape.Any(d => d <= 0) ? "every dimension must be positive"
            : Elements(spec.InputShape) > int.MaxValue ? $"a sample has more than {N(int.MaxValue)} elements"
            : null;
        if (problem is null) return true;
        diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidInputShape, spec.InputLocation, spec.ClassName, shape, problem));
        return false;
    }

    private static void CheckName(string name, LocationInfo? location, HashSet<string> used, List<DiagnosticInfo> diagnostics, bool isInput)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOf('/') >= 0 || name.Any(char.IsControl))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidLayerName, location, name,
                "is not valid: a name must not be empty and must not contain '/' (it names weights such as 'conv2d/kernel') or control characters"));
        else if (!isInput && !used.Add(name))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidLayerName, location, name,
                "is used by more than one layer; layer names must be unique"));
    }

    /// <summary>Checks the arguments that do not depend on the input shape; false when the layer cannot be planned.</summary>
    private static bool CheckArguments(LayerSpec layer, string name, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        void Invalid(string message) =>
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidArgument, layer.Location, layer.Kind.ToString(), name, message));

        if (!Enum.IsDefined(typeof(ActivationKind), layer.Activation))
            Invalid($"{(int)layer.Activation} is not an Activation");
        if (!Enum.IsDefined(typeof(PaddingKind), layer.Padding))
            Invalid($"{(int)layer.Padding} is not a Padding");

        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
                if (layer.Units <= 0) Invalid($"filters must be positive but is {layer.Units}");
                CheckWindow(layer, "kernel", Invalid);
                break;
            case LayerKind.MaxPooling2D:
            case LayerKind.AveragePooling2D:
                CheckWindow(layer, "pool size", Invalid);
                break;
            case LayerKind.Dense:
                if (layer.Units <= 0) Invalid($"units must be positive but is {layer.Units}");
                break;
            case LayerKind.Dropout:
                if (!(layer.Rate >= 0 && layer.Rate < 1))
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.DropoutRateOutOfRange, layer.Location, name, Number(layer.Rate)));
                break;
            case LayerKind.BatchNormalization:
                if (!(layer.Momentum >= 0 && layer.Momentum <= 1)) Invalid($"momentum must be in [0, 1] but is {Number(layer.Momentum)}");
                if (!(layer.Epsilon > 0) || double.IsInfinity(layer.Epsilon)) Invalid($"epsilon must be positive but is {Number(layer.Epsilon)}");
                break;
            case LayerKind.Rescaling:
                if (double.IsNaN(layer.Scale) || double.IsInfinity(layer.Scale)) Invalid($"scale must be finite but is {Number(layer.Scale)}");
                if (double.IsNaN(layer.Offset) || double.IsInfinity(layer.Offset)) Invalid($"offset must be finite but is {Number(layer.Offset)}");
                break;
        }
        return diagnostics.Count == before;
    }

    private static void CheckWindow(LayerSpec layer, string what, Action<string> invalid)
    {
        if (layer.WindowHeight <= 0 || layer.WindowWidth <= 0)
        {
            invalid($"{what} must be positive but is {layer.WindowHeight}×{layer.WindowWidth}");
            if (layer.Kind != LayerKind.Conv2D) return; // pooling strides default to the pool size: one problem, one error
        }
        if (layer.StrideHeight <= 0 || layer.StrideWidth <= 0)
            invalid($"strides must be positive but are {layer.StrideHeight}×{layer.StrideWidth}");
    }

    private sealed record LayerContext(LayerSpec Layer, string Name, string From, int[] Input, List<DiagnosticInfo> Diagnostics)
    {
        public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params string[] args) =>
            Diagnostics.Add(DiagnosticInfo.Create(descriptor, Layer.Location, args));
    }

    private static int[]? OutputShape(LayerContext c, out int padTop, out int padLeft)
    {
        padTop = padLeft = 0;
        var layer = c.Layer;
        int[] input = c.Input;
        string kind = layer.Kind.ToString();
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
            case LayerKind.MaxPooling2D:
            case LayerKind.AveragePooling2D:
                if (input.Length != 3)
                {
                    c.Report(Descriptors.WrongInputRank, kind, c.Name, "a (height, width, channels) input", Format(input), c.From);
                    return null;
                }
                if (layer.Padding == PaddingKind.Valid && (layer.WindowHeight > input[0] || layer.WindowWidth > input[1]))
                {
                    c.Report(Descriptors.WindowLargerThanInput, kind, c.Name, $"{layer.WindowHeight}×{layer.WindowWidth}",
                        Format(input), c.From, layer.Kind == LayerKind.Conv2D ? "kernel" : "pool size");
                    return null;
                }
                int height = OutputSize(input[0], layer.WindowHeight, layer.StrideHeight, layer.Padding, out padTop);
                int width = OutputSize(input[1], layer.WindowWidth, layer.StrideWidth, layer.Padding, out padLeft);
                return new[] { height, width, layer.Kind == LayerKind.Conv2D ? layer.Units : input[2] };

            case LayerKind.GlobalAveragePooling2D:
                if (input.Length != 3)
                {
                    c.Report(Descriptors.WrongInputRank, kind, c.Name, "a (height, width, channels) input", Format(input), c.From);
                    return null;
                }
                return new[] { input[2] };

            case LayerKind.Flatten:
                return new[] { (int)Elements(input) }; // the input's size, already checked to fit in an int

            case LayerKind.Dense:
                if (input.Length != 1)
                {
                    c.Report(Descriptors.DenseOnUnflattenedInput, c.Name, Format(input), c.From);
                    return null;
                }
                return new[] { layer.Units };

            default: // Dropout, BatchNormalization, Rescaling keep their input's shape
                return input;
        }
    }

    /// <summary>Keras' output size; for Same padding also the padding before the first row/column (the rest goes after).</summary>
    /// <remarks>In long, so a dimension near int.MaxValue or a large stride or window cannot overflow; the result is at most the input.</remarks>
    private static int OutputSize(int input, int window, int stride, PaddingKind padding, out int padBefore)
    {
        if (padding == PaddingKind.Valid)
        {
            padBefore = 0;
            return (int)(((long)input - window) / stride + 1);
        }
        long output = ((long)input + stride - 1) / stride;
        long padTotal = Math.Max((output - 1) * stride + window - input, 0);
        padBefore = (int)Math.Min(padTotal / 2, int.MaxValue);
        return (int)output;
    }

    private static long ParameterCount(LayerSpec layer, int[] input)
    {
        long channels = input[input.Length - 1];
        return layer.Kind switch
        {
            LayerKind.Conv2D => (long)layer.WindowHeight * layer.WindowWidth * channels * layer.Units + (layer.UseBias ? layer.Units : 0),
            LayerKind.Dense => channels * layer.Units + (layer.UseBias ? layer.Units : 0),
            LayerKind.BatchNormalization => 4 * channels,
            _ => 0,
        };
    }

    private static EquatableArray<WeightPlan> Weights(LayerSpec layer, int[] input, int[] output, ref int offset)
    {
        var weights = new List<WeightPlan>();
        int at = offset;
        void Add(string name, bool trainable, params int[] shape)
        {
            int length = shape.Aggregate(1, (n, d) => n * d);
            weights.Add(new WeightPlan(name, shape.ToEquatableArray(), at, length, trainable));
            at += length;
        }

        int channels = input[input.Length - 1];
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
                Add("kernel", true, layer.WindowHeight, layer.WindowWidth, channels, layer.Units);
                if (layer.UseBias) Add("bias", true, layer.Units);
                break;
            case LayerKind.Dense:
                Add("kernel", true, channels, layer.Units);
                if (layer.UseBias) Add("bias", true, layer.Units);
                break;
            case LayerKind.BatchNormalization:
                Add("gamma", true, channels);
                Add("beta", true, channels);
                Add("moving_mean", false, channels);
                Add("moving_variance", false, channels);
                break;
        }
        offset = at;
        return weights.ToEquatableArray();
    }

    /// <summary>A shape as the diagnostics print it: 3×3×128.</summary>
    public static string Format(IEnumerable<int> shape) => string.Join("×", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
