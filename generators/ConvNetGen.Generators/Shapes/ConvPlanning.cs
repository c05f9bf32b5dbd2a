using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// How each Conv2D runs, when not as plain im2col + GEMM, decided once from the shapes alone and recorded on the plan
/// (<see cref="LayerPlan.Strategy"/>, so the choice is visible in the generated code and the emitters only write it),
/// in order of precedence:
/// <list type="number">
/// <item><see cref="FusesWithMaxPool"/>: fused with the 2×2 max pooling after it (<c>ConvMaxPool</c>), the conv
/// output never written.</item>
/// <item><see cref="UsesWinogradF4"/>: Winograd F(4×4, 3×3) over an output that 4×4 tiles exactly.</item>
/// <item><see cref="OrdersRowsByPoolWindow"/>: only the pixels a tiling max pooling reads, window by window; with a
/// 3×3 kernel and 2×2 windows, as Winograd F(2×2, 3×3) (<see cref="UsesWinograd"/>).</item>
/// <item><see cref="UsesWinogradF3"/>: Winograd F(3×3, 3×3) over an output its 3×3 tiles cover with little waste.</item>
/// </list>
/// </summary>
internal static class ConvPlanning
{
    /// <summary>The layers with their strategies: each Conv2D's algorithm, and what the MaxPooling2D after it reads.</summary>
    public static EquatableArray<LayerPlan> Decide(IReadOnlyList<LayerPlan> layers)
    {
        var decided = new LayerPlan[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var algorithm = Algorithm(layers, i);
            int producer = layers[i].Inputs[0];
            var pooling = producer >= 0 && layers[i].Kind == LayerKind.MaxPooling2D && Pool(layers, producer) == layers[i]
                ? PoolingInput(Algorithm(layers, producer)) : MaxPoolingInput.Image;
            var tiling = algorithm is ConvAlgorithm.WinogradF2PoolOrdered or ConvAlgorithm.WinogradF3 or ConvAlgorithm.WinogradF4 ? Tiling(layers, i, algorithm) : null;
            decided[i] = layers[i] with { Strategy = new LayerStrategy(algorithm, pooling, tiling) };
        }
        return decided.ToEquatableArray();
    }

    private static ConvAlgorithm Algorithm(IReadOnlyList<LayerPlan> layers, int i) =>
        FusesWithMaxPool(layers, i) ? ConvAlgorithm.FusedWithMaxPool
        : UsesWinogradF4(layers, i) ? ConvAlgorithm.WinogradF4
        : UsesWinograd(layers, i) ? ConvAlgorithm.WinogradF2PoolOrdered
        : OrdersRowsByPoolWindow(layers, i) ? ConvAlgorithm.PoolOrderedRows
        : UsesWinogradF3(layers, i) ? ConvAlgorithm.WinogradF3
        : ConvAlgorithm.Im2colGemm;

    private static MaxPoolingInput PoolingInput(ConvAlgorithm previous) => previous switch
    {
        ConvAlgorithm.FusedWithMaxPool => MaxPoolingInput.ComputedByConv,
        ConvAlgorithm.PoolOrderedRows or ConvAlgorithm.WinogradF2PoolOrdered => MaxPoolingInput.PoolOrderedRows,
        _ => MaxPoolingInput.Image,
    };

    /// <summary>The largest window (KH·KW·IC) fused; above it im2col and the GEMM's register blocking win.</summary>
    public const int MaxTaps = 64;

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> (when not fused) computes only the pixels the MaxPooling2D
    /// after it reads, ordered window by window: the pooling's windows tile the conv output without overlap (strides
    /// equal to the window, valid padding), so the pooling reads each window's pixels as consecutive rows, and a
    /// trailing row or column no window covers (11 → 5 drops one) costs neither the forward nor the backward GEMMs.
    /// Any activation works: the pooling takes the maximum of the activated outputs, as unfused.
    /// </summary>
    public static bool OrdersRowsByPoolWindow(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        if (FusesWithMaxPool(layers, convIndex) || Pool(layers, convIndex) is not { } pool) return false;
        var p = PoolWindow(pool);
        return p.Padding == PaddingKind.Valid && p.StrideHeight == p.Height && p.StrideWidth == p.Width;
    }

    /// <summary>
    /// The MaxPooling2D a Conv2D's plans may shape, when the conv's only reader is one (reading it once): the conv's
    /// output is then the pooling's alone, and may be written in its order, or not at all.
    /// </summary>
    public static LayerPlan? Pool(IReadOnlyList<LayerPlan> layers, int convIndex) =>
        layers[convIndex].Kind == LayerKind.Conv2D && GraphPlanning.SoleConsumer(layers, convIndex) is { Kind: LayerKind.MaxPooling2D } pool ? pool : null;

