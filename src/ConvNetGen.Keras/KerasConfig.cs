using System.Globalization;
using System.Text.Json;

namespace ConvNetGen.Keras;

/// <summary>
/// The <c>config.json</c> of a <c>.keras</c> archive, compared with a model's architecture: each layer's class, name and
/// the settings that decide its shapes and what it computes. Also names the archive's weight groups, which Keras 3
/// does not (the paths follow the classes, so the n-th layer of the config is the n-th path).
/// </summary>
internal sealed class KerasConfig
{
    private readonly List<(string ClassName, string Name, JsonElement Config)> _layers = [];
    private readonly string _where;

    private KerasConfig(string where) => _where = where;

    /// <exception cref="InvalidDataException">Not JSON, or not a Sequential or Functional model's config.</exception>
    public static KerasConfig Parse(string json, string where)
    {
        var parsed = new KerasConfig(where);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string modelClass = root.GetProperty("class_name").GetString() ?? "";
            if (modelClass is not ("Sequential" or "Functional" or "Model"))
                throw new InvalidDataException($"{where}: the model is a {modelClass}; only Sequential and Functional models' configs can be compared with a ConvNetGen model");
            foreach (var entry in root.GetProperty("config").GetProperty("layers").EnumerateArray())
            {
                string className = entry.GetProperty("class_name").GetString() ?? "";
                var config = entry.GetProperty("config").Clone();
                string name = config.TryGetProperty("name", out var n) ? n.GetString() ?? "" : entry.TryGetProperty("name", out var m) ? m.GetString() ?? "" : "";
                parsed._layers.Add((className, name, config));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{where} is not a Keras model config: {e.Message}", e);
        }
        return parsed;
    }

