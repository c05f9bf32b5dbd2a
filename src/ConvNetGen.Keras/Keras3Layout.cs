using System.Globalization;
using System.Text.RegularExpressions;
using PureHDF;
using PureHDF.VOL.Native;

namespace ConvNetGen.Keras;

/// <summary>
/// Keras 3's weights layout (keras/src/saving/saving_lib.py): each layer of <c>model.layers</c> is the group
/// <c>layers/&lt;snake_case class&gt;</c>, made unique in order by <c>_1</c>, <c>_2</c>, … per class (names are not used, since
/// Keras' are not reproducible); its variables are datasets <c>vars/0</c>, <c>vars/1</c>, … in the order trainable
/// then non-trainable, and newer Keras puts the layer's name on <c>vars</c> as attribute <c>name</c>.
/// </summary>
internal static partial class Keras3Layout
{
    public const string LayersGroup = "layers";

    /// <summary>The path Keras 3 gives each of the model's layers, in the model's order (layers of a class are counted across all of them).</summary>
    public static IReadOnlyList<string> PathsOf(ModelArchitecture architecture)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new List<string>(architecture.Layers.Count);
        foreach (var layer in architecture.Layers)
        {
            string name = ToSnakeCase(layer.TypeName);
            if (used.TryGetValue(name, out int count))
            {
                used[name] = count + 1;
                name = $"{name}_{(count + 1).ToString(CultureInfo.InvariantCulture)}";
            }
            else used[name] = 0;
            paths.Add($"{LayersGroup}/{name}");
        }
        return paths;
    }

    /// <summary>Keras' <c>naming.to_snake_case</c>: Conv2D → conv2d, BatchNormalization → batch_normalization, MaxPooling2D → max_pooling2d.</summary>
    public static string ToSnakeCase(string className)
    {
        string name = NonWord().Replace(className, "");
        name = WordStart().Replace(name, "$1_$2");
        return LowerUpper().Replace(name, "$1_$2").ToLowerInvariant();
    }

    [GeneratedRegex(@"\W+")] private static partial Regex NonWord();
    [GeneratedRegex("(.)([A-Z][a-z]+)")] private static partial Regex WordStart();
    [GeneratedRegex("([a-z])([A-Z])")] private static partial Regex LowerUpper();

    /// <summary>Whether the file looks like Keras 3's layout: a <c>layers</c> group (or 2.13's <c>_layer_checkpoint_dependencies</c>) or a root <c>vars</c>.</summary>
    public static bool Recognises(NativeFile file, H5Reader reader) =>
        reader.At("/", () => file.LinkExists(LayersGroup) || file.LinkExists("_layer_checkpoint_dependencies") || file.LinkExists("vars"));

    /// <summary>Every layer group with a <c>vars</c> group, with its variables described (not read).</summary>
    public static List<FileLayer> Read(NativeFile file, H5Reader reader)
    {
        // Keras 2.13 wrote the same layout under another name; Keras 3 reads it too.
        string top = reader.At("/", () => file.LinkExists(LayersGroup)) ? LayersGroup
            : reader.At("/", () => file.LinkExists("_layer_checkpoint_dependencies")) ? "_layer_checkpoint_dependencies" : LayersGroup;
        var layers = new List<FileLayer>();
        if (!reader.At("/", () => file.LinkExists(top))) return layers;
        var group = reader.At(top, () => file.Group(top));
        foreach (var child in reader.At(top, () => group.Children().ToList()))
        {
            if (child is not IH5Group layerGroup) continue;
            string layerPath = $"{top}/{child.Name}";
            if (!reader.At(layerPath, () => layerGroup.LinkExists("vars"))) continue; // a nested model's group, or no state
            string varsPath = layerPath + "/vars";
            var vars = reader.At(varsPath, () => layerGroup.Group("vars"));
            string? name = reader.StringAttribute(vars, varsPath, "name");
            var names = reader.At(varsPath, () => vars.Children().Select(c => c.Name).ToList());
            var variables = new List<FileVariable>(names.Count);
            for (int i = 0; i < names.Count; i++)
            {
                string key = i.ToString(CultureInfo.InvariantCulture);
                if (!names.Contains(key))
                    throw reader.Invalid(varsPath, $"holds [{string.Join(", ", names)}]; Keras 3 numbers a layer's variables 0 to {names.Count - 1}, and '{key}' is missing");
                variables.Add(reader.Variable(vars, varsPath, key, kerasName: null));
            }
            // The path Keras matches on is relative to the model, whatever the top group was called.
            layers.Add(new FileLayer($"{LayersGroup}/{child.Name}", name, variables));
        }
        return layers;
    }
}
