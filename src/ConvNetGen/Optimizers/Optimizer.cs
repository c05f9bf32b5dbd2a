namespace ConvNetGen;

/// <summary>
/// The base of the optimizers. A model keeps all its parameters in one contiguous <see cref="float"/> buffer and their
/// gradients in another of the same length; an optimizer keeps its per-parameter state (momentums, velocities, ...)
/// at the same indices, so one <see cref="Step"/> updates every trainable range in place and allocates nothing.
/// </summary>
/// <remarks>
/// Like a Keras optimizer, an instance belongs to one model: it is built once for that model's parameter count
/// (<c>model.Compile</c> calls <see cref="Build"/>) and its state carries over between <c>Fit</c> calls. Compiling an
/// instance into a second model is refused. Not thread-safe on its own: the model calls it from its training step only.
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private readonly LearningRateSchedule? _schedule;

    /// <summary>Initializes the optimizer with its learning rate.</summary>
    /// <param name="learningRate">The step size; a finite number greater than 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not finite or not greater than 0.</exception>
    protected Optimizer(float learningRate)
    {
        _learningRate = HyperparameterGuard.LearningRate(learningRate, nameof(learningRate));
    }

    /// <summary>Initializes the optimizer with a learning rate that follows <paramref name="schedule"/> step by step.</summary>
    /// <param name="schedule">The rate per step (Keras: passing a <c>LearningRateSchedule</c> as <c>learning_rate</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    protected Optimizer(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
        _learningRate = schedule.RateAt(0);
    }

    /// <summary>For the built-in optimizers, whose fixed-rate and scheduled constructors share one body.</summary>
    private protected Optimizer(LearningRateSchedule? schedule, float learningRate)
    {
        if (schedule is null) _learningRate = HyperparameterGuard.LearningRate(learningRate, nameof(learningRate));
        else
        {
            _schedule = schedule;
            _learningRate = schedule.RateAt(0);
        }
    }

    /// <summary>The schedule the learning rate follows, or null for a fixed (settable) rate.</summary>
    public LearningRateSchedule? Schedule => _schedule;

    /// <summary>The optimizer's name as Keras reports it in its config (e.g. <c>adam</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The step size the next <see cref="Step"/> uses: the fixed rate, which may be changed between steps (as
    /// <see cref="ReduceLROnPlateau"/> does), or the <see cref="Schedule"/>'s rate for step <see cref="Iterations"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite or not greater than 0.</exception>
    /// <exception cref="InvalidOperationException">Set on an optimizer that follows a schedule (as Keras refuses it).</exception>
    public float LearningRate
    {
        get => _schedule is null ? _learningRate : _schedule.RateAt(Iterations);
        set
        {
            if (_schedule is not null)
                throw new InvalidOperationException(
                    $"This {GetType().Name} follows {_schedule}, so its learning rate cannot be set; create the optimizer with a fixed learning rate to change it between epochs.");
            _learningRate = HyperparameterGuard.LearningRate(value, nameof(value));
        }
    }

    /// <summary>
    /// The rate of the step being applied, read by <see cref="Update"/>: the schedule's rate for the step's 0-based
    /// index (Keras' <c>schedule(iterations)</c>), fixed for the whole step whichever thread updates which slice.
    /// </summary>
    protected float StepLearningRate { get; private set; }

    /// <summary>
    /// The optimizer's configuration as Keras' <c>get_config</c> names it (<c>name</c>, <c>learning_rate</c>, and the
    /// hyperparameters), in invariant culture. Checkpoints store it and refuse to resume with another.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> GetConfig() => BaseConfig();

    /// <summary>Adds <paramref name="extra"/> to the base configuration (for the built-in optimizers' overrides).</summary>
    private protected IReadOnlyDictionary<string, string> Config(params (string Key, object Value)[] extra)
    {
        var config = new Dictionary<string, string>(BaseConfig());
        foreach (var (key, value) in extra)
            config[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        return config;
    }

    private IReadOnlyDictionary<string, string> BaseConfig() => new Dictionary<string, string>
    {
        ["class"] = GetType().Name,
        ["name"] = Name,
        ["learning_rate"] = _schedule?.ToString() ?? _learningRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The number of <see cref="Step"/> calls since the state was built (Keras' <c>optimizer.iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>The number of parameters the state was built for; 0 before <see cref="Build"/>.</summary>
    public int ParameterCount { get; private set; }

    /// <summary>Whether <see cref="Build"/> has allocated the state.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>
    /// Allocates the optimizer's state, zeroed, for a parameter buffer of <paramref name="parameterCount"/> elements.
    /// Building again for the same count keeps the state (as Keras' <c>build</c> does once built); building for another
    /// count starts over: new zeroed state and <see cref="Iterations"/> back to 0.
    /// </summary>
    /// <param name="parameterCount">The length of the model's parameter buffer, frozen parameters included.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameterCount"/> is negative.</exception>
    public void Build(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (IsBuilt && parameterCount == ParameterCount)
            return;

        CreateState(parameterCount);
        _state = StateArrays.Where(a => a.Length > 0).ToArray();
        _stateBackup = _state.Select(a => new float[a.Length]).ToArray();
        ParameterCount = parameterCount;
        Iterations = 0;
        IsBuilt = true;
    }

    /// <summary>
    /// Performs one optimization step: increments <see cref="Iterations"/>, then updates <c>parameters[r]</c> from
    /// <c>gradients[r]</c> for every range <c>r</c> in <paramref name="trainableRanges"/>. Parameters outside those ranges
    /// and their optimizer state are left exactly as they are. Allocates nothing.
    /// </summary>
    /// <param name="parameters">The model's parameter buffer, updated in place; its length must be <see cref="ParameterCount"/>.</param>
    /// <param name="gradients">The gradient of the loss with respect to each parameter; same length and offsets.</param>
    /// <param name="trainableRanges">The ranges the optimizer may change; they must not overlap.</param>
    /// <exception cref="InvalidOperationException"><see cref="Build"/> has not been called.</exception>
    /// <exception cref="ArgumentException">A buffer's length is not <see cref="ParameterCount"/>, or two ranges overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A range does not lie inside the buffers.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterRange> trainableRanges)
    {
        BeginStep(parameters, gradients, trainableRanges);
        UpdateSlice(parameters, gradients, trainableRanges, 0, ParameterCount);
    }

    /// <summary>
    /// The first half of <see cref="Step"/>: checks the arguments and counts the step. The model then calls
    /// <see cref="UpdateSlice"/> from each thread on its own slice of the buffer; every element's update is the same
    /// whichever thread runs it, so the result equals <see cref="Step"/>'s.
    /// </summary>
    internal void BeginStep(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterRange> trainableRanges)
    {
        if (!IsBuilt)
            throw new InvalidOperationException(
                $"{GetType().Name}.Step was called before Build: call Build(parameterCount) first (compiling the model does this).");
        if (parameters.Length != ParameterCount)
            throw new ArgumentException(
                $"The optimizer was built for {ParameterCount} parameters but the parameter buffer holds {parameters.Length}.",
                nameof(parameters));
        if (gradients.Length != ParameterCount)
            throw new ArgumentException(
                $"The optimizer was built for {ParameterCount} parameters but the gradient buffer holds {gradients.Length}.",
                nameof(gradients));
        ValidateRanges(trainableRanges, ParameterCount);

        // Keras increments iterations after applying the update but reads iterations + 1 inside it; incrementing first
        // lets Update read the 1-based step number directly. The schedule is read at the 0-based index, as Keras' is.
        StepLearningRate = _schedule is null ? _learningRate : _schedule.RateAt(Iterations);
        Iterations++;
    }

    /// <summary>
    /// The per-parameter state arrays (momentums, velocities, ...), at the same indices as the parameters, so a step
    /// whose update overflowed can be undone. An optimizer with such state overrides this; empty arrays are ignored.
    /// </summary>
    protected virtual IReadOnlyList<float[]> StateArrays => [];

    private float[][] _state = [], _stateBackup = [];

    /// <summary>Copies the state of parameters [<paramref name="from"/>, <paramref name="to"/>) aside before an update.</summary>
    internal void SaveState(int from, int to)
    {
        for (int i = 0; i < _state.Length; i++) _state[i].AsSpan(from, to - from).CopyTo(_stateBackup[i].AsSpan(from));
    }

    /// <summary>Puts back what <see cref="SaveState"/> copied.</summary>
    internal void RestoreState(int from, int to)
    {
        for (int i = 0; i < _state.Length; i++) _stateBackup[i].AsSpan(from, to - from).CopyTo(_state[i].AsSpan(from));
    }

    /// <summary>The per-parameter state arrays, empty ones included, in <see cref="StateArrays"/>' order (for checkpoints).</summary>
    internal IReadOnlyList<float[]> CheckpointState => StateArrays;

    /// <summary>Puts back what a checkpoint held: the fixed rate (unless scheduled), the step count and the state, already checked to fit.</summary>
    internal void RestoreCheckpoint(long iterations, float learningRate, IReadOnlyList<float[]> state)
    {
        var arrays = StateArrays;
        for (int i = 0; i < arrays.Count; i++) state[i].CopyTo(arrays[i], 0);
        if (_schedule is null) _learningRate = learningRate;
        Iterations = iterations;
    }

    /// <summary>Takes back the step <see cref="BeginStep"/> counted, when the model found the step's gradients not finite and applied nothing.</summary>
    internal void CancelStep() => Iterations--;

    private object? _owner; // the model compiled with this instance; its state belongs to that model

    /// <summary>Records <paramref name="model"/> as this instance's one model; refuses another.</summary>
    /// <exception cref="ArgumentException">The optimizer is compiled into another model.</exception>
    internal void Claim(Model model)
    {
        var owner = Interlocked.CompareExchange(ref _owner, model, null);
        if (owner is not null && !ReferenceEquals(owner, model))
            throw new ArgumentException(
                $"This {GetType().Name} is already compiled into {((Model)owner).Definition.Name}: an optimizer's state (moments, iterations) belongs to one model. Create a new {GetType().Name} for each model.",
                "optimizer");
    }

    /// <summary>Frees the instance for another model once <paramref name="model"/> compiled with a different optimizer.</summary>
    internal void Release(Model model) => Interlocked.CompareExchange(ref _owner, null, model);

    /// <summary>The second half of <see cref="Step"/>: updates the part of each trainable range inside [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal void UpdateSlice(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterRange> trainableRanges, int from, int to)
    {
        foreach (var range in trainableRanges)
        {
            int start = Math.Max(range.Start, from), end = Math.Min(range.End, to);
            if (end > start)
                Update(parameters, gradients, start, end - start);
        }
    }

    /// <summary>Allocates the per-parameter state for <paramref name="parameterCount"/> parameters, all zeros; replaces any earlier state.</summary>
    /// <param name="parameterCount">The length of the parameter buffer.</param>
    protected abstract void CreateState(int parameterCount);

    /// <summary>
    /// Applies the update rule to <c>parameters[start..(start + length)]</c>, reading the same range of
    /// <paramref name="gradients"/> and of the state. <see cref="Iterations"/> already counts this step.
    /// </summary>
    /// <param name="parameters">The whole parameter buffer.</param>
    /// <param name="gradients">The whole gradient buffer.</param>
    /// <param name="start">The first index of the range (already checked to lie inside the buffers).</param>
    /// <param name="length">The number of elements in the range (greater than 0).</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length);

    // Checked in full before anything is written, so a bad range never leaves a half-applied step behind.
    private static void ValidateRanges(ReadOnlySpan<ParameterRange> trainableRanges, int parameterCount)
    {
        for (int i = 0; i < trainableRanges.Length; i++)
        {
            var range = trainableRanges[i];
            if (range.Start < 0 || range.Length < 0 || range.Start > parameterCount - range.Length)
                throw new ArgumentOutOfRangeException(
                    nameof(trainableRanges),
                    $"Trainable range {i} (Start = {range.Start}, Length = {range.Length}) does not lie inside the {parameterCount} parameters.");
        }

        // An overlap would update the shared parameters twice per step; the range count is small (two per layer).
        for (int i = 0; i < trainableRanges.Length; i++)
        {
            for (int j = i + 1; j < trainableRanges.Length; j++)
            {
                var a = trainableRanges[i];
                var b = trainableRanges[j];
                if (a.Length > 0 && b.Length > 0 && a.Start < b.End && b.Start < a.End)
                    throw new ArgumentException(
                        $"Trainable ranges {i} (Start = {a.Start}, Length = {a.Length}) and {j} (Start = {b.Start}, Length = {b.Length}) overlap.",
                        nameof(trainableRanges));
            }
        }
    }
}
