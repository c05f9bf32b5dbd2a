using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Sets the optimizer's learning rate at the start of each epoch from a function of the epoch (0-based) and the
/// current rate (Keras' <c>keras.callbacks.LearningRateScheduler</c>). Adds <c>learning_rate</c> to the epoch's logs.
/// For a rate that changes every step, give the optimizer a <see cref="LearningRateSchedule"/> instead.
/// </summary>
/// <remarks>Not thread-safe; see <see cref="Callback"/>. The function runs on Fit's thread.</remarks>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, float, float> _schedule;

    /// <param name="schedule">The epoch (0-based) and the current rate → the epoch's rate (finite, greater than 0).</param>
    /// <param name="verbose">Print the rate each epoch.</param>
    /// <param name="output">Where those lines go (default: the console).</param>
    public LearningRateScheduler(Func<int, float, float> schedule, bool verbose = false, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
        Verbose = verbose;
        Output = output;
    }

    private bool Verbose { get; }
    private TextWriter? Output { get; }

    internal override bool LogsLearningRate => true;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The function returned a rate that is not finite or not above 0.</exception>
    public override void OnEpochBegin(int epoch, TrainingLogs logs)
    {
        var optimizer = Model.Optimizer!;
        float rate = _schedule(epoch, optimizer.LearningRate);
        if (!float.IsFinite(rate) || rate <= 0f)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"LearningRateScheduler's function returned {rate} for epoch {epoch}; a learning rate must be finite and greater than 0."));
        optimizer.LearningRate = rate;
        if (Verbose) (Output ?? Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}."));
    }
}