    private static Window ConvWindow(LayerPlan conv) => conv.Spec.Args<Conv2DArguments>().Window;

    private static Window PoolWindow(LayerPlan pool) => pool.Spec.Args<Pooling2DArguments>().Window;

    /// <summary>The fewest input channels for which Winograd's transforms cost less than the multiplies they save.</summary>
    public const int MinWinogradChannels = 8;

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/>, computing pixels by pool window, runs as Winograd F(2×2, 3×3)
    /// (<c>Winograd</c> in the runtime): a 3×3 kernel, stride 1, valid or same padding, and 2×2 pooling windows, so each
    /// window is one Winograd output tile; 2.25× fewer multiplies in all three matrix products.
    /// </summary>
    public static bool UsesWinograd(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        if (!OrdersRowsByPoolWindow(layers, convIndex) || UsesWinogradF4(layers, convIndex)) return false;
        var conv = layers[convIndex];
        var pool = PoolWindow(Pool(layers, convIndex)!);
        var c = ConvWindow(conv);
        return ThreeByThree(conv) && pool.Height == 2 && pool.Width == 2;
    }

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> runs as Winograd F(3×3, 3×3) (<c>WinogradF3</c> in the
    /// runtime): a 3×3 kernel, stride 1, valid or same padding, enough input channels, none of the pooling-specific
    /// plans above, and an output its 3×3 tiles cover without much waste. Tiled exactly (3, 6, 9 …) it needs 3.24×
    /// fewer multiplies than a direct conv; otherwise the last row and column of tiles overhang the output and
    /// compute pixels it does not have: 32×32 keeps 3.06×, 16×16 and 8×8 2.56×, but 4×4 only 1.44×, which the
    /// transforms eat, so at least <see cref="MinWinogradF3Saving"/>× is required.
    /// </summary>
    public static bool UsesWinogradF3(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        var conv = layers[convIndex];
        if (conv.Kind != LayerKind.Conv2D || FusesWithMaxPool(layers, convIndex) || UsesWinogradF4(layers, convIndex) || OrdersRowsByPoolWindow(layers, convIndex)) return false;
        if (!ThreeByThree(conv)) return false;
        int oh = conv.OutputShape[0], ow = conv.OutputShape[1], tiles = (oh + 2) / 3 * ((ow + 2) / 3);
        return 9.0 * oh * ow / (25.0 * tiles) >= MinWinogradF3Saving;
    }

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> runs as Winograd F(4×4, 3×3) (<c>WinogradF4</c> in the
    /// runtime): a 3×3 kernel, stride 1, valid or same padding, enough input channels, not fused with the pooling after
    /// it, and an output 4×4 tiles exactly (4, 8, 16, 32, 56 …): 4× fewer multiplies than a direct conv, against
    /// F(2×2)'s 2.25× and F(3×3)'s 3.24× at best. It comes before the pooling-ordered plans: a 2×2 pooling after it
    /// reads its plain NHWC output. Where the tiles would overhang (7×7, 14×14) F(3×3) or the direct path stay, as
    /// there the 36-position kernel, four times a direct one's size, would be read for too few tiles.
    /// </summary>
    public static bool UsesWinogradF4(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        var conv = layers[convIndex];
        if (conv.Kind != LayerKind.Conv2D || FusesWithMaxPool(layers, convIndex) || !ThreeByThree(conv)) return false;
        return conv.OutputShape[0] % 4 == 0 && conv.OutputShape[1] % 4 == 0;
    }

    /// <summary>The fewest times fewer multiplies F(3×3, 3×3) must need, counting the pixels its overhanging tiles waste.</summary>
    public const double MinWinogradF3Saving = 2.0;

    /// <summary>
    /// A conv either Winograd flavour computes: a 3×3 kernel at stride 1, valid or same padding (same pads one pixel
    /// each side, which the runtime's tiles read as zeros), and enough input channels to repay the transforms.
    /// </summary>
    private static bool ThreeByThree(LayerPlan conv)
    {
        var c = ConvWindow(conv);
        return c.Height == 3 && c.Width == 3 && c.StrideHeight == 1 && c.StrideWidth == 1
            && (c.Padding == PaddingKind.Valid || c.Padding == PaddingKind.Same) && conv.InputShape[2] >= MinWinogradChannels;
    }

    /// <summary>
    /// Whether the Conv2D at <paramref name="convIndex"/> and the MaxPooling2D after it run as one pass
    /// (<c>ConvMaxPool</c>), so the conv's output is never written: the conv has small windows (im2col plus a matrix
    /// multiply would be bound by memory, as the first layer of an image model is), valid padding, stride 1 and an
    /// activation that commutes with the maximum (ReLU or none); the pooling is 2×2 with stride 2 and valid padding;
    /// and no layer it depends on has trainable weights, so the conv never needs an input gradient, which the pass does not compute.
    /// </summary>
    public static bool FusesWithMaxPool(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        if (Pool(layers, convIndex) is not { } pool) return false;
        var conv = layers[convIndex];
        var c = ConvWindow(conv);
        var p = PoolWindow(pool);
        var activation = conv.Spec.Activation;
        bool convFits = c.Padding == PaddingKind.Valid && c.StrideHeight == 1 && c.StrideWidth == 1
            && (activation == ActivationKind.ReLU || activation == ActivationKind.Linear)
            && c.Height * c.Width * conv.InputShape[2] <= MaxTaps;
        bool poolFits = p.Padding == PaddingKind.Valid && p.Height == 2 && p.Width == 2
            && p.StrideHeight == 2 && p.StrideWidth == 2;
        if (!convFits || !poolFits) return false;
        return !GraphPlanning.Ancestors(layers, convIndex).Any(i => layers[i].TrainableVariableCount > 0);
    }

    /// <summary>
    /// A Winograd conv's numbers. F(2×2, 3×3): 16 positions, one tile per window of the pooling after it;
    /// F(3×3, 3×3): 25 positions, one tile per 3×3 block of the output; F(4×4, 3×3): 36, one per 4×4 block.
    /// </summary>
    private static WinogradTiling Tiling(IReadOnlyList<LayerPlan> layers, int convIndex, ConvAlgorithm algorithm)
    {
        var conv = layers[convIndex];
        bool pooled = algorithm == ConvAlgorithm.WinogradF2PoolOrdered;
        int outputTile = pooled ? 2 : algorithm == ConvAlgorithm.WinogradF4 ? 4 : 3, positions = (outputTile + 2) * (outputTile + 2);
        int tilesPerSample = pooled
            ? Pool(layers, convIndex)!.OutputShape[0] * Pool(layers, convIndex)!.OutputShape[1]
            : (conv.OutputShape[0] + outputTile - 1) / outputTile * ((conv.OutputShape[1] + outputTile - 1) / outputTile);
        int channels = conv.InputShape[2] + conv.OutputShape[2];
        int minBatch = MinBatch(positions, outputTile, tilesPerSample);
        return new WinogradTiling(positions, outputTile, tilesPerSample, BlockTiles(positions, channels), minBatch,
            System.Math.Min(minBatch, (MinInferenceTiles + tilesPerSample - 1) / tilesPerSample));
    }

    /// <summary>
    /// The fewest tiles for which inference runs Winograd below <see cref="MinBatch"/>: it transforms no kernel (the
    /// model keeps the transformed one), so only the position products matter, and they beat the direct conv's from
    /// one tile on (measured at batch 1: CIFAR's 8×8 convs, four F(4×4) tiles a sample, 38 and 56 µs against 55 and
    /// 66; the reference model's conv2d_2, one F(3×3) tile, 11.5 against 12.3 µs on one Zen 4 core, and 7.1 against
    /// 9.1 on two, where each thread streams half of the transformed kernel from its own L2).
    /// </summary>
    public const int MinInferenceTiles = 1;

    /// <summary>
    /// Tiles per block: the block's transformed input and products (positions × tiles × (IC + OC) floats) stay within
    /// three quarters of a core's L2 (1 MB here); a multiple of 6, the GEMM micro-kernel's rows, at most 96.
    /// conv2d_1: 96; conv2d_2: 36 (measured: 32 tiles in one block beat 24 + 8).
    /// </summary>
    private static int BlockTiles(int positions, int channels)
    {
        int tiles = 768 * 1024 / (4 * positions * channels);
        return System.Math.Max(6, System.Math.Min(96, tiles / 6 * 6));
    }

    /// <summary>
    /// The smallest batch for which Winograd beats im2col + GEMM: each pass transforms the kernel first (positions ×
    /// IC × OC values, about 20 multiply-adds' worth each, measured), which each tile repays by the multiplies it
    /// saves (9·m² − positions per input channel and filter, m² outputs per tile). conv2d_1 (25 tiles a sample): 1;
    /// conv2d_2 (1 tile a sample): 9, so batch-1 prediction keeps the direct path.
    /// </summary>
    private static int MinBatch(int positions, int outputTile, int tilesPerSample)
    {
        int saved = 9 * outputTile * outputTile - positions;
        int minTiles = (20 * positions + saved - 1) / saved;
        return System.Math.Max(1, (minTiles + tilesPerSample - 1) / tilesPerSample);
    }
}
