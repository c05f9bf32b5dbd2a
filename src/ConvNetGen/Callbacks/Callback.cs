namespace ConvNetGen;

/// <summary>
/// Hooks <c>Fit</c> calls as it trains (Keras' <c>keras.callbacks.Callback</c>): override the ones you need. Epoch and
/// batch indices are 0-based as in Keras; <c>logs</c> hold <c>loss</c>, the metrics and, at an epoch's end, the
/// <c>val_</c> ones. Set <see cref="Model.StopTraining"/> (via <see cref="Model"/>) to end training after the
/// current step.
/// </summary>
/// <remarks>
/// Not thread-safe on its own, and need not be: <c>Fit</c> calls every hook on its own thread, one at a time, and an
/// instance takes part in one <c>Fit</c> at a time (passing it to a second, concurrent Fit is refused). An instance may
/// be reused by later Fit calls; the built-in ones reset their state in <see cref="OnTrainBegin"/>, as Keras' do.
/// </remarks>
public abstract class Callback
{
    private Model? _model;

    /// <summary>The model being trained; set by <c>Fit</c> before <see cref="OnTrainBegin"/>.</summary>
    /// <exception cref="InvalidOperationException">Read outside a Fit call.</exception>
    public Model Model => _model ?? throw new InvalidOperationException($"{GetType().Name}.Model is only set while Fit runs.");

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingLogs logs) { }

    /// <summary>Called once after the last epoch (also after an early stop; not when Fit throws).</summary>
    public virtual void OnTrainEnd(TrainingLogs logs) { }

    /// <summary>Called before epoch <paramref name="epoch"/> (0-based) starts.</summary>
    public virtual void OnEpochBegin(int epoch, TrainingLogs logs) { }

    /// <summary>Called after epoch <paramref name="epoch"/> and its validation, with the epoch's logs.</summary>
    public virtual void OnEpochEnd(int epoch, TrainingLogs logs) { }

    /// <summary>Called before training step <paramref name="batch"/> (0-based within the epoch).</summary>
    public virtual void OnTrainBatchBegin(int batch, TrainingLogs logs) { }

    /// <summary>Called after step <paramref name="batch"/> with the epoch's running <c>loss</c> and metrics.</summary>
    public virtual void OnTrainBatchEnd(int batch, TrainingLogs logs) { }

    /// <summary>Whether Fit should add <c>learning_rate</c> to the epoch's logs (as Keras' scheduling callbacks do).</summary>
    internal virtual bool LogsLearningRate => false;

    /// <summary>Binds the instance to <paramref name="model"/> for one Fit; refuses an instance already in another Fit.</summary>
    internal void Attach(Model model)
    {
        if (Interlocked.CompareExchange(ref _model, model, null) is { } other)
            throw new ArgumentException(
                $"This {GetType().Name} is already taking part in a Fit of {other.Definition.Name}; a callback follows one Fit at a time. Create another instance.",
                "callbacks");
    }

    /// <summary>Called by Fit in every case, after OnTrainEnd or when Fit throws: for releasing files and such.</summary>
    internal virtual void OnFitFinished() { }

    internal void Detach() => Volatile.Write(ref _model, null);
}
