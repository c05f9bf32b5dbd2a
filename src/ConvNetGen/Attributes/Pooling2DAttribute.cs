namespace ConvNetGen;

/// <summary>Base of the 2D pooling attributes: a window that slides over height and width, channel by channel.</summary>
public abstract class Pooling2DAttribute : LayerAttribute
{
    private protected Pooling2DAttribute(int poolHeight, int poolWidth)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
    }

    /// <summary>The window's height.</summary>
    public int PoolHeight { get; }
    /// <summary>The window's width.</summary>
    public int PoolWidth { get; }
    /// <summary>The stride in both directions; 0 (default) means the pool size, as in Keras.</summary>
    public int Strides { get; set; }
    /// <summary>The vertical stride; 0 means <see cref="Strides"/> (or the pool height).</summary>
    public int StrideHeight { get; set; }
    /// <summary>The horizontal stride; 0 means <see cref="Strides"/> (or the pool width).</summary>
    public int StrideWidth { get; set; }
    /// <summary>Border handling (default <see cref="ConvNetGen.Padding.Valid"/>).</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}

/// <summary>Keeps the largest value of each window. Keras' <c>layers.MaxPooling2D</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling2DAttribute : Pooling2DAttribute
{
    /// <summary>A square <paramref name="poolSize"/>×<paramref name="poolSize"/> window.</summary>
    public MaxPooling2DAttribute(int poolSize = 2) : base(poolSize, poolSize) { }
    /// <summary>A rectangular <paramref name="poolHeight"/>×<paramref name="poolWidth"/> window.</summary>
    public MaxPooling2DAttribute(int poolHeight, int poolWidth) : base(poolHeight, poolWidth) { }
}

/// <summary>Keeps the mean of each window (padding excluded from the mean, as in Keras). Keras' <c>layers.AveragePooling2D</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling2DAttribute : Pooling2DAttribute
{
    /// <summary>A square <paramref name="poolSize"/>×<paramref name="poolSize"/> window.</summary>
    public AveragePooling2DAttribute(int poolSize = 2) : base(poolSize, poolSize) { }
    /// <summary>A rectangular <paramref name="poolHeight"/>×<paramref name="poolWidth"/> window.</summary>
    public AveragePooling2DAttribute(int poolHeight, int poolWidth) : base(poolHeight, poolWidth) { }
}
