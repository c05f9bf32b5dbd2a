namespace ConvNetGen;

/// <summary>
/// A 2D convolution over a (height, width, channels) input, with a kernel of shape
/// (kernelHeight, kernelWidth, inputChannels, filters) and one bias per filter. Keras' <c>layers.Conv2D</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>A convolution with a square <paramref name="kernelSize"/>×<paramref name="kernelSize"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelSize) : this(filters, kernelSize, kernelSize) { }

    /// <summary>A convolution with a rectangular <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }
    /// <summary>The kernel's height.</summary>
    public int KernelHeight { get; }
    /// <summary>The kernel's width.</summary>
    public int KernelWidth { get; }

    /// <summary>The stride in both directions (default 1). <see cref="StrideHeight"/> and <see cref="StrideWidth"/> override it per axis.</summary>
    public int Strides { get; set; } = 1;
    /// <summary>The vertical stride; 0 means <see cref="Strides"/>.</summary>
    public int StrideHeight { get; set; }
    /// <summary>The horizontal stride; 0 means <see cref="Strides"/>.</summary>
    public int StrideWidth { get; set; }
    /// <summary>Border handling (default <see cref="ConvNetGen.Padding.Valid"/>).</summary>
    public Padding Padding { get; set; } = Padding.Valid;
    /// <summary>The activation fused into the convolution (default <see cref="ConvNetGen.Activation.Linear"/>).</summary>
    public Activation Activation { get; set; } = Activation.Linear;
    /// <summary>Whether the layer adds a bias per filter (default true).</summary>
    public bool UseBias { get; set; } = true;
}
