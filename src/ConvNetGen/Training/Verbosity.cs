namespace ConvNetGen;

/// <summary>How <c>Fit</c> reports progress (Keras' <c>verbose=</c>).</summary>
public enum Verbosity
{
    /// <summary>A live progress bar on a terminal; one line per epoch when output is redirected (Keras' "auto").</summary>
    Auto,
    /// <summary>Nothing.</summary>
    Silent,
    /// <summary>A live progress bar, redrawn in place.</summary>
    ProgressBar,
    /// <summary>One line per epoch.</summary>
    OneLinePerEpoch,
}
