namespace ConvNetGen;

/// <summary>
/// <c>initialLearningRate * decayRate ^ (step / decaySteps)</c>, with the exponent floored when
/// <c>staircase</c> (Keras' <c>ExponentialDecay</c>).
/// </summary>
/// <remarks>Immutable, so thread-safe.</remarks>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <param name="initialLearningRate">The rate at step 0; finite and greater than 0.</param>
    /// <param name="decaySteps">Steps over which the rate is multiplied by <paramref name="decayRate"/>; greater than 0.</param>
    /// <param name="decayRate">The multiplier per <paramref name="decaySteps"/>; greater than 0.</param>
    /// <param name="staircase">Decay in whole <paramref name="decaySteps"/> at a time.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        InitialLearningRate = HyperparameterGuard.LearningRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!float.IsFinite(decayRate) || decayRate <= 0f)
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "The decay rate must be a finite number greater than 0.");
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>Steps per multiplication by <see cref="DecayRate"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>The multiplier per <see cref="DecaySteps"/>.</summary>
    public float DecayRate { get; }

    /// <summary>Whether the exponent is floored.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float this[long step]
    {
        get
        {
            // Keras computes in the rate's dtype (float32); float math here gives its numbers.
            float p = (float)step / DecaySteps;
            if (Staircase) p = MathF.Floor(p);
            return InitialLearningRate * MathF.Pow(DecayRate, p);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"ExponentialDecay(initialLearningRate: {InitialLearningRate}, decaySteps: {DecaySteps}, decayRate: {DecayRate}, staircase: {Staircase})");
}
