namespace ConvNetGen;

/// <summary>The built-in losses, by their Keras names (e.g. <c>model.Compile(optimizer, Losses.SparseCategoricalCrossentropy)</c>).</summary>
public static class Losses
{
    /// <summary>Sparse categorical crossentropy on probabilities (Keras' <c>"sparse_categorical_crossentropy"</c>); losses hold no state, so this one instance is shared.</summary>
    public static Loss SparseCategoricalCrossentropy { get; } = new SparseCategoricalCrossentropy();

    /// <summary>Mean squared error against one-hot labels (Keras' <c>"mean_squared_error"</c>); losses hold no state, so this one instance is shared.</summary>
    public static Loss MeanSquaredError { get; } = new MeanSquaredError();
}
