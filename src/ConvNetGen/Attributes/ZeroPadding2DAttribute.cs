namespace ConvNetGen;

/// <summary>
/// Adds rows and columns of zeros around a (height, width, channels) input. Keras' <c>layers.ZeroPadding2D</c>;
/// before a valid conv or pooling it gives PyTorch's symmetric padding (what Keras' own ResNet does).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ZeroPadding2DAttribute : LayerAttribute
{
    /// <summary><paramref name="padding"/> rows above and below, and as many columns left and right (Keras' default 1).</summary>
    public ZeroPadding2DAttribute(int padding = 1) : this(padding, padding, padding, padding) { }

    /// <summary><paramref name="height"/> rows above and below, <paramref name="width"/> columns left and right.</summary>
    public ZeroPadding2DAttribute(int height, int width) : this(height, height, width, width) { }

    /// <summary>Each side on its own, as Keras' <c>((top, bottom), (left, right))</c>.</summary>
    public ZeroPadding2DAttribute(int top, int bottom, int left, int right)
    {
        Top = top;
        Bottom = bottom;
        Left = left;
        Right = right;
    }

    /// <summary>Rows of zeros above.</summary>
    public int Top { get; }
    /// <summary>Rows of zeros below.</summary>
    public int Bottom { get; }
    /// <summary>Columns of zeros on the left.</summary>
    public int Left { get; }
    /// <summary>Columns of zeros on the right.</summary>
    public int Right { get; }
}
