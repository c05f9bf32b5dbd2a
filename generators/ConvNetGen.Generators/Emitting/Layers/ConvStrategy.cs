using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Emitting.Layers;

/// <summary>
/// How each Conv2D runs, when not as plain im2col + GEMM, decided from the plan alone (so the choice is visible in
/// the generated code), in order of precedence:
/// <list type="number">
/// <item><see cref="Applies"/>: fused with the 2×2 max pooling after it (<c>ConvMaxPool</c>), the conv output never
/// written.</item>
/// <item><see cref="OrdersRowsByPoolWindow"/>: only the pixels a tiling max pooling reads, window by window; with a
/// 3×3 kernel and 2×2 windows, as Winograd F(2×2, 3×3) (<see cref="UsesWinograd"/>).</item>
/// <item><see cref="UsesWinogradF3"/>: Winograd F(3×3, 3×3) over an output that 3×3 tiles exactly.</item>
/// </list>
/// </summary>
internal static class ConvStrategy
{
    /// <summary>The largest window (KH·KW·IC) fused; above it im2col and the GEMM's register blocking win.</summary>
    public const int MaxTaps = 64;

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> (when not fused) computes only the pixels the MaxPooling2D
    /// after it reads, ordered window by window: the pooling's windows tile the conv output without overlap (strides
    /// equal to the window, valid padding), so the pooling reads each window's pixels as consecutive rows, and a
    /// trailing row or column no window covers (11 → 5 drops one) costs neither the forward nor the backward GEMMs.
    /// Any activation works: the pooling takes the maximum of the activated outputs, as unfused.
    /// </summary>
    public static bool OrdersRowsByPoolWindow(ModelPlan model, int convIndex)
    {
        if (convIndex + 1 >= model.Layers.Count || Applies(model, convIndex)) return false;
        var conv = model.Layers[convIndex];
        var pool = model.Layers[convIndex + 1];
        if (conv.Kind != LayerKind.Conv2D || pool.Kind != LayerKind.MaxPooling2D) return false;
        var p = pool.Spec;
        return p.Padding == PaddingKind.Valid && p.StrideHeight == p.WindowHeight && p.StrideWidth == p.WindowWidth;
    }

    /// <summary>The fewest input channels for which Winograd's transforms cost less than the multiplies they save.</summary>
    public const int MinWinogradChannels = 8;

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/>, computing pixels by pool window, runs as Winograd F(2×2, 3×3)
    /// (<c>Winograd</c> in the runtime): a 3×3 kernel, stride 1, valid padding, and 2×2 pooling windows, so each
    /// window is one Winograd output tile; 2.25× fewer multiplies in all three matrix products.
    /// </summary>
    public static bool UsesWinograd(ModelPlan model, int convIndex)
    {
        if (!OrdersRowsByPoolWindow(model, convIndex)) return false;
        var conv = model.Layers[convIndex];
        var pool = model.Layers[convIndex + 1].Spec;
        var c = conv.Spec;
        return c.WindowHeight == 3 && c.WindowWidth == 3 && c.StrideHeight == 1 && c.StrideWidth == 1
            && c.Padding == PaddingKind.Valid && conv.InputShape[2] >= MinWinogradChannels
            && pool.WindowHeight == 2 && pool.WindowWidth == 2;
    }

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> runs as Winograd F(3×3, 3×3) (<c>WinogradF3</c> in the
    /// runtime): a 3×3 kernel, stride 1, valid padding, an output whose height and width are multiples of 3 (tiled
    /// exactly, no padding computed), enough input channels, and none of the pooling-specific plans above apply.
    /// 3.24× fewer multiplies in all three matrix products.
    /// </summary>
    public static bool UsesWinogradF3(ModelPlan model, int convIndex)
    {
        var conv = model.Layers[convIndex];
        if (conv.Kind != LayerKind.Conv2D || Applies(model, convIndex) || OrdersRowsByPoolWindow(model, convIndex)) return false;
        var c = conv.Spec;
        return c.WindowHeight == 3 && c.WindowWidth == 3 && c.StrideHeight == 1 && c.StrideWidth == 1
            && c.Padding == PaddingKind.Valid && conv.InputShape[2] >= MinWinogradChannels
            && conv.OutputShape[0] % 3 == 0 && conv.OutputShape[1] % 3 == 0;
    }

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> and the MaxPooling2D after it run as one pass
    /// (<c>ConvMaxPool</c>), so the conv's output is never written: the conv has small windows (im2col plus a matrix
    /// multiply would be bound by memory, as the first layer of an image model is), valid padding, stride 1 and an
    /// activation that commutes with the maximum (ReLU or none); the pooling is 2×2 with stride 2 and valid padding;
    /// and no layer below has trainable weights, so the conv never needs an input gradient, which the pass does not compute.
    /// </summary>
    public static bool Applies(ModelPlan model, int convIndex)
    {
        if (convIndex + 1 >= model.Layers.Count) return false;
        var conv = model.Layers[convIndex];
        var pool = model.Layers[convIndex + 1];
        if (conv.Kind != LayerKind.Conv2D || pool.Kind != LayerKind.MaxPooling2D) return false;
        var c = conv.Spec;
        var p = pool.Spec;
        bool convFits = c.Padding == PaddingKind.Valid && c.StrideHeight == 1 && c.StrideWidth == 1
            && (c.Activation == ActivationKind.ReLU || c.Activation == ActivationKind.Linear)
            && c.WindowHeight * c.WindowWidth * conv.InputShape[2] <= MaxTaps;
        bool poolFits = p.Padding == PaddingKind.Valid && p.WindowHeight == 2 && p.WindowWidth == 2
            && p.StrideHeight == 2 && p.StrideWidth == 2;
        if (!convFits || !poolFits) return false;
        for (int i = 0; i < convIndex; i++)
            if (model.Layers[i].TrainableVariableCount > 0) return false;
        return true;
    }
}
