namespace ConvNetGen;

/// <summary>
/// Thrown when the training loss, a gradient, a moving statistic or an updated weight becomes NaN or infinite, naming
/// the epoch and step. The step that saw
/// it changed nothing: the model keeps the weights, moving statistics and optimizer state of the last good step.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    private const string Kept = "The weights are kept as they were after the last good step.";
    private const string Advice = "Lower the learning rate, check the inputs are scaled (e.g. to [0, 1]), or check the labels.";

    /// <summary>Creates the exception for a loss that diverged at a given epoch and step (both 1-based).</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : base($"{What(loss)} at epoch {epoch}, step {step}. {Kept} {Advice}")
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
    }

    /// <summary>Creates the exception for a single step (<c>TrainOnBatch</c>) that diverged.</summary>
    public TrainingDivergedException(float loss)
        : base($"{What(loss)} in TrainOnBatch. {Kept} {Advice}")
    {
        Loss = loss;
    }

    private static string What(float loss) => float.IsFinite(loss)
        ? $"A gradient, a moving statistic or an updated weight became NaN or infinite (the loss was {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)})"
        : $"The loss became {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The epoch (1-based) in which the loss diverged; 0 for <c>TrainOnBatch</c>.</summary>
    public int Epoch { get; }
    /// <summary>The step (1-based) within the epoch; 0 for <c>TrainOnBatch</c>.</summary>
    public int Step { get; }
    /// <summary>The step's loss: NaN or infinite, or finite when a gradient diverged instead.</summary>
    public float Loss { get; }
}
