namespace ConvNetGen.Kernels;

/// <summary>The Winograd transforms the runtime has, for the convs that keep a transformed kernel between calls.</summary>
public enum WinogradFlavour
{
    /// <summary>F(2×2, 3×3), <see cref="Winograd"/>: 16 positions.</summary>
    F2x2,

    /// <summary>F(3×3, 3×3), <see cref="WinogradF3"/>: 25 positions.</summary>
    F3x3,

    /// <summary>F(4×4, 3×3), <see cref="WinogradF4"/>: 36 positions.</summary>
    F4x4,
}

/// <summary>What a flavour's transformed kernel is: its positions and the transform that writes it.</summary>
internal static class WinogradFlavours
{
    public static int Positions(this WinogradFlavour flavour) => flavour switch
    {
        WinogradFlavour.F2x2 => Winograd.Positions,
        WinogradFlavour.F3x3 => WinogradF3.Positions,
        _ => WinogradF4.Positions,
    };

    /// <summary>The length of a transformed kernel: one IC × OC matrix (and its padding) per position.</summary>
    public static int TransformedLength(this WinogradFlavour flavour, int inputChannels, int filters) =>
        checked(flavour.Positions() * Winograd.Plane(inputChannels, filters));

    public static void TransformKernel(this WinogradFlavour flavour, ReadOnlySpan<float> kernel, Span<float> transformed, int inputChannels, int filters)
    {
        switch (flavour)
        {
            case WinogradFlavour.F2x2: Winograd.TransformKernel(kernel, transformed, inputChannels, filters); break;
            case WinogradFlavour.F3x3: WinogradF3.TransformKernel(kernel, transformed, inputChannels, filters); break;
            default: WinogradF4.TransformKernel(kernel, transformed, inputChannels, filters); break;
        }
    }
}
