namespace ConvNetGen.Generators.Model;

/// <summary>How a Conv2D runs (see <c>ConvPlanning</c>, which decides it once per model).</summary>
internal enum ConvAlgorithm
{
    /// <summary>im2col + one GEMM over every output pixel.</summary>
    Im2colGemm,

    /// <summary>One pass with the 2×2 max pooling after it (<c>ConvMaxPool</c>): the conv output is never written.</summary>
    FusedWithMaxPool,

    /// <summary>im2col + GEMM over only the pixels the tiling max pooling after it reads, window by window.</summary>
    PoolOrderedRows,

    /// <summary>Winograd F(2×2, 3×3), one output tile per 2×2 pooling window, rows ordered window by window.</summary>
    WinogradF2PoolOrdered,

    /// <summary>Winograd F(3×3, 3×3) over an NHWC output (the last row and column of tiles may overhang it).</summary>
    WinogradF3,

    /// <summary>Winograd F(4×4, 3×3) over an NHWC output that 4×4 tiles exactly.</summary>
    WinogradF4,
}

/// <summary>What a MaxPooling2D reads, which the Conv2D before it decides.</summary>
internal enum MaxPoolingInput
{
    /// <summary>The previous layer's NHWC output, window by window through its loops.</summary>
    Image,

    /// <summary>Nothing: the Conv2D before it computes the pooling too (<see cref="ConvAlgorithm.FusedWithMaxPool"/>).</summary>
    ComputedByConv,

    /// <summary>The Conv2D's rows, ordered window by window (<see cref="ConvAlgorithm.PoolOrderedRows"/> or Winograd F(2×2, 3×3)).</summary>
    PoolOrderedRows,
}

/// <summary>
/// A Winograd conv's numbers: the flavour's transform positions and output tile, the tiles one sample takes, the
/// tiles per block (so a block's transformed input and products stay in L2), and the smallest batch that runs it in
/// training and at inference (which transforms no kernel per pass, so may start lower).
/// </summary>
internal sealed record WinogradTiling(int Positions, int OutputTile, int TilesPerSample, int BlockTiles, int MinBatch, int InferenceMinBatch);

/// <summary>
/// How one layer runs, decided in the Shapes stage so the emitters only write it: a Conv2D's algorithm (and its
/// Winograd numbers), and what a MaxPooling2D reads. Layers of other kinds keep <see cref="Plain"/>.
/// </summary>
internal sealed record LayerStrategy(ConvAlgorithm Conv, MaxPoolingInput PoolingInput, WinogradTiling? Winograd = null)
{
    public static readonly LayerStrategy Plain = new(ConvAlgorithm.Im2colGemm, MaxPoolingInput.Image);

    /// <summary>At inference this Conv2D (or Add) also computes the layers after it that <see cref="InferenceFold"/> names (<c>FoldPlanning</c>).</summary>
    public InferenceFold? Fold { get; init; }

    /// <summary>At inference this layer's forward is done by the Conv2D (or Add) at this index, which folds it in; -1: it runs itself.</summary>
    public int FoldedInto { get; init; } = -1;
}

/// <summary>
/// What a Conv2D computes at inference beyond itself: the BatchNormalization after it (moving statistics are
/// constants there, so it is a per-filter scale and shift of the conv: folded into the kernel and the bias) and, when
/// that is read only by a ReLU, the ReLU too (applied as results leave the registers). The conv writes the output of
/// <see cref="Writes"/> (the last layer folded); the folded layers' own forwards do nothing there. Training runs them all.
/// </summary>
/// <param name="BatchNormalization">The folded BatchNormalization, or -1 (an Add folds only the ReLU after it).</param>
/// <param name="Activation">The folded Activation layer, or -1.</param>
/// <param name="Pool">
/// The folded MaxPooling2D, or -1: an F(4×4) or pool-ordered F(2×2) Winograd conv read only by a 2×2, stride-2 max
/// pooling pools each output tile as it leaves the transform (<c>WinogradF4.TransformOutputPooled</c>,
/// <c>Winograd.TransformOutputPooled</c>) and writes the pooling's output.
/// </param>
/// <param name="Padding">
/// The folded ZeroPadding2D, or -1: a MaxPooling2D whose input is a ReLU's, zero-padded, reads that input unpadded
/// with the border as padding (the zeros never win a window that covers the image).
/// </param>
internal sealed record InferenceFold(int BatchNormalization, int Activation, int Writes, int Pool = -1, int Padding = -1);
