using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ConvNetGen;

/// <summary>
/// Gradient descent, optionally with (Nesterov) momentum, with Keras 3's update rule (<c>keras.optimizers.SGD</c>):
/// <code>
/// momentum == 0:  w = w - learning_rate * g
/// otherwise:      velocity = momentum * velocity - learning_rate * g
///                 w = w + velocity                                     (plain)
///                 w = w + momentum * velocity - learning_rate * g      (nesterov)
/// </code>
/// </summary>
public sealed class SGD : Optimizer
{
    // Keras allocates no state when momentum is 0; neither do we.
    private float[] _momentums = [];

    /// <summary>Creates the optimizer with Keras' defaults unless told otherwise.</summary>
    /// <param name="learningRate">The step size; Keras' default is 0.01.</param>
    /// <param name="momentum">The velocity's decay, in [0, 1); 0 is plain gradient descent.</param>
    /// <param name="nesterov">Whether to apply Nesterov momentum (no effect when <paramref name="momentum"/> is 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public SGD(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false)
        : this(null, learningRate, momentum, nesterov)
    {
    }

    /// <summary>Creates the optimizer with a learning rate that follows <paramref name="learningRate"/> step by step (Keras: a schedule as <c>learning_rate</c>).</summary>
    /// <param name="learningRate">The rate per step.</param>
    /// <param name="momentum">The velocity's decay, in [0, 1); 0 is plain gradient descent.</param>
    /// <param name="nesterov">Whether to apply Nesterov momentum (no effect when <paramref name="momentum"/> is 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public SGD(LearningRateSchedule learningRate, float momentum = 0f, bool nesterov = false)
        : this(learningRate ?? throw new ArgumentNullException(nameof(learningRate)), 0f, momentum, nesterov)
    {
    }

    private SGD(LearningRateSchedule? schedule, float learningRate, float momentum, bool nesterov)
        : base(schedule, learningRate)
    {
        Momentum = HyperparameterGuard.UnitInterval(momentum, nameof(momentum));
        Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetConfig() => Config(("momentum", Momentum), ("nesterov", Nesterov));

    /// <inheritdoc/>
    public override string Name => "SGD";

    /// <summary>The velocity's decay; 0 means plain gradient descent.</summary>
    public float Momentum { get; }

    /// <summary>Whether Nesterov momentum is applied.</summary>
    public bool Nesterov { get; }

    /// <summary>The velocity of every parameter (empty when <see cref="Momentum"/> is 0).</summary>
    internal ReadOnlySpan<float> Momentums => _momentums;

    /// <inheritdoc/>
    protected override void CreateState(int parameterCount)
    {
        _momentums = Momentum != 0f ? new float[parameterCount] : [];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_momentums];

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length)
    {
        var w = parameters.Slice(start, length);
        var g = gradients.Slice(start, length);
        float learningRate = StepLearningRate;

        if (Momentum == 0f)
        {
            // w = w - g * learning_rate
            TensorPrimitives.MultiplyAdd(g, -learningRate, w, w);
            return;
        }

        var m = _momentums.AsSpan(start, length);
        if (Nesterov)
            UpdateNesterov(w, g, m, Momentum, learningRate);
        else
            UpdateMomentum(w, g, m, Momentum, learningRate);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private static void UpdateMomentum(Span<float> w, ReadOnlySpan<float> g, Span<float> m, float momentum, float learningRate)
    {
        ref float wRef = ref MemoryMarshal.GetReference(w);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var momentumV = new Vector<float>(momentum);
            var learningRateV = new Vector<float>(learningRate);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var velocity = Vector.LoadUnsafe(ref mRef, (nuint)i) * momentumV - Vector.LoadUnsafe(ref gRef, (nuint)i) * learningRateV;
                velocity.StoreUnsafe(ref mRef, (nuint)i);
                (Vector.LoadUnsafe(ref wRef, (nuint)i) + velocity).StoreUnsafe(ref wRef, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float velocity = m[i] * momentum - g[i] * learningRate;
            m[i] = velocity;
            w[i] += velocity;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    private static void UpdateNesterov(Span<float> w, ReadOnlySpan<float> g, Span<float> m, float momentum, float learningRate)
    {
        ref float wRef = ref MemoryMarshal.GetReference(w);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var momentumV = new Vector<float>(momentum);
            var learningRateV = new Vector<float>(learningRate);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var step = Vector.LoadUnsafe(ref gRef, (nuint)i) * learningRateV;
                var velocity = Vector.LoadUnsafe(ref mRef, (nuint)i) * momentumV - step;
                velocity.StoreUnsafe(ref mRef, (nuint)i);
                (Vector.LoadUnsafe(ref wRef, (nuint)i) + (velocity * momentumV - step)).StoreUnsafe(ref wRef, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float step = g[i] * learningRate;
            float velocity = m[i] * momentum - step;
            m[i] = velocity;
            w[i] += velocity * momentum - step;
        }
    }
}
