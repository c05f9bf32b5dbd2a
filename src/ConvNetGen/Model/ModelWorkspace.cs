using System.ComponentModel;

namespace ConvNetGen;

/// <summary>
/// The buffers one forward/backward pass over up to <see cref="Capacity"/> samples needs: every layer's output and
/// output gradient, and whatever its backward keeps (patches, argmax, masks). Generated models derive their own,
/// with one named field per buffer; each training thread owns one, so passes share nothing but the parameters.
/// An inference workspace (<see cref="IsTraining"/> false) holds only what a forward pass with <c>training: false</c>
/// reads or writes: its gradients, labels and backward-only buffers are empty.
/// </summary>
/// <remarks>For generated code; not a stable API.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ModelWorkspace
{
    /// <summary>Allocates the buffers the base class manages; the generated subclass allocates the rest.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ModelWorkspace(int capacity, int inputSize, int outputSize, int parameterCount, bool training)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        IsTraining = training;
        Input = Kernels.AlignedFloats.Allocate(checked(capacity * inputSize));
        Gradients = training ? Kernels.AlignedFloats.Allocate(parameterCount) : default;
        Labels = training ? new int[capacity] : [];
    }

    /// <summary>
    /// The bytes of the arrays the base class allocates for <paramref name="capacity"/> samples (4 per float or int;
    /// object headers not counted), the same arrays the constructor allocates: <see cref="Input"/>, and when training
    /// <see cref="Gradients"/> and <see cref="Labels"/>. Never overflows: summed in Int128 and capped at long.MaxValue.
    /// </summary>
    /// <remarks>Protected internal so the generated workspace, which derives from this class, can add it to its own. For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected internal static long BaseBytes(int capacity, int inputSize, int parameterCount, bool training) =>
        long.CreateSaturating(4 * (Int128)capacity * inputSize + (training ? 4L * parameterCount + 4L * capacity : 0)); // Int128: 4 · capacity · input size can pass long

    /// <summary>
    /// Throws unless <paramref name="capacity"/> is between 1 and <paramref name="maxCapacity"/>, the most samples for
    /// which every buffer the workspace would allocate fits (<see cref="Kernels.AlignedFloats.MaxLength"/> elements);
    /// returns it, so a generated constructor checks before the base class allocates anything.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not positive, or some buffer would not fit in an array.</exception>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static int CheckCapacity(int capacity, int maxCapacity, bool training)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (capacity > maxCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"A {(training ? "training" : "inference")} workspace holds at most {maxCapacity:N0} samples: for more, one of its buffers would pass {Kernels.AlignedFloats.MaxLength:N0} elements (Array.MaxLength less an aligned buffer's slack).");
        return capacity;
    }

    /// <summary>The largest batch this workspace holds.</summary>
    internal int Capacity { get; }

    /// <summary>Whether this workspace holds the buffers a training step needs (gradients, labels, backward state), or only the forward pass's.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsTraining { get; }

    /// <summary>The samples of the current pass (Capacity × input size).</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Kernels.AlignedFloats Input { get; }

    /// <summary>The labels of the current pass; empty in an inference workspace.</summary>
    internal int[] Labels { get; }

    /// <summary>The float targets of the current pass (Capacity × output size); empty until a step trains on float targets.</summary>
    internal float[] Targets { get; set; } = [];

    /// <summary>The sample weights of the current pass; empty until a step trains with weights.</summary>
    internal float[] SampleWeights { get; set; } = [];

    /// <summary>The last layer's output (Capacity × output size); set by the generated subclass.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Kernels.AlignedFloats Output { get; protected set; }

    /// <summary>
    /// The loss's gradient with respect to the last layer's output, or to its pre-activation values when the last
    /// layer ends in Softmax (the loss fuses the two); set by the generated subclass; empty in an inference workspace.
    /// </summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Kernels.AlignedFloats OutputGradient { get; protected set; }

    /// <summary>The samples in the current pass.</summary>
    internal int BatchSize { get; set; }

    /// <summary>The current pass's mean loss.</summary>
    internal float Loss { get; set; }

    /// <summary>This workspace's own seeded random stream (dropout masks), so threads never share one.</summary>
    internal Random Random { get; set; } = new(0);

    /// <summary>Which of the model's training workspaces this is, in creation order: its <see cref="Random"/> is seeded from it.</summary>
    internal int SeedIndex { get; set; }

    /// <summary>How many numbers <see cref="Random"/> has given (dropout masks), so a checkpoint can put the stream back where it was.</summary>
    internal long RandomDraws { get; set; }

    /// <summary>This pass's parameter gradients, same layout as the model's parameters; empty in an inference workspace.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Kernels.AlignedFloats Gradients { get; }
}
