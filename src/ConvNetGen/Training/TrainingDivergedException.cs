namespace ConvNetGen;

/// <summary>Thrown when the training loss becomes NaN or infinite, naming the epoch and step, so no garbage is trained further.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a loss that diverged at a given epoch and step (both 1-based).</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : base($"The loss became {loss} at epoch {epoch}, step {step}. Lower the learning rate, check the inputs are scaled (e.g. to [0, 1]), or check the labels.")
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
    }

    /// <summary>The epoch (1-based) in which the loss diverged.</summary>
    public int Epoch { get; }
    /// <summary>The step (1-based) within the epoch.</summary>
    public int Step { get; }
    /// <summary>The non-finite loss value.</summary>
    public float Loss { get; }
}
