namespace ConvNetGen;

/// <summary>
/// The improvement test Keras' monitoring callbacks share (<c>MonitorCallback</c>): a value improves on a reference
/// when it beats it by more than <c>min_delta</c> in the monitored direction; nothing to compare with is an improvement.
/// </summary>
internal sealed class MonitoredValue
{
    public MonitoredValue(string monitor, MonitorMode mode, float minDelta, string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{owner}: mode must be Auto, Min or Max.");
        if (!float.IsFinite(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, $"{owner}: minDelta must be finite.");
        Name = monitor;
        Mode = mode;
        MinDelta = Math.Abs(minDelta);
        Owner = owner;
    }

    public string Name { get; }
    public MonitorMode Mode { get; }
    public float MinDelta { get; }
    private string Owner { get; }

    /// <summary>Whether larger values are better, with Auto resolved from the name as Keras does for its metrics.</summary>
    public bool Maximize => Mode switch
    {
        MonitorMode.Max => true,
        MonitorMode.Min => false,
        _ => InferMaximize(),
    };

    private bool InferMaximize()
    {
        string name = Name.StartsWith("val_", StringComparison.Ordinal) ? Name[4..] : Name;
        // Keras' metrics carry a direction; ours are named after them, so the name tells it.
        if (name == "loss" || name.EndsWith("_loss", StringComparison.Ordinal) || name.Contains("error", StringComparison.Ordinal)
            || name is "mse" or "mae" or "learning_rate")
            return false;
        if (name.Contains("accuracy", StringComparison.Ordinal) || name is "acc" or "auc" or "precision" or "recall" or "f1_score")
            return true;
        throw new InvalidOperationException(
            $"{Owner} monitors '{Name}', but cannot tell whether it should rise or fall; pass mode: MonitorMode.Max or MonitorMode.Min.");
    }

    /// <summary>Keras' <c>_is_improvement</c>: <c>current - min_delta &lt; reference</c> (min) or <c>current + min_delta &gt; reference</c> (max).</summary>
    public bool IsImprovement(float current, float? reference)
    {
        if (reference is not float r) return true;
        return Maximize ? current - MinDelta > r : current + MinDelta < r;
    }

    /// <summary>The monitored value in <paramref name="logs"/>, or null (Keras warns and skips the epoch).</summary>
    public float? Read(TrainingLogs logs) => logs.TryGetValue(Name, out float value) ? value : null;
}
