namespace ConvNetGen;

/// <summary>How <see cref="F1Score"/> combines its per-class scores (Keras' <c>average</c> argument).</summary>
public enum F1Average
{
    /// <summary>No averaging (Keras' <c>None</c>, the default): one score per class.</summary>
    None,

    /// <summary>Pool every class's true and false positives and negatives, then one score (<c>"micro"</c>).</summary>
    Micro,

    /// <summary>The unweighted mean of the per-class scores (<c>"macro"</c>).</summary>
    Macro,

    /// <summary>The mean of the per-class scores weighted by each class's number of positive targets (<c>"weighted"</c>).</summary>
    Weighted,
}
