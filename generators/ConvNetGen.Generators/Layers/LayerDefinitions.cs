using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Layers;

/// <summary>Every layer kind's definition: the one list the reader, the shape stage and the emitters consult.</summary>
internal static class LayerDefinitions
{
    public static readonly IReadOnlyList<LayerDefinition> All = new LayerDefinition[]
    {
        new Conv2D(),
        new MaxPooling2D(),
        new AveragePooling2D(),
        new GlobalAveragePooling2D(),
        new GlobalMaxPooling2D(),
        new Flatten(),
        new Dense(),
        new Dropout(),
        new BatchNormalization(),
        new Rescaling(),
        new ZeroPadding2D(),
        new ActivationLayer(),
        new Add(),
        new Concatenate(),
        new RandomFlip(),
        new RandomTranslation(),
        new RandomCrop(),
        new RandomContrast(),
        new RandomBrightness(),
        new RandomRotation(),
        new RandomZoom(),
    };

    private static readonly Dictionary<LayerKind, LayerDefinition> ByKind = All.ToDictionary(d => d.Kind);

    /// <summary>Attribute metadata name → definition.</summary>
    public static readonly IReadOnlyDictionary<string, LayerDefinition> ByAttribute = All.ToDictionary(d => d.AttributeName);

    public static LayerDefinition For(LayerKind kind) =>
        ByKind.TryGetValue(kind, out var definition) ? definition : throw new System.ArgumentOutOfRangeException(nameof(kind), kind, null);
}
