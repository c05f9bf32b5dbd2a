using System.Numerics;
using System.Runtime.InteropServices;

namespace ConvNetGen;

/// <summary>
/// Adam (optionally AMSGrad) with Keras 3's update rule (<c>keras.optimizers.Adam</c>): the bias correction is folded
/// into the step size and epsilon is added <em>outside</em> the square root ("epsilon hat" of Kingma and Ba):
/// <code>
/// t     = iterations + 1
/// alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)
/// m     = m + (g - m) * (1 - beta_1)
/// v     = v + (g^2 - v) * (1 - beta_2)
/// amsgrad: v_hat = max(v_hat, v); v = v_hat
/// w     = w - m * alpha / (sqrt(v) + epsilon)
/// </code>
/// </summary>
public sealed class Adam : Optimizer
{
    private float[] _momentums = [];
    private float[] _velocities = [];
    private float[] _velocityHats = [];
    private readonly float _oneMinusBeta1;
    private readonly float _oneMinusBeta2;

    /// <summary>Creates the optimizer with Keras' defaults unless told otherwise.</summary>
    /// <param name="learningRate">The step size; Keras' default is 0.001.</param>
    /// <param name="beta1">The decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the square root of the second moment; greater than 0.</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant (divide by the running maximum of the second moment).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f, bool amsgrad = false)
        : this(null, learningRate, beta1, beta2, epsilon, amsgrad)
    {
    }

    /// <summary>Creates the optimizer with a learning rate that follows <paramref name="learningRate"/> step by step (Keras: a schedule as <c>learning_rate</c>).</summary>
    /// <param name="learningRate">The rate per step.</param>
    /// <param name="beta1">The decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the square root of the second moment; greater than 0.</param>
    /// <param name="amsgrad">Whether to use the AMSGrad variant (divide by the running maximum of the second moment).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public Adam(LearningRateSchedule learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f, bool amsgrad = false)
        : this(learningRate ?? throw new ArgumentNullException(nameof(learningRate)), 0f, beta1, beta2, epsilon, amsgrad)
    {
    }

    private Adam(LearningRateSchedule? schedule, float learningRate, float beta1, float beta2, float epsilon, bool amsgrad)
        : base(schedule, learningRate)
    {
        Beta1 = HyperparameterGuard.UnitInterval(beta1, nameof(beta1));
        Beta2 = HyperparameterGuard.UnitInterval(beta2, nameof(beta2));
        Epsilon = HyperparameterGuard.Epsilon(epsilon, nameof(epsilon));
        Amsgrad = amsgrad;
        _oneMinusBeta1 = HyperparameterGuard.OneMinus(beta1);
        _oneMinusBeta2 = HyperparameterGuard.OneMinus(beta2);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetConfig() => Config(("beta_1", Beta1), ("beta_2", Beta2), ("epsilon", Epsilon), ("amsgrad", Amsgrad));

    /// <inheritdoc/>
    public override string Name => "adam";

    /// <summary>The decay of the first-moment estimate (Keras' <c>beta_1</c>).</summary>
    public float Beta1 { get; }

    /// <summary>The decay of the second-moment estimate (Keras' <c>beta_2</c>).</summary>
    public float Beta2 { get; }

    /// <summary>The constant added to the square root of the second moment.</summary>
    public float Epsilon { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <summary>The first-moment estimate of every parameter.</summary>
    internal ReadOnlySpan<float> Momentums => _momentums;

    /// <summary>The second-moment estimate of every parameter.</summary>
    internal ReadOnlySpan<float> Velocities => _velocities;

    /// <summary>The running maximum of the second moment (empty unless <see cref="Amsgrad"/>).</summary>
    internal ReadOnlySpan<float> VelocityHats => _velocityHats;

    /// <inheritdoc/>
    protected override void CreateState(int parameterCount)
    {
        _momentums = new float[parameterCount];
        _velocities = new float[parameterCount];
        _velocityHats = Amsgrad ? new float[parameterCount] : [];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_momentums, _velocities, _velocityHats];

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // runs every step: no slow first tier
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length)
    {
        var w = parameters.Slice(start, length);
        var g = gradients.Slice(start, length);
        var m = _momentums.AsSpan(start, length);
        var v = _velocities.AsSpan(start, length);
        var vHat = Amsgrad ? _velocityHats.AsSpan(start, length) : default;

        // Iterations already counts this step, so it is Keras' local_step = iterations + 1. The powers are taken in
        // double: beta^t underflows gracefully and 1 - beta^t keeps its digits for small t.
        long step = Iterations;
        double beta1Power = Math.Pow(Beta1, step);
        double beta2Power = Math.Pow(Beta2, step);
        float alpha = (float)(StepLearningRate * Math.Sqrt(1.0 - beta2Power) / (1.0 - beta1Power));
        float oneMinusBeta1 = _oneMinusBeta1, oneMinusBeta2 = _oneMinusBeta2, epsilon = Epsilon;
        bool amsgrad = Amsgrad;

        ref float wRef = ref MemoryMarshal.GetReference(w);
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float vRef = ref MemoryMarshal.GetReference(v);
        ref float vHatRef = ref MemoryMarshal.GetReference(vHat);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var alphaV = new Vector<float>(alpha);
            var oneMinusBeta1V = new Vector<float>(oneMinusBeta1);
            var oneMinusBeta2V = new Vector<float>(oneMinusBeta2);
            var epsilonV = new Vector<float>(epsilon);
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref gRef, (nuint)i);
                var mi = Vector.LoadUnsafe(ref mRef, (nuint)i);
                mi += (gi - mi) * oneMinusBeta1V;
                mi.StoreUnsafe(ref mRef, (nuint)i);
                var vi = Vector.LoadUnsafe(ref vRef, (nuint)i);
                vi += (gi * gi - vi) * oneMinusBeta2V;
                vi.StoreUnsafe(ref vRef, (nuint)i);
                if (amsgrad)
                {
                    vi = Vector.Max(Vector.LoadUnsafe(ref vHatRef, (nuint)i), vi);
                    vi.StoreUnsafe(ref vHatRef, (nuint)i);
                }
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i) - mi * alphaV / (Vector.SquareRoot(vi) + epsilonV);
                wi.StoreUnsafe(ref wRef, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            float gi = g[i];
            float mi = m[i] + (gi - m[i]) * oneMinusBeta1;
            m[i] = mi;
            float vi = v[i] + (gi * gi - v[i]) * oneMinusBeta2;
            v[i] = vi;
            if (amsgrad)
            {
                vi = MathF.Max(vHat[i], vi);
                vHat[i] = vi;
            }
            w[i] -= mi * alpha / (MathF.Sqrt(vi) + epsilon);
        }
    }
}
