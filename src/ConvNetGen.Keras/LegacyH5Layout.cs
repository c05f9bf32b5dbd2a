using PureHDF;
using PureHDF.VOL.Native;

namespace ConvNetGen.Keras;

/// <summary>
/// TF-Keras 2's (and Keras 1's) <c>.h5</c> (keras/src/legacy/saving/legacy_h5_format.py): the weights group (the root for
/// <c>save_weights</c>, <c>model_weights</c> for <c>save</c>) lists its layers in attribute <c>layer_names</c>; each
/// layer's group lists its datasets' paths in attribute <c>weight_names</c> (<c>block1_conv1/kernel:0</c>, or in older
/// files such as the first VGG16 downloads <c>block1_conv1_W_1:0</c>), in the layer's weight order. Only the attributes
/// are followed, never guessed dataset names.
/// </summary>
internal static class LegacyH5Layout
{
    private static readonly HashSet<string> KerasWeightNames = new(StringComparer.Ordinal)
    {
        "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "depthwise_kernel", "pointwise_kernel",
    };

    /// <summary>The group holding <c>layer_names</c>, or null when the file has none (not this layout).</summary>
    public static (IH5Group Group, string Path)? WeightsGroup(NativeFile file, H5Reader reader)
    {
        if (reader.At("/", () => file.AttributeExists("layer_names") || file.AttributeExists("layer_names0"))) return (file, "");
        if (reader.At("/", () => file.LinkExists("model_weights")))
        {
            var group = reader.At("model_weights", () => file.Group("model_weights"));
            if (reader.At("model_weights", () => group.AttributeExists("layer_names") || group.AttributeExists("layer_names0")))
                return (group, "model_weights");
        }
        return null;
    }

    /// <summary>The layers in <c>layer_names</c> order, each with its variables described (not read).</summary>
    public static List<FileLayer> Read(IH5Group root, string rootPath, H5Reader reader)
    {
        string at = rootPath.Length == 0 ? "/" : rootPath;
        var layerNames = reader.StringsAttribute(root, at, "layer_names") ?? [];
        var layers = new List<FileLayer>(layerNames.Length);
        foreach (string layerName in layerNames)
        {
            string layerPath = rootPath.Length == 0 ? layerName : $"{rootPath}/{layerName}";
            if (!reader.At(at, () => root.LinkExists(layerName)))
                throw reader.Invalid(layerPath, $"is listed in layer_names of '{at}' but there is no such group");
            var group = reader.At(layerPath, () => root.Group(layerName));
            var weightNames = reader.StringsAttribute(group, layerPath, "weight_names") ?? [];
            var variables = new List<FileVariable>(weightNames.Length);
            foreach (string weightName in weightNames)
            {
                if (!reader.At(layerPath, () => group.LinkExists(weightName)))
                    throw reader.Invalid($"{layerPath}/{weightName}", $"is listed in weight_names of '{layerPath}' but there is no such dataset");
                variables.Add(reader.Variable(group, layerPath, weightName, KerasNameOf(weightName)));
            }
            layers.Add(new FileLayer(layerName, layerName, variables));
        }
        return layers;
    }

    /// <summary><c>block1_conv1/kernel:0</c> → kernel; null for names Keras 1 made up (<c>block1_conv1_W_1:0</c>).</summary>
    private static string? KerasNameOf(string weightName)
    {
        string last = weightName[(weightName.LastIndexOf('/') + 1)..];
        int colon = last.LastIndexOf(':');
        if (colon >= 0) last = last[..colon];
        return KerasWeightNames.Contains(last) ? last : null;
    }
}
