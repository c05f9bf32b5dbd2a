namespace ConvNetGen;

/// <summary>
/// A layer's settings as the generator read and resolved them (Keras' <c>get_config()</c>, the parts shapes and
/// weights do not already tell): its window, strides and padding, including the zeros Same padding or ZeroPadding2D
/// adds on each side; BatchNormalization's momentum and epsilon; Dropout's rate; Rescaling's scale and offset. What
/// exporters and configuration checks read; a setting a kind does not have keeps its default.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed record LayerConfig
{
    /// <summary>The settings of a kind that has none (Flatten, Add, …).</summary>
    public static LayerConfig None { get; } = new();

    /// <summary>The kernel's (Conv2D) or pool's (pooling) height; 0 for other kinds.</summary>
    public int WindowHeight { get; init; }
    /// <summary>The kernel's or pool's width; 0 for other kinds.</summary>
    public int WindowWidth { get; init; }
    /// <summary>The vertical stride (1 for kinds without a window).</summary>
    public int StrideHeight { get; init; } = 1;
    /// <summary>The horizontal stride.</summary>
    public int StrideWidth { get; init; } = 1;
    /// <summary>The padding mode written on a Conv2D or pooling.</summary>
    public Padding Padding { get; init; } = Padding.Valid;
    /// <summary>Rows of zeros added above the input (Same padding's share, or ZeroPadding2D's).</summary>
    public int PadTop { get; init; }
    /// <summary>Rows of zeros added below.</summary>
    public int PadBottom { get; init; }
    /// <summary>Columns of zeros added on the left.</summary>
    public int PadLeft { get; init; }
    /// <summary>Columns of zeros added on the right.</summary>
    public int PadRight { get; init; }
    /// <summary>BatchNormalization's momentum (Keras' convention: the moving statistics' decay).</summary>
    public double Momentum { get; init; }
    /// <summary>BatchNormalization's epsilon.</summary>
    public double Epsilon { get; init; }
    /// <summary>Dropout's rate.</summary>
    public double Rate { get; init; }
    /// <summary>Rescaling's factor.</summary>
    public double Scale { get; init; } = 1;
    /// <summary>Rescaling's offset.</summary>
    public double Offset { get; init; }
}
