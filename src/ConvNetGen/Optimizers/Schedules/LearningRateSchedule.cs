namespace ConvNetGen;

/// <summary>
/// A learning rate as a function of the optimizer's step (Keras' <c>keras.optimizers.schedules.LearningRateSchedule</c>):
/// give one to an optimizer's constructor and each step <c>t</c> (0-based: <see cref="Optimizer.Iterations"/> before
/// the step) uses <c>schedule[t]</c>, as Keras reads <c>schedule(optimizer.iterations)</c>.
/// </summary>
/// <remarks>Immutable, so thread-safe; one instance may serve several optimizers.</remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The rate for step <paramref name="step"/> (0-based); finite and greater than 0.</summary>
    public abstract float this[long step] { get; }

    /// <summary>A description of the schedule and its arguments, stored in checkpoints so a resumed run can check it has the same one.</summary>
    public abstract override string ToString();

    /// <summary>The rate for <paramref name="step"/>, refused if a subclass returns one an optimizer cannot use.</summary>
    internal float RateAt(long step)
    {
        float rate = this[step];
        if (!float.IsFinite(rate) || rate <= 0f)
            throw new InvalidOperationException(FormattableString.Invariant(
                $"{this} gave a learning rate of {rate} at step {step}; a learning rate must be finite and greater than 0."));
        return rate;
    }
}
