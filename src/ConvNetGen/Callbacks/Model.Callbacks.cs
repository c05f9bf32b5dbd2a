using System.Diagnostics;

namespace ConvNetGen;

public abstract partial class Model
{
    private volatile bool _stopTraining;

    /// <summary>
    /// Set by a callback to end <c>Fit</c> after the current step (Keras' <c>model.stop_training</c>): the epoch is
    /// closed (validation, <see cref="Callback.OnEpochEnd"/>) and Fit returns normally. Fit clears it when it starts.
    /// </summary>
    /// <remarks>Volatile: may be set from any thread; the running Fit sees it at its next step boundary.</remarks>
    public bool StopTraining
    {
        get => _stopTraining;
        set => _stopTraining = value;
    }

    /// <summary>How many epochs the last Fit completed, counted from 0 as Keras counts them (what <c>initialEpoch</c> takes to resume).</summary>
    private int _epochReached;

    /// <summary>A copy of every parameter (Keras' <c>get_weights</c>), for callbacks that keep the best epoch's weights.</summary>
    internal float[] SnapshotParameters()
    {
        using (ReadWeights()) // the training thread holds no lock between steps
            return _parameters.ToArray();
    }

    /// <summary>Puts back a <see cref="SnapshotParameters"/> copy; from the training thread between steps, or when not training.</summary>
    internal void RestoreParameters(float[] values)
    {
        if (values.Length != _parameters.Length)
            throw new ArgumentException($"A snapshot of {values.Length} parameters does not fit {Definition.Name}'s {_parameters.Length}.", nameof(values));
        int owner = Volatile.Read(ref _trainingThread);
        if (owner != 0 && owner != Environment.CurrentManagedThreadId) ThrowIfTraining("restore weights");
        using (WriteWeights())
            values.CopyTo(_parameters.Span);
    }

    /// <summary>
    /// The events of one Fit call: callbacks in order (the user's, then the History Fit returns), the progress line,
    /// an <see cref="IProgress{T}"/>, cancellation and <see cref="StopTraining"/>. Both Fit overloads drive it, so
    /// arrays and datasets train with the same events in the same order.
    /// </summary>
    private sealed class FitSession : IDisposable
    {
        private readonly Model _model;
        private readonly Callback[] _callbacks; // the user's, then History
        private readonly bool _userCallbacks;
        private readonly bool _logsLearningRate;
        private readonly ProgressReporter _reporter;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly CancellationToken _cancellation;
        private readonly int _epochs;
        private int _epoch;
        private long _start;

        public History History { get; } = new();

        public FitSession(Model model, IEnumerable<Callback>? callbacks, int epochs, Verbosity verbose, TextWriter? output,
            IProgress<TrainingProgress>? progress, CancellationToken cancellation)
        {
            var user = callbacks?.ToArray() ?? [];
            if (Array.IndexOf(user, null) is int nullAt and >= 0)
                throw new ArgumentNullException(nameof(callbacks), $"callbacks[{nullAt}] is null.");
            if (user.Distinct().Count() != user.Length)
                throw new ArgumentException("The same callback instance is passed twice; each hook would run twice per event.", nameof(callbacks));
            if (user.OfType<History>().Any())
                throw new ArgumentException("Fit adds its own History and returns it; pass no History in callbacks.", nameof(callbacks));
            _model = model;
            _callbacks = [.. user, History];
            _userCallbacks = user.Length > 0;
            _logsLearningRate = user.Any(c => c.LogsLearningRate);
            _reporter = new ProgressReporter(verbose, output);
            _progress = progress;
            _cancellation = cancellation;
            _epochs = epochs;
            int attached = 0;
            try
            {
                for (; attached < _callbacks.Length; attached++) _callbacks[attached].Attach(model);
            }
            catch
            {
                for (int i = 0; i < attached; i++) _callbacks[i].Detach();
                throw;
            }
        }

        public ProgressReporter Reporter => _reporter;

        public void BeginTraining()
        {
            _model.StopTraining = false;
            _cancellation.ThrowIfCancellationRequested();
            foreach (var c in _callbacks) c.OnTrainBegin(TrainingLogs.Empty);
        }

        public void BeginEpoch(int epoch)
        {
            _cancellation.ThrowIfCancellationRequested();
            _epoch = epoch;
            foreach (var c in _callbacks) c.OnEpochBegin(epoch, TrainingLogs.Empty);
            _reporter.BeginEpoch(epoch + 1, _epochs);
            _start = Stopwatch.GetTimestamp();
        }

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

        /// <summary>Before a step: the point where a cancellation takes effect (the weights are whole steps' then).</summary>
        public void BeginStep(int step)
        {
            _cancellation.ThrowIfCancellationRequested();
            if (!_userCallbacks) return;
            foreach (var c in _callbacks) c.OnTrainBatchBegin(step, TrainingLogs.Empty);
        }

        public void EndStep(int step, int steps, List<KeyValuePair<string, float>> logs)
        {
            _reporter.Step(step + 1, steps, Elapsed, logs);
            if (!_userCallbacks && _progress is null) return; // nothing to allocate logs for
            var snapshot = new TrainingLogs(logs);
            foreach (var c in _callbacks) c.OnTrainBatchEnd(step, snapshot);
            _progress?.Report(new TrainingProgress(_epoch, _epochs, step + 1, steps, snapshot));
        }

        public void EndEpoch(int epoch, int steps, TimeSpan elapsed, List<KeyValuePair<string, float>> logs)
        {
            if (_logsLearningRate && _model.Optimizer is { } optimizer)
                logs.Add(new("learning_rate", optimizer.LearningRate));
            _reporter.EndEpoch(steps, elapsed, logs);
            _model._epochReached = epoch + 1;
            History.PendingDuration = elapsed;
            var snapshot = new TrainingLogs(logs);
            foreach (var c in _callbacks) c.OnEpochEnd(epoch, snapshot);
        }

        public void EndTraining()
        {
            foreach (var c in _callbacks) c.OnTrainEnd(TrainingLogs.Empty);
        }

        public void Dispose()
        {
            foreach (var c in _callbacks)
            {
                try
                {
                    c.OnFitFinished();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Closing a file failed: Fit's own outcome (its result or exception) matters more, and every callback still gets to clean up.
                }
                finally
                {
                    c.Detach();
                }
            }
        }
    }
}
