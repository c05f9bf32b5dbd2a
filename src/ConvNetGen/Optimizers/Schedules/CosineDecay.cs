namespace ConvNetGen;

/// <summary>
/// Cosine decay with an optional linear warm-up (Keras' <c>CosineDecay</c>, SGDR without restarts): without a warm-up
/// target the rate goes from <c>initialLearningRate</c> to <c>initialLearningRate * alpha</c> over
/// <c>decaySteps</c>; with one, it first rises linearly from <c>initialLearningRate</c> to <c>warmupTarget</c> over
/// <c>warmupSteps</c>, then decays from <c>warmupTarget</c> to <c>warmupTarget * alpha</c>. It stays there afterwards.
/// </summary>
/// <remarks>
/// Keras allows a warm-up from 0; here every rate must be greater than 0, so step 0 of a warm-up from
/// <c>initialLearningRate</c> must be too (use e.g. 1e-6 rather than 0), and <c>alpha</c> 0 would end on 0: the rate
/// is then held at the smallest positive float instead. Immutable, so thread-safe.
/// </remarks>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <param name="initialLearningRate">The rate at step 0; finite and greater than 0.</param>
    /// <param name="decaySteps">Steps to decay over; greater than 0.</param>
    /// <param name="alpha">The final rate as a fraction of the decay's starting rate, in [0, 1].</param>
    /// <param name="warmupTarget">The rate the warm-up reaches, or null for no warm-up.</param>
    /// <param name="warmupSteps">Steps to warm up over; used only with <paramref name="warmupTarget"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public CosineDecay(float initialLearningRate, long decaySteps, float alpha = 0f, float? warmupTarget = null, long warmupSteps = 0)
    {
        InitialLearningRate = HyperparameterGuard.LearningRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(alpha >= 0f && alpha <= 1f))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        if (warmupTarget is float target) HyperparameterGuard.LearningRate(target, nameof(warmupTarget));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (warmupTarget is not null && warmupSteps == 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "A warm-up target needs warmupSteps greater than 0.");
        DecaySteps = decaySteps;
        Alpha = alpha;
        WarmupTarget = warmupTarget;
        WarmupSteps = warmupSteps;
    }

    /// <summary>The rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>Steps to decay over.</summary>
    public long DecaySteps { get; }

    /// <summary>The final rate as a fraction of the decay's starting rate.</summary>
    public float Alpha { get; }

    /// <summary>The rate the warm-up reaches, or null.</summary>
    public float? WarmupTarget { get; }

    /// <summary>Steps to warm up over.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc/>
    public override float this[long step]
    {
        get
        {
            float rate;
            if (WarmupTarget is not float target)
                rate = Decay(Math.Min(step, DecaySteps), InitialLearningRate);
            else
            {
                long s = Math.Min(step, DecaySteps + WarmupSteps);
                rate = s < WarmupSteps
                    ? (target - InitialLearningRate) * ((float)s / WarmupSteps) + InitialLearningRate
                    : Decay(s - WarmupSteps, target);
            }
            return Math.Max(rate, float.Epsilon);
        }
    }

    private float Decay(long step, float from)
    {
        float completed = (float)step / DecaySteps;
        float cosine = 0.5f * (1f + MathF.Cos(MathF.PI * completed));
        return from * ((1f - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"CosineDecay(initialLearningRate: {InitialLearningRate}, decaySteps: {DecaySteps}, alpha: {Alpha}, warmupTarget: {(WarmupTarget is float t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}, warmupSteps: {WarmupSteps})");
}
