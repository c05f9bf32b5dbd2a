using System.Numerics;
using System.Runtime.InteropServices;

namespace ConvNetGen;

/// <summary>
/// RMSprop with Keras 3's update rule (<c>keras.optimizers.RMSprop</c>): plain (not Nesterov) momentum, and epsilon
/// added to the second moment <em>inside</em> the square root:
/// <code>
/// velocity = rho * velocity + (1 - rho) * g^2
/// centered:     average_grad = rho * average_grad + (1 - rho) * g
///               denominator  = velocity - average_grad^2 + epsilon
/// not centered: denominator  = velocity + epsilon
/// increment = learning_rate * g / sqrt(denominator)
/// momentum > 0: momentum_buffer = momentum * momentum_buffer + increment;  w = w - momentum_buffer
/// otherwise:    w = w - increment
/// </code>
/// </summary>
public sealed class RMSprop : Optimizer
{
    private float[] _velocities = [];
    private float[] _momentums = [];
    private float[] _averageGradients = [];
    private readonly float _oneMinusRho;

    /// <summary>Creates the optimizer with Keras' defaults unless told otherwise.</summary>
    /// <param name="learningRate">The step size; Keras' default is 0.001.</param>
    /// <param name="rho">The decay of the running averages, in [0, 1).</param>
    /// <param name="momentum">The decay of the momentum buffer, in [0, 1); 0 disables momentum.</param>
    /// <param name="epsilon">Added to the second moment before its square root; greater than 0.</param>
    /// <param name="centered">Whether to normalize by the estimated variance of the gradient instead of its uncentered second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public RMSprop(float learningRate = 0.001f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false)
        : this(null, learningRate, rho, momentum, epsilon, centered)
    {
    }

    /// <summary>Creates the optimizer with a learning rate that follows <paramref name="learningRate"/> step by step (Keras: a schedule as <c>learning_rate</c>).</summary>
    /// <param name="learningRate">The rate per step.</param>
    /// <param name="rho">The decay of the running averages, in [0, 1).</param>
    /// <param name="momentum">The decay of the momentum buffer, in [0, 1); 0 disables momentum.</param>
    /// <param name="epsilon">Added to the second moment before its square root; greater than 0.</param>
    /// <param name="centered">Whether to normalize by the estimated variance of the gradient instead of its uncentered second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public RMSprop(LearningRateSchedule learningRate, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false)
        : this(learningRate ?? throw new ArgumentNullException(nameof(learningRate)), 0f, rho, momentum, epsilon, centered)
    {
    }

    private RMSprop(LearningRateSchedule? schedule, float learningRate, float rho, float momentum, float epsilon, bool centered)
        : base(schedule, learningRate)
    {
        Rho = HyperparameterGuard.UnitInterval(rho, nameof(rho));
        Momentum = HyperparameterGuard.UnitInterval(momentum, nameof(momentum));
        Epsilon = HyperparameterGuard.Epsilon(epsilon, nameof(epsilon));
        Centered = centered;
        _oneMinusRho = HyperparameterGuard.OneMinus(rho);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetConfig() => Config(("rho", Rho), ("momentum", Momentum), ("epsilon", Epsilon), ("centered", Centered));

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <summary>The decay of the running averages of the gradient and of its square.</summary>
    public float Rho { get; }

    /// <summary>The decay of the momentum buffer; 0 means no momentum.</summary>
    public float Momentum { get; }

    /// <summary>The constant added to the second moment before its square root.</summary>
    public float Epsilon { get; }

    /// <summary>Whether the gradient is normalized by its estimated variance.</summary>
    public bool Centered { get; }

    /// <summary>The running average of the squared gradient of every parameter.</summary>
    internal ReadOnlySpan<float> Velocities => _velocities;

    /// <summary>The momentum buffer (empty when <see cref="Momentum"/> is 0).</summary>
    internal ReadOnlySpan<float> Momentums => _momentums;

    /// <summary>The running average of the gradient (empty unless <see cref="Centered"/>).</summary>
    internal ReadOnlySpan<float> AverageGradients => _averageGradients;

    /// <inheritdoc/>
    protected override void CreateState(int parameterCount)
    {
        // As in Keras, the optional buffers exist only when their feature is on.
        _velocities = new float[parameterCount];
        _momentums = Momentum > 0f ? new float[parameterCount] : [];
        _averageGradients = Centered ? new float[parameterCount] : [];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_velocities, _momentums, _averageGradients];

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length)
    {
        var w = parameters.Slice(start, length);
        var g = gradients.Slice(start, length);
        var v = _velocities.AsSpan(start, length);
        var m = Momentum > 0f ? _momentums.AsSpan(start, length) : default;
        var a = Centered ? _averageGradients.AsSpan(start, length) : default;

        float rho = Rho, oneMinusRho = _oneMinusRho, momentum = Momentum, epsilon = Epsilon, learningRate = StepLearningRate;
        bool centered = Centered, useMomentum = Momentum > 0f;

        ref float wRef = ref MemoryMarshal.GetReference(w);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float vRef = ref MemoryMarshal.GetReference(v);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float aRef = ref MemoryMarshal.GetReference(a);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var rhoV = new Vector<float>(rho);
            var oneMinusRhoV = new Vector<float>(oneMinusRho);
            var momentumV = new Vector<float>(momentum);
            var epsilonV = new Vector<float>(epsilon);
            var learningRateV = new Vector<float>(learningRate);
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref gRef, (nuint)i);
                var velocity = rhoV * Vector.LoadUnsafe(ref vRef, (nuint)i) + oneMinusRhoV * (gi * gi);
                velocity.StoreUnsafe(ref vRef, (nuint)i);
                Vector<float> denominator;
                if (centered)
                {
                    var average = rhoV * Vector.LoadUnsafe(ref aRef, (nuint)i) + oneMinusRhoV * gi;
                    average.StoreUnsafe(ref aRef, (nuint)i);
                    denominator = velocity - average * average + epsilonV;
                }
                else
                {
                    denominator = velocity + epsilonV;
                }
                var increment = learningRateV * gi / Vector.SquareRoot(denominator);
                if (useMomentum)
                {
                    increment = momentumV * Vector.LoadUnsafe(ref mRef, (nuint)i) + increment;
                    increment.StoreUnsafe(ref mRef, (nuint)i);
                }
                (Vector.LoadUnsafe(ref wRef, (nuint)i) - increment).StoreUnsafe(ref wRef, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            float gi = g[i];
            float velocity = rho * v[i] + oneMinusRho * (gi * gi);
            v[i] = velocity;
            float denominator;
            if (centered)
            {
                float average = rho * a[i] + oneMinusRho * gi;
                a[i] = average;
                denominator = velocity - average * average + epsilon;
            }
            else
            {
                denominator = velocity + epsilon;
            }
            float increment = learningRate * gi / MathF.Sqrt(denominator);
            if (useMomentum)
            {
                increment = momentum * m[i] + increment;
                m[i] = increment;
            }
            w[i] -= increment;
        }
    }
}
