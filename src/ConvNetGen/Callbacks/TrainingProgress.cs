namespace ConvNetGen;

/// <summary>
/// What <c>Fit</c> reports to an <see cref="IProgress{T}"/> after each training step, for a UI: the epoch (0-based)
/// of <see cref="Epochs"/>, the step (1-based) of <see cref="Steps"/> in that epoch, and the epoch's running logs.
/// </summary>
/// <remarks>Immutable: safe to hand to another thread (<see cref="Progress{T}"/> posts it to the UI's context).</remarks>
/// <param name="Epoch">The epoch being trained, 0-based.</param>
/// <param name="Epochs">The epoch Fit ends before (its <c>epochs</c> argument).</param>
/// <param name="Step">Steps done in this epoch, 1-based.</param>
/// <param name="Steps">Steps in this epoch.</param>
/// <param name="Logs">The epoch's running loss and metrics.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, TrainingLogs Logs);
