namespace ConvNetGen;

/// <summary>The built-in losses, by their Keras names (e.g. <c>model.Compile(optimizer, Losses.SparseCategoricalCrossentropy)</c>).</summary>
public static class Losses
{
    /// <summary>Sparse categorical crossentropy on probabilities (Keras' <c>"sparse_categorical_crossentropy"</c>); losses hold no state, so this one instance is shared.</summary>
    public static Loss SparseCategoricalCrossentropy { get; } = new SparseCategoricalCrossentropy();

    /// <summary>Mean squared error against float targets, or one-hot labels (Keras' <c>"mean_squared_error"</c>); losses hold no state, so this one instance is shared.</summary>
    public static Loss MeanSquaredError { get; } = new MeanSquaredError();

    /// <summary>Mean absolute error (Keras' <c>"mean_absolute_error"</c>); shared, as losses hold no state.</summary>
    public static Loss MeanAbsoluteError { get; } = new MeanAbsoluteError();

    /// <summary>Huber loss with Keras' default delta 1.0 (Keras' <c>"huber"</c>); for another delta, <c>new Huber(delta)</c>.</summary>
    public static Loss Huber { get; } = new Huber();

    /// <summary>Binary crossentropy on probabilities (Keras' <c>"binary_crossentropy"</c>); for logits or label smoothing, <c>new BinaryCrossentropy(...)</c>.</summary>
    public static Loss BinaryCrossentropy { get; } = new BinaryCrossentropy();

    /// <summary>Categorical crossentropy on probabilities (Keras' <c>"categorical_crossentropy"</c>); for logits or label smoothing, <c>new CategoricalCrossentropy(...)</c>.</summary>
    public static Loss CategoricalCrossentropy { get; } = new CategoricalCrossentropy();
}
