namespace ConvNetGen;

/// <summary>Averages each channel over height and width: (h, w, c) → (c). Keras' <c>layers.GlobalAveragePooling2D</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling2DAttribute : LayerAttribute;

/// <summary>Reshapes its input to a vector without copying. Keras' <c>layers.Flatten</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute;

/// <summary>A fully connected layer on a flat input, kernel (inputs, units) plus a bias per unit. Keras' <c>layers.Dense</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute(int units) : LayerAttribute
{
    /// <summary>The number of outputs.</summary>
    public int Units { get; } = units;
    /// <summary>The activation fused into the layer (default <see cref="ConvNetGen.Activation.Linear"/>).</summary>
    public Activation Activation { get; set; } = Activation.Linear;
    /// <summary>Whether the layer adds a bias per unit (default true).</summary>
    public bool UseBias { get; set; } = true;
}

/// <summary>Zeroes a fraction <c>rate</c> of its inputs while training and scales the rest by 1/(1-rate); the identity at inference. Keras' <c>layers.Dropout</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute(double rate) : LayerAttribute
{
    /// <summary>The fraction of inputs dropped, in [0, 1).</summary>
    public double Rate { get; } = rate;
}

/// <summary>
/// Normalises each channel (the last axis) by batch statistics while training and by moving statistics at inference,
/// then scales by gamma and shifts by beta. Keras' <c>layers.BatchNormalization</c>: 4 parameters per channel, of which
/// the moving mean and variance are not trainable.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : LayerAttribute
{
    /// <summary>The moving statistics' momentum (Keras' default 0.99).</summary>
    public double Momentum { get; set; } = 0.99;
    /// <summary>Added to the variance before the square root (Keras' default 0.001).</summary>
    public double Epsilon { get; set; } = 0.001;
}

/// <summary>Computes <c>x * scale + offset</c>, e.g. <c>[Rescaling(1.0 / 255)]</c>. Keras' <c>layers.Rescaling</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RescalingAttribute(double scale, double offset = 0) : LayerAttribute
{
    /// <summary>The factor every input is multiplied by.</summary>
    public double Scale { get; } = scale;
    /// <summary>The value added after scaling.</summary>
    public double Offset { get; } = offset;
}

/// <summary>Keeps each channel's largest value over height and width: (h, w, c) → (c). Keras' <c>layers.GlobalMaxPooling2D</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling2DAttribute : LayerAttribute;

/// <summary>
/// Applies an activation on its own, e.g. after an <see cref="AddAttribute"/>: <c>[Activation(Activation.ReLU)]</c>.
/// Keras' <c>layers.Activation</c>. Softmax belongs on the last layer.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute(Activation activation) : LayerAttribute
{
    /// <summary>The function applied to every element (over the last axis for Softmax).</summary>
    public Activation Activation { get; } = activation;
}
