using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>The emitter for each layer kind.</summary>
internal static class LayerEmitters
{
    private static readonly LayerEmitter Conv2D = new Conv2DEmitter();
    private static readonly LayerEmitter MaxPooling2D = new MaxPooling2DEmitter();
    private static readonly LayerEmitter AveragePooling2D = new AveragePooling2DEmitter();
    private static readonly LayerEmitter GlobalAveragePooling2D = new GlobalAveragePooling2DEmitter();
    private static readonly LayerEmitter Flatten = new FlattenEmitter();
    private static readonly LayerEmitter Dense = new DenseEmitter();
    private static readonly LayerEmitter Dropout = new DropoutEmitter();
    private static readonly LayerEmitter BatchNormalization = new BatchNormalizationEmitter();
    private static readonly LayerEmitter Rescaling = new RescalingEmitter();

    public static LayerEmitter For(LayerKind kind) => kind switch
    {
        LayerKind.Conv2D => Conv2D,
        LayerKind.MaxPooling2D => MaxPooling2D,
        LayerKind.AveragePooling2D => AveragePooling2D,
        LayerKind.GlobalAveragePooling2D => GlobalAveragePooling2D,
        LayerKind.Flatten => Flatten,
        LayerKind.Dense => Dense,
        LayerKind.Dropout => Dropout,
        LayerKind.BatchNormalization => BatchNormalization,
        LayerKind.Rescaling => Rescaling,
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