    /// <summary>The layer names by Keras 3 weight path (<c>layers/conv2d_1</c> → its name), input layer included as Keras counts it.</summary>
    public Dictionary<string, string> NamesByPath()
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (className, name, _) in _layers)
        {
            string key = Keras3Layout.ToSnakeCase(className);
            if (used.TryGetValue(key, out int count))
            {
                used[key] = count + 1;
                key = $"{key}_{(count + 1).ToString(CultureInfo.InvariantCulture)}";
            }
            else used[key] = 0;
            names[$"{Keras3Layout.LayersGroup}/{key}"] = name;
        }
        return names;
    }

    /// <summary>Every difference between the config and the model (layer by layer in order, or only the layers both name when <paramref name="byName"/>).</summary>
    public List<string> Differences(ModelArchitecture architecture, bool byName)
    {
        var problems = new List<string>();
        var theirs = _layers.Where(l => l.ClassName != "InputLayer").ToList();
        if (theirs.Any(l => l.ClassName is "Sequential" or "Functional" or "Model"))
            problems.Add($"{_where} nests a model ({string.Join(", ", theirs.Where(l => l.ClassName is "Sequential" or "Functional" or "Model").Select(l => l.Name))}); nested models are not supported, load its weights by name");
        if (byName)
        {
            var ours = architecture.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
            foreach (var layer in theirs)
                if (ours.TryGetValue(layer.Name, out var our))
                    Compare(our, layer, problems);
            return problems;
        }
        for (int i = 0; i < Math.Max(theirs.Count, architecture.Layers.Count); i++)
        {
            if (i >= theirs.Count)
                problems.Add($"layer {i} '{architecture.Layers[i].Name}' ({architecture.Layers[i].TypeName}) is not in {_where}");
            else if (i >= architecture.Layers.Count)
                problems.Add($"layer {i} '{theirs[i].Name}' ({theirs[i].ClassName}) of {_where} is not in {architecture.Name}");
            else
                Compare(architecture.Layers[i], theirs[i], problems);
        }
        return problems;
    }

    private void Compare(LayerInfo ours, (string ClassName, string Name, JsonElement Config) theirs, List<string> problems)
    {
        var differences = new List<string>();
        if (theirs.ClassName != ours.TypeName) differences.Add($"kind {theirs.ClassName} in the file, {ours.TypeName} here");
        if (theirs.Name != ours.Name) differences.Add($"name '{theirs.Name}' in the file, '{ours.Name}' here");
        var c = theirs.Config;
        var s = ours.Settings;
        int channels = ours.OutputShape[ours.OutputShape.Rank - 1];
        switch (ours.Kind)
        {
            case LayerKind.Conv2D:
                Int(c, "filters", channels, differences);
                Pair(c, "kernel_size", s.WindowHeight, s.WindowWidth, differences);
                Pair(c, "strides", s.StrideHeight, s.StrideWidth, differences);
                Text(c, "padding", s.Padding.ToString().ToLowerInvariant(), differences);
                Text(c, "activation", ours.Activation.ToString().ToLowerInvariant(), differences);
                Bool(c, "use_bias", ours.Weights.Count == 2, differences);
                break;
            case LayerKind.Dense:
                Int(c, "units", channels, differences);
                Text(c, "activation", ours.Activation.ToString().ToLowerInvariant(), differences);
                Bool(c, "use_bias", ours.Weights.Count == 2, differences);
                break;
            case LayerKind.MaxPooling2D or LayerKind.AveragePooling2D:
                Pair(c, "pool_size", s.WindowHeight, s.WindowWidth, differences);
                Pair(c, "strides", s.StrideHeight, s.StrideWidth, differences);
                Text(c, "padding", s.Padding.ToString().ToLowerInvariant(), differences);
                break;
            case LayerKind.BatchNormalization:
                Number(c, "epsilon", s.Epsilon, differences);
                break;
            case LayerKind.Dropout:
                Number(c, "rate", s.Rate, differences);
                break;
            case LayerKind.Rescaling:
                Number(c, "scale", s.Scale, differences);
                Number(c, "offset", s.Offset, differences);
                break;
            case LayerKind.Activation:
                Text(c, "activation", ours.Activation.ToString().ToLowerInvariant(), differences);
                break;
        }
        if (differences.Count > 0)
            problems.Add($"layer '{ours.Name}' differs from {_where}: {string.Join("; ", differences)}");
    }

    private static void Int(JsonElement c, string key, int ours, List<string> differences)
    {
        if (c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() != ours)
            differences.Add($"{key} {v.GetInt32().ToString(CultureInfo.InvariantCulture)} in the file, {ours.ToString(CultureInfo.InvariantCulture)} here");
    }

    private static void Pair(JsonElement c, string key, int height, int width, List<string> differences)
    {
        if (!c.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return;
        int[] theirs = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [v.GetInt32(), v.GetInt32()];
        if (theirs.Length != 2 || theirs[0] != height || theirs[1] != width)
            differences.Add(FormattableString.Invariant($"{key} ({string.Join(", ", theirs)}) in the file, ({height}, {width}) here"));
    }

    private static void Text(JsonElement c, string key, string ours, List<string> differences)
    {
        if (c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && !string.Equals(v.GetString(), ours, StringComparison.OrdinalIgnoreCase))
            differences.Add($"{key} '{v.GetString()}' in the file, '{ours}' here");
    }

    private static void Bool(JsonElement c, string key, bool ours, List<string> differences)
    {
        if (c.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False && v.GetBoolean() != ours)
            differences.Add($"{key} {(v.GetBoolean() ? "true" : "false")} in the file, {(ours ? "true" : "false")} here");
    }

    private static void Number(JsonElement c, string key, double ours, List<string> differences)
    {
        // Keras writes Python floats; ours come from C# doubles of the same literal, so a relative 1e-6 is equality.
        if (c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && Math.Abs(v.GetDouble() - ours) > 1e-6 * Math.Max(1, Math.Abs(ours)))
            differences.Add($"{key} {v.GetDouble().ToString("R", CultureInfo.InvariantCulture)} in the file, {ours.ToString("R", CultureInfo.InvariantCulture)} here");
    }
}
