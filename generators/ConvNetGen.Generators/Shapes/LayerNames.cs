using System.Collections.Generic;
using System.Text;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>Keras' default layer names (conv2d, conv2d_1, …) and the C# identifiers generated code uses for them.</summary>
internal sealed class LayerNames
{
    private readonly Dictionary<string, int> _autoNameCounts = new();
    // Names the generated class already uses for its own members are taken.
    private readonly HashSet<string> _identifiers = new() { "Shapes", "Summary", "Architecture", "Layers", "Input", "Output" };

    /// <summary>Keras' snake_case prefix per kind (what <c>backend.get_uid</c> counts).</summary>
    public static string Prefix(LayerKind kind) => kind switch
    {
        LayerKind.Conv2D => "conv2d",
        LayerKind.MaxPooling2D => "max_pooling2d",
        LayerKind.AveragePooling2D => "average_pooling2d",
        LayerKind.GlobalAveragePooling2D => "global_average_pooling2d",
        LayerKind.Flatten => "flatten",
        LayerKind.Dense => "dense",
        LayerKind.Dropout => "dropout",
        LayerKind.BatchNormalization => "batch_normalization",
        LayerKind.Rescaling => "rescaling",
        _ => "input_layer",
    };

    /// <summary>The next automatic name for a kind; user-named layers do not advance the count, as in Keras.</summary>
    public string Next(LayerKind kind)
    {
        string prefix = Prefix(kind);
        _autoNameCounts.TryGetValue(prefix, out int count);
        _autoNameCounts[prefix] = count + 1;
        return count == 0 ? prefix : prefix + "_" + count;
    }

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
        for (int i = 2; !_identifiers.Add(identifier); i++) identifier = baseName + "_" + i;
        return identifier;
    }
}
