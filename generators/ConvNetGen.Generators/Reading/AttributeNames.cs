using System.Collections.Generic;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Reading;

/// <summary>The attributes the generator reads, by metadata name.</summary>
internal static class AttributeNames
{
    public const string Namespace = "ConvNetGen";
    public const string Input = "ConvNetGen.InputAttribute";

    /// <summary>Layer attribute metadata names and the kind each declares.</summary>
    public static readonly IReadOnlyDictionary<string, LayerKind> Layers = new Dictionary<string, LayerKind>
    {
        ["ConvNetGen.Conv2DAttribute"] = LayerKind.Conv2D,
        ["ConvNetGen.MaxPooling2DAttribute"] = LayerKind.MaxPooling2D,
        ["ConvNetGen.AveragePooling2DAttribute"] = LayerKind.AveragePooling2D,
        ["ConvNetGen.GlobalAveragePooling2DAttribute"] = LayerKind.GlobalAveragePooling2D,
        ["ConvNetGen.FlattenAttribute"] = LayerKind.Flatten,
        ["ConvNetGen.DenseAttribute"] = LayerKind.Dense,
        ["ConvNetGen.DropoutAttribute"] = LayerKind.Dropout,
        ["ConvNetGen.BatchNormalizationAttribute"] = LayerKind.BatchNormalization,
        ["ConvNetGen.RescalingAttribute"] = LayerKind.Rescaling,
        ["ConvNetGen.IncludeAttribute"] = LayerKind.Include,
    };
}
