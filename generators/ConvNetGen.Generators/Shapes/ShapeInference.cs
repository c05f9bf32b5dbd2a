using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Pure arithmetic over a <see cref="ModelSpec"/>: names every layer, finds what each reads, infers every shape with
/// Keras' rules (each kind's own, in its <see cref="LayerDefinition"/>), lays the parameters out in one buffer, plans
/// the graph, and reports each problem on the attribute that causes it.
/// </summary>
internal static class ShapeInference
{
    public static ModelResult Infer(ModelSpec spec)
    {
        // A block is checked where it is included, with the shape that arrives there; alone it only has its declaration's problems.
        if (spec.IsBlock) return new ModelResult(spec, null, spec.Diagnostics);
        var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
        var names = new LayerNames(spec.Layers.Select(l => l.Name), spec.ClassName);

        bool inputKnown = CheckInput(spec, diagnostics);
        if (spec.Layers.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NoLayers, spec.InputLocation, spec.ClassName));

        var usedNames = new HashSet<string> { spec.InputName };
        CheckName(spec.InputName, spec.InputLocation, usedNames, diagnostics, isInput: true);
        names.Identifier(spec.InputName);

        // Names first, so a layer that reads one written below it is told so, not that it does not exist.
        var layerNames = new string[spec.Layers.Count];
        var byName = new Dictionary<string, int>(StringComparer.Ordinal) { [spec.InputName] = -1 };
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            layerNames[i] = layer.Name ?? names.Next(layer.Kind);
            if (layer.Name is not null)
                CheckName(layer.Name, layer.Location, usedNames, diagnostics, isInput: false, scoped: layer.IsScoped);
            if (!byName.ContainsKey(layerNames[i])) byName[layerNames[i]] = i;
            foreach (var alias in layer.Aliases)
                if (!byName.ContainsKey(alias)) byName[alias] = i;
        }

        var inputs = new int[]?[spec.Layers.Count];
        for (int i = 0; i < spec.Layers.Count; i++)
            inputs[i] = ResolveInputs(spec, i, layerNames, byName, diagnostics);

        var shapes = new int[]?[spec.Layers.Count];
        string Named(int j) => j < 0 ? spec.InputName : layerNames[j];
        int[]? ShapeOf(int j) => j < 0 ? (inputKnown ? spec.InputShape.ToArray() : null) : shapes[j];

        var layers = new List<LayerPlan>();
        bool allKnown = inputKnown;
        int offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            var definition = LayerDefinitions.For(layer.Kind);
            string name = layerNames[i];

            if (layer.Activation == ActivationKind.Softmax && i < spec.Layers.Count - 1)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SoftmaxBeforeLastLayer, layer.Location, layer.Kind.ToString(), name));

            // Arguments are checked even after an earlier problem, so every bad layer is reported at once.
            int before = diagnostics.Count;
            definition.CheckArguments(layer, new ArgumentCheck(layer, name, diagnostics));
            if (definition.Merges && layer.Inputs.Count < 2)
                new ArgumentCheck(layer, name, diagnostics).Invalid(
                    $"{layer.Kind} needs at least two inputs, given by name (e.g. [{layer.Kind}(\"conv2d\", \"{spec.InputName}\")]), but has {layer.Inputs.Count}");
            bool argumentsValid = diagnostics.Count == before;

            var reads = inputs[i];
            var inputShapes = reads?.Select(ShapeOf).ToArray();
            if (reads is null || inputShapes!.Any(s => s is null) || !argumentsValid)
            {
                allKnown = false; // what reads this layer cannot be checked against an unknown shape
                continue;
            }
            var named = reads.Select((j, k) => new NamedShape(Named(j), inputShapes![k]!)).ToList();

            if (layer.IncludedFrom is not null && !layer.IncludedInput.AsSpan().SequenceEqual(named[0].Shape))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelInputMismatch, layer.Location,
                    layer.IncludedFrom, Format(layer.IncludedInput), Format(named[0].Shape), named[0].Name));
                allKnown = false;
                continue;
            }

            var context = new ShapeContext(layer, name, named, diagnostics);
            var output = definition.OutputShape(context);
            if (output is null)
            {
                allKnown = false;
                continue;
            }

            // Sizes are counted in long: a tensor's elements must fit the int constants the generated code uses,
            // and all parameters one array (the model's parameters, and each training workspace's gradients).
            long outputSize = Elements(output);
            var weightShapes = definition.Weights(layer, named[0].Shape).ToList();
            long parameters = weightShapes.Sum(w => w.Length);
            string? tooLarge =
                outputSize > int.MaxValue ? Too($"its output ({Format(output)})", outputSize, $"an int counts ({N(int.MaxValue)}), the most a tensor of one sample may have")
                : offset + parameters > WorkspacePlan.MaxArrayLength ? Too("the model's parameters up to this layer", offset + parameters, $"one buffer holds ({N(WorkspacePlan.MaxArrayLength)}), and they live in one")
                : null;
            if (tooLarge is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.SizeExceedsInt, layer.Location, layer.Kind.ToString(), name, tooLarge));
                allKnown = false;
                continue;
            }
            var weights = new List<WeightPlan>();
            foreach (var w in weightShapes)
            {
                weights.Add(new WeightPlan(w.Name, w.Shape.ToEquatableArray(), offset, (int)w.Length, w.Trainable));
                offset += (int)w.Length;
            }
            shapes[i] = output;
            layers.Add(new LayerPlan(i, name, names.Identifier(name), layer,
                reads.ToEquatableArray(), reads.Select(Named).ToEquatableArray(),
                named.Select(n => n.Shape.ToEquatableArray()).ToEquatableArray(),
                output.ToEquatableArray(), context.PadTop, context.PadLeft, weights.ToEquatableArray()));
        }

        ReportUnused(spec, inputs, layerNames, diagnostics);

        bool sound = spec.CanEmit && allKnown && !diagnostics.Any(d => d.IsError);
        var plan = sound
            ? new ModelPlan(spec.Namespace, spec.ClassName, spec.HintName, spec.InputName, spec.InputShape,
                FoldPlanning.Decide(ConvPlanning.Decide(GraphPlanning.Decide(layers))))
            : null;
        if (plan is not null)
        {
            plan = plan with { Workspace = Emitting.WorkspaceLayout.Build(plan) };
            if (!CheckWorkspace(spec, plan, diagnostics)) plan = null;
        }
        return new ModelResult(spec, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// The producers layer <paramref name="i"/> reads (-1: the model's input), or null after reporting a name that is
    /// not there or not above it.
    /// </summary>
    private static int[]? ResolveInputs(ModelSpec spec, int i, string[] layerNames, Dictionary<string, int> byName, List<DiagnosticInfo> diagnostics)
    {
        var layer = spec.Layers[i];
        if (layer.Inputs.Count == 0) return new[] { i - 1 };
        var result = new int[layer.Inputs.Count];
        bool found = true;
        for (int k = 0; k < layer.Inputs.Count; k++)
        {
            var reference = layer.Inputs[k];
            if (reference.Name is null)
            {
                result[k] = reference.Layer;
                continue;
            }
            string wanted = reference.Name;
            if (byName.TryGetValue(wanted, out int j) && j < i)
            {
                result[k] = j;
                continue;
            }
            found = false;
            string problem =
                byName.TryGetValue(wanted, out j) && j == i ? "which is the layer itself: a layer reads the layers above it"
                : byName.ContainsKey(wanted) ? "which comes after it: a layer reads only the layers above it, since they run in source order"
                : wanted == "block_input" ? "which names a block's input: Block.Input means something only inside a [Block]; name this model's input by its [Input] name ('" + spec.InputName + "')"
                : "but no layer has that name; " + Candidates(spec.InputName, layerNames.Take(i));
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InputNotFound, layer.Location, layer.Kind.ToString(), layerNames[i], wanted, problem));
        }
        return found ? result : null;
    }

    private static string Candidates(string input, IEnumerable<string> above)
    {
        var list = new[] { input }.Concat(above).ToList();
        const int Shown = 12;
        string shown = string.Join(", ", list.Count <= Shown ? list : list.Skip(list.Count - Shown));
        return list.Count <= Shown ? $"it can read {shown}" : $"it can read {shown} and {list.Count - Shown} more above";
    }

    /// <summary>A layer nothing reads (but the last, the model's output) is a warning: it runs for nothing, and is likely a wrong name.</summary>
    private static void ReportUnused(ModelSpec spec, int[]?[] inputs, string[] layerNames, List<DiagnosticInfo> diagnostics)
    {
        if (inputs.Any(r => r is null)) return; // a missing name is the problem to fix first
        var read = new bool[inputs.Length];
        foreach (var reads in inputs)
            foreach (int j in reads!) if (j >= 0) read[j] = true;
        for (int i = 0; i < inputs.Length - 1; i++)
            if (!read[i])
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnusedLayerOutput, spec.Layers[i].Location,
                    spec.Layers[i].Kind.ToString(), layerNames[i], layerNames[layerNames.Length - 1]));
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

    /// <param name="scoped">The name is <c>scope/name</c>, made by a named [Include]: each part is checked as a name.</param>
    private static void CheckName(string name, LocationInfo? location, HashSet<string> used, List<DiagnosticInfo> diagnostics, bool isInput, bool scoped = false)
    {
        bool Valid(string part) => !string.IsNullOrWhiteSpace(part) && part.IndexOf('/') < 0 && !part.Any(char.IsControl);
        if (scoped ? !name.Split('/').All(Valid) : !Valid(name))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidLayerName, location, name,
                "is not valid: a name must not be empty and must not contain '/' (it names weights such as 'conv2d/kernel') or control characters"));
        else if (!isInput && !used.Add(name))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidLayerName, location, name,
                scoped ? "is used by more than one layer; layer names must be unique (give each [Include] its own Name)"
                       : "is used by more than one layer; layer names must be unique"));
    }

    /// <summary>A shape as the diagnostics print it: 3×3×128.</summary>
    public static string Format(IEnumerable<int> shape) => string.Join("×", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
}
