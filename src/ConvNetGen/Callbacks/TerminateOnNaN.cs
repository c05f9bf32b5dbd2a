using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Ends training when a batch's loss is NaN or infinite (Keras' <c>keras.callbacks.TerminateOnNaN</c>). Fit never
/// applies such a step (the weights stay those after the last good step); without this callback it throws
/// <see cref="TrainingDivergedException"/>, with it Fit returns normally, the epoch's logs recorded as they are.
/// </summary>
/// <remarks>Not thread-safe; see <see cref="Callback"/>.</remarks>
public sealed class TerminateOnNaN : Callback
{
    /// <param name="raiseError">Throw <see cref="TrainingDivergedException"/> instead of stopping (Keras' <c>raise_error</c>).</param>
    /// <param name="output">Where the "Invalid loss" line goes (default: the console); null with <paramref name="quiet"/>.</param>
    /// <param name="quiet">Print nothing.</param>
    public TerminateOnNaN(bool raiseError = false, TextWriter? output = null, bool quiet = false)
    {
        RaiseError = raiseError;
        Output = output;
        Quiet = quiet;
    }

    /// <summary>Whether a bad loss throws instead of stopping.</summary>
    public bool RaiseError { get; }

    private TextWriter? Output { get; }
    private bool Quiet { get; }

    /// <summary>Whether this callback stopped the last Fit.</summary>
    public bool Terminated { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs) => Terminated = false;

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, TrainingLogs logs)
    {
        if (!logs.TryGetValue("loss", out float loss) || float.IsFinite(loss)) return;
        if (RaiseError) throw new TrainingDivergedException(loss);
        if (!Quiet) (Output ?? Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture, $"Batch {batch}: Invalid loss, terminating training"));
        Terminated = true;
        Model.StopTraining = true;
    }
}
