namespace ConvNetGen.Keras;

/// <summary>The Keras file layouts <see cref="KerasWeights"/> reads.</summary>
public enum KerasFileFormat
{
    /// <summary>Keras 3 <c>model.save_weights("x.weights.h5")</c>: <c>layers/&lt;class&gt;[_n]/vars/&lt;i&gt;</c>.</summary>
    Keras3Weights,

    /// <summary>Keras 3 <c>model.save("x.keras")</c>: a zip of <c>config.json</c>, <c>metadata.json</c> and <c>model.weights.h5</c>.</summary>
    KerasArchive,

    /// <summary>TF-Keras 2 / Keras 1 <c>.h5</c> from <c>save_weights</c> or <c>save</c>, and keras.applications' downloads: <c>layer_names</c> and <c>weight_names</c> attributes.</summary>
    LegacyH5,
}
