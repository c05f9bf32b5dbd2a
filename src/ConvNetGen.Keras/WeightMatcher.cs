using System.Globalization;
using System.Numerics.Tensors;

namespace ConvNetGen.Keras;

/// <summary>
/// Pairs a file's layers with a model's as Keras does, checks every pair's weight count, shapes and (where the file
/// names them) order, then reads the values. Nothing touches the model here: the caller commits the staged values
/// in one <see cref="Model.SetWeights"/>, so any failure leaves the model as it was.
/// </summary>
internal sealed class WeightMatcher(Model model, H5Reader reader, KerasLoadOptions options)
{
    private readonly List<string> _problems = [];
    private readonly List<string> _skipped = [];
    private readonly List<(LayerInfo Layer, FileLayer File)> _pairs = [];

    /// <summary>Keras 3: by the layer's path (<c>layers/conv2d_1</c>), or by the name on its <c>vars</c> group.</summary>
    public void PairByPath(IReadOnlyList<FileLayer> fileLayers)
    {
        if (options.ByName)
        {
            PairByName(fileLayers);
            return;
        }
        var paths = Keras3Layout.PathsOf(model.Definition);
        var byKey = fileLayers.ToDictionary(l => l.Key, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < paths.Count; i++)
        {
            var layer = model.Definition.Layers[i];
            if (byKey.TryGetValue(paths[i], out var file))
            {
                used.Add(file.Key);
                if (layer.Weights.Count > 0 || file.Variables.Count > 0) _pairs.Add((layer, file));
            }
            else if (layer.Weights.Count > 0)
                _problems.Add($"layer '{layer.Name}' ({layer.TypeName}, weights {Describe(layer)}) should be at '{paths[i]}/vars', which the file lacks");
        }
        foreach (var file in fileLayers.Where(f => f.Variables.Count > 0 && !used.Contains(f.Key)))
            _problems.Add($"'{file.Key}/vars'{NameNote(file)} holds {file.Variables.Count} variable(s) but {model.Definition.Name} has no layer at that path");
    }

    /// <summary>Legacy <c>.h5</c>: in order among the layers that have weights (Keras' topological load), or by name.</summary>
    public void PairInOrder(IReadOnlyList<FileLayer> fileLayers)
    {
        if (options.ByName)
        {
            PairByName(fileLayers);
            return;
        }
        var ours = model.Definition.Layers.Where(l => l.Weights.Count > 0).ToList();
        var theirs = fileLayers.Where(l => l.Variables.Count > 0).ToList();
        if (ours.Count != theirs.Count)
        {
            _problems.Add($"{model.Definition.Name} has {ours.Count} layers with weights [{string.Join(", ", ours.Select(l => l.Name))}]; the file has {theirs.Count} [{string.Join(", ", theirs.Select(l => l.Key))}] (pass ByName to load the layers both have)");
            return;
        }
        _pairs.AddRange(ours.Zip(theirs));
    }

    private void PairByName(IReadOnlyList<FileLayer> fileLayers)
    {
        var unnamed = fileLayers.Where(f => f.Name is null && f.Variables.Count > 0).Select(f => f.Key).ToList();
        if (unnamed.Count > 0)
        {
            _problems.Add($"the file does not name its layers [{string.Join(", ", unnamed)}] (Keras before 3.6 did not), so they cannot be matched by name; load without ByName, or from the .keras file, whose config.json names them");
            return;
        }
        var byName = new Dictionary<string, FileLayer>(StringComparer.Ordinal);
        foreach (var file in fileLayers.Where(f => f.Name is not null)) // the unnamed ones left have no variables
            if (!byName.TryAdd(file.Name!, file) && file.Variables.Count > 0)
                _problems.Add($"the file has two layers named '{file.Name}' ('{byName[file.Name!].Key}' and '{file.Key}')");
        foreach (var layer in model.Definition.Layers)
            if (byName.TryGetValue(layer.Name, out var file) && (layer.Weights.Count > 0 || file.Variables.Count > 0))
                _pairs.Add((layer, file));
    }

