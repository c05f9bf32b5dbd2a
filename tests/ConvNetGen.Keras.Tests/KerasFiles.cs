using System.Globalization;
using System.IO.Compression;
using PureHDF;

namespace ConvNetGen.Keras.Tests;

/// <summary>One variable to write: its values and Keras shape.</summary>
public sealed record Var(float[] Values, int[] Shape);

/// <summary>
/// Writes Keras files with PureHDF's writer directly from the layouts Keras' source describes — not with
/// ConvNetGen.Keras' writer, so a shared misunderstanding cannot make the round trip pass.
/// </summary>
public static class KerasFiles
{
    /// <summary>
    /// Keras 3 (saving_lib.py): group <c>layers/&lt;key&gt;/vars</c> per layer, datasets "0", "1", … and, when named, a
    /// scalar string attribute <c>name</c> on <c>vars</c>; the model's own empty <c>vars</c> at the root.
    /// </summary>
    public static void WriteKeras3(string path, IEnumerable<(string Key, string? Name, Var[] Vars)> layers, string modelName = "sequential")
    {
        var layersGroup = new H5Group();
        foreach (var (key, name, vars) in layers)
        {
            var group = new H5Group();
            if (name is not null) group.Attributes = new() { ["name"] = name };
            for (int i = 0; i < vars.Length; i++)
                group[i.ToString(CultureInfo.InvariantCulture)] = Dataset(vars[i]);
            layersGroup[key] = new H5Group { ["vars"] = group };
        }
        var file = new H5File
        {
            ["layers"] = layersGroup,
            ["vars"] = new H5Group { Attributes = new() { ["name"] = modelName } },
            ["optimizer"] = new H5Group { ["vars"] = new H5Group() },
        };
        file.Write(path);
    }

    /// <summary>
    /// TF-Keras' legacy .h5 (legacy_h5_format.py): root attributes <c>layer_names</c>, <c>backend</c>, <c>keras_version</c>
    /// (fixed-length byte strings, as h5py writes numpy 'S' arrays); per layer, attribute <c>weight_names</c> and each
    /// dataset at that path inside the layer's group (<c>block1_conv1/kernel:0</c> is a subgroup and a dataset).
    /// With <paramref name="fullModel"/>, as <c>model.save("x.h5")</c>: all of it under <c>model_weights</c>.
    /// </summary>
    public static void WriteLegacy(string path, IEnumerable<(string Layer, (string WeightName, Var Value)[] Weights)> layers, bool fullModel = false)
    {
        var root = new H5Group();
        var names = new List<string>();
        foreach (var (layer, weights) in layers)
        {
            names.Add(layer);
            // h5py writes Keras' empty list as an empty float64 array, as the pooling layers of keras.applications' files have it.
            object weightNames = weights.Length == 0 ? new H5Attribute(Array.Empty<double>(), dimensions: [0]) : weights.Select(w => w.WeightName).ToArray();
            var group = new H5Group { Attributes = new() { ["weight_names"] = weightNames } };
            foreach (var (weightName, value) in weights)
            {
                var parts = weightName.Split('/');
                var at = group;
                foreach (var part in parts[..^1])
                {
                    if (!at.TryGetValue(part, out var next)) at[part] = next = new H5Group();
                    at = (H5Group)next;
                }
                at[parts[^1]] = Dataset(value);
            }
            root[layer] = group;
        }
        root.Attributes = new()
        {
            ["layer_names"] = names.ToArray(),
            ["backend"] = "tensorflow",
            ["keras_version"] = "2.15.0",
        };
        var options = new H5WriteOptions(DefaultStringLength: 64);
        if (fullModel)
        {
            var file = new H5File { ["model_weights"] = root };
            file.Attributes = new() { ["model_config"] = "{}" };
            file.Write(path, options);
        }
        else
        {
            var file = new H5File();
            foreach (var (k, v) in root) file[k] = v;
            file.Attributes = root.Attributes;
            file.Write(path, options);
        }
    }

    /// <summary>A .keras archive as saving_lib writes it: metadata.json, config.json, model.weights.h5.</summary>
    public static void WriteArchive(string path, string configJson, string weightsH5)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var writer = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
            writer.Write("""{"keras_version": "3.6.0", "date_saved": "2026-01-01@00:00:00"}""");
        using (var writer = new StreamWriter(zip.CreateEntry("config.json").Open()))
            writer.Write(configJson);
        zip.CreateEntryFromFile(weightsH5, "model.weights.h5");
    }

    private static H5Dataset Dataset(Var v) => new(v.Values, fileDims: v.Shape.Select(d => (ulong)d).ToArray());

    /// <summary>
    /// The Keras 3 layer keys of <paramref name="model"/>, by the rule written out in saving_lib (snake_case class
    /// name, then _1, _2 … per class), spelled here from a table rather than computed by the library under test.
    /// </summary>
    public static List<(string Key, string? Name, Var[] Vars)> Keras3LayersOf(Model model, bool named = true)
    {
        var snake = new Dictionary<LayerKind, string>
        {
            [LayerKind.Conv2D] = "conv2d", [LayerKind.MaxPooling2D] = "max_pooling2d", [LayerKind.Flatten] = "flatten",
            [LayerKind.Dense] = "dense", [LayerKind.BatchNormalization] = "batch_normalization",
            [LayerKind.GlobalAveragePooling2D] = "global_average_pooling2d", [LayerKind.Dropout] = "dropout",
        };
        var counts = new Dictionary<string, int>();
        var weights = model.GetWeights();
        var result = new List<(string, string?, Var[])>();
        foreach (var layer in model.Definition.Layers)
        {
            string key = snake[layer.Kind];
            counts[key] = counts.TryGetValue(key, out int n) ? n + 1 : 0;
            if (counts[key] > 0) key += "_" + counts[key].ToString(CultureInfo.InvariantCulture);
            result.Add((key, named ? layer.Name : null, layer.Weights.Select(w => new Var(weights[$"{layer.Name}/{w.Name}"], w.Shape.ToArray())).ToArray()));
        }
        return result;
    }

    /// <summary>The legacy layers of <paramref name="model"/>, named as TF-Keras 2 names them (<c>conv2d/kernel:0</c>).</summary>
    public static List<(string Layer, (string, Var)[] Weights)> LegacyLayersOf(Model model)
    {
        var weights = model.GetWeights();
        return model.Definition.Layers.Select(l => (l.Name,
            l.Weights.Select(w => ($"{l.Name}/{w.Name}:0", new Var(weights[$"{l.Name}/{w.Name}"], w.Shape.ToArray()))).ToArray())).ToList();
    }
}
