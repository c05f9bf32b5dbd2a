namespace ConvNetGen;

/// <summary>Which way a monitored value improves (Keras' <c>mode</c>: "auto", "min", "max").</summary>
/// <remarks>A plain value, so thread-safe.</remarks>
public enum MonitorMode
{
    /// <summary>Inferred from the name: losses and errors fall, accuracies and other scores rise.</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}