    /// <summary>Checks each pair and reads the values of those that match; throws, naming every problem, if any does not.</summary>
    public (Dictionary<string, float[]> Staged, List<string> Loaded, List<string> Skipped) Stage(string modelFile)
    {
        var matched = new List<(LayerInfo Layer, FileLayer File)>();
        foreach (var (layer, file) in _pairs)
        {
            string? mismatch = Mismatch(layer, file);
            if (mismatch is null) matched.Add((layer, file));
            else if (options.SkipMismatch) _skipped.Add($"{layer.Name}: {mismatch}");
            else _problems.Add($"layer '{layer.Name}' and '{file.Key}'{NameNote(file)}: {mismatch}");
        }
        foreach (var (layer, file) in matched)
            for (int i = 0; i < layer.Weights.Count; i++)
                if (file.Variables[i].Name is { } name && name != layer.Weights[i].Name)
                    _problems.Add($"'{file.Variables[i].Path}' is '{name}' but weight {i} of layer '{layer.Name}' is '{layer.Weights[i].Name}' (Keras' order is kernel, bias; gamma, beta, moving_mean, moving_variance)");
        ThrowIfAny(modelFile);

        // Read only what matched, each exactly the size of the weight it fills, before anything is committed.
        var staged = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (layer, file) in matched)
            for (int i = 0; i < layer.Weights.Count; i++)
            {
                var weight = layer.Weights[i];
                var values = reader.ReadFloats(file.Variables[i], weight.Length);
                if (!options.AllowNonFinite && !TensorPrimitives.IsFiniteAll<float>(values))
                {
                    int first = Array.FindIndex(values, v => !float.IsFinite(v));
                    _problems.Add($"'{file.Variables[i].Path}' (for '{layer.Name}/{weight.Name}') holds {values.Count(v => !float.IsFinite(v))} non-finite value(s), the first {values[first].ToString(CultureInfo.InvariantCulture)} at element {first} (pass AllowNonFinite to load them anyway)");
                }
                staged[$"{layer.Name}/{weight.Name}"] = values;
            }
        ThrowIfAny(modelFile);
        return (staged, matched.Where(p => p.Layer.Weights.Count > 0).Select(p => p.Layer.Name).ToList(), _skipped);
    }

    /// <summary>Adds a problem found outside the matcher (the .keras config check) to the same list.</summary>
    public void AddProblems(IEnumerable<string> problems) => _problems.AddRange(problems);

    private static string? Mismatch(LayerInfo layer, FileLayer file)
    {
        if (layer.Weights.Count != file.Variables.Count)
            return $"the model's layer has {layer.Weights.Count} weight(s) {Describe(layer)}, the file {file.Variables.Count} [{string.Join(", ", file.Variables.Select(v => Shape(v.Shape)))}]";
        var wrong = new List<string>();
        for (int i = 0; i < layer.Weights.Count; i++)
        {
            var weight = layer.Weights[i];
            if (!file.Variables[i].Shape.SequenceEqual(weight.Shape.Select(d => (ulong)d)))
                wrong.Add($"'{weight.Name}' expects {weight.Shape}, '{file.Variables[i].Path}' is {Shape(file.Variables[i].Shape)}");
        }
        return wrong.Count == 0 ? null : string.Join("; ", wrong);
    }

    private void ThrowIfAny(string modelFile)
    {
        if (_problems.Count == 0) return;
        string nl = Environment.NewLine;
        throw new InvalidDataException($"Cannot load '{modelFile}' into {model.Definition.Name}; nothing was loaded:{nl}  - {string.Join(nl + "  - ", _problems)}");
    }

    private static string NameNote(FileLayer file) => file.Name is null || file.Name == file.Key ? "" : $" (named '{file.Name}')";

    private static string Describe(LayerInfo layer) => "[" + string.Join(", ", layer.Weights.Select(w => $"{w.Name} {w.Shape}")) + "]";

    private static string Shape(ulong[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
}
