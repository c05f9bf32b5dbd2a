namespace ConvNetGen;

/// <summary>
/// The buffers one forward/backward pass over up to <see cref="Capacity"/> samples needs: every layer's output and
/// output gradient, and whatever its backward keeps (patches, argmax, masks). Generated models derive their own,
/// with one named field per buffer; each training thread owns one, so passes share nothing but the parameters.
/// </summary>
public abstract class ModelWorkspace
{
    /// <summary>Allocates the buffers the base class manages; the generated subclass allocates the rest.</summary>
    protected ModelWorkspace(int capacity, int inputSize, int outputSize, int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        Input = new float[capacity * inputSize];
        Gradients = new float[parameterCount];
        Labels = new int[capacity];
    }

    /// <summary>The largest batch this workspace holds.</summary>
    public int Capacity { get; }

    /// <summary>The samples of the current pass (Capacity × input size).</summary>
    public float[] Input { get; }

    /// <summary>The labels of the current pass.</summary>
    public int[] Labels { get; }

    /// <summary>The last layer's output (Capacity × output size); set by the generated subclass.</summary>
    public float[] Output { get; protected set; } = [];

    /// <summary>
    /// The loss's gradient with respect to the last layer's output, or to its pre-activation values when the last
    /// layer ends in Softmax (the loss fuses the two); set by the generated subclass.
    /// </summary>
    public float[] OutputGradient { get; protected set; } = [];

    /// <summary>The samples in the current pass.</summary>
    internal int BatchSize { get; set; }

    /// <summary>The current pass's mean loss.</summary>
    internal float Loss { get; set; }

    /// <summary>This workspace's own seeded random stream (dropout masks), so threads never share one.</summary>
    internal Random Random { get; set; } = new(0);

    /// <summary>This pass's parameter gradients, same layout as the model's parameters.</summary>
    public float[] Gradients { get; }
}
