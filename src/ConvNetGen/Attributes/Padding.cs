namespace ConvNetGen;

/// <summary>How a convolution or pooling window treats the borders (Keras' <c>padding=</c>).</summary>
public enum Padding
{
    /// <summary>No padding: the output shrinks to <c>floor((in - window) / stride) + 1</c> (Keras' default).</summary>
    Valid = 0,
    /// <summary>Zero padding so the output is <c>ceil(in / stride)</c>; extra padding goes to the bottom and right, as in Keras.</summary>
    Same = 1,
}
