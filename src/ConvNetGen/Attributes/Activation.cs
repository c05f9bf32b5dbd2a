namespace ConvNetGen;

/// <summary>The activation a layer applies to its output (Keras' <c>activation=</c>).</summary>
public enum Activation
{
    /// <summary>No activation: <c>f(x) = x</c> (Keras' default).</summary>
    Linear = 0,
    /// <summary><c>max(x, 0)</c>.</summary>
    ReLU = 1,
    /// <summary><c>1 / (1 + e^-x)</c>.</summary>
    Sigmoid = 2,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 3,
    /// <summary>Softmax over the last axis; belongs on the last layer.</summary>
    Softmax = 4,
}
