using System.Collections.Generic;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Which layers a Conv2D folds in at inference (<see cref="LayerStrategy.Fold"/>), decided once from the graph: a
/// Conv2D without an activation whose only reader is a BatchNormalization (at inference a per-filter scale and shift:
/// ResNet's conv → BatchNormalization → ReLU) takes it into its kernel and bias, and the ReLU after it, when that is the
/// BatchNormalization's only reader, into its store. The conv must write plain NHWC (not fused with a pooling, not in
/// pooling order). The layers folded away keep their training forward and backward; at inference they do nothing,
/// and the conv writes the last one's output. Likewise a two-input Add read only by a ReLU applies it as it stores
/// (ResNet's shortcut sums), and an F(4×4) or pool-ordered F(2×2) Winograd conv (ReLU or no activation, Winograd at every
/// inference batch) read only by a 2×2, stride-2 max pooling pools its tiles as they leave the output transform (VGG's
/// conv → pool, the reference model's conv2d_1 → max_pooling2d_1): the
/// conv's output, four times the pooling's, is never stored, and the pooling's pass goes.
/// And a valid MaxPooling2D whose input is a ReLU's, zero-padded, reads it unpadded (an imported network's pooling with pads).
/// </summary>
internal static class FoldPlanning
{
    public static EquatableArray<LayerPlan> Decide(IReadOnlyList<LayerPlan> layers)
    {
        var decided = new LayerPlan[layers.Count];
        for (int i = 0; i < layers.Count; i++) decided[i] = layers[i];
        for (int i = 0; i < layers.Count; i++)
        {
            if (Fold(layers, i) is not { } fold) continue;
            decided[i] = decided[i] with { Strategy = decided[i].Strategy with { Fold = fold } };
            foreach (int folded in new[] { fold.BatchNormalization, fold.Activation, fold.Pool, fold.Padding })
                if (folded >= 0) decided[folded] = decided[folded] with { Strategy = decided[folded].Strategy with { FoldedInto = i } };
        }
        return decided.ToEquatableArray();
    }

    private static InferenceFold? Fold(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        var conv = layers[convIndex];
        if (conv.Kind == LayerKind.Add && conv.IsLive && conv.Inputs.Count == 2 && Relu(layers, convIndex) is { } relu)
            return new InferenceFold(-1, relu, relu); // ResNet's shortcut sum and the ReLU after it
        if (PooledByTransform(layers, convIndex) is { } pool) return new InferenceFold(-1, -1, pool, pool);
        if (PaddingBeforeMaxPooling(layers, convIndex) is { } padding) return new InferenceFold(-1, -1, convIndex, Padding: padding);
        if (conv.Kind != LayerKind.Conv2D || !conv.IsLive || conv.Spec.Activation != ActivationKind.Linear) return null;
        if (conv.Strategy.Conv is not (ConvAlgorithm.Im2colGemm or ConvAlgorithm.WinogradF3 or ConvAlgorithm.WinogradF4)) return null;
        if (GraphPlanning.SoleConsumer(layers, convIndex) is not { Kind: LayerKind.BatchNormalization } bn) return null;
        int activation = Relu(layers, bn.Index) ?? -1;
        return new InferenceFold(bn.Index, activation, activation >= 0 ? activation : bn.Index);
    }

    /// <summary>
    /// The 2×2, stride-2 MaxPooling2D a Winograd conv pools into at inference, if it qualifies: its tiles then hold
    /// whole windows — F(4×4) tiles the output exactly, so windows never straddle tiles; a pool-ordered F(2×2) conv's
    /// tile is one window (the planning chose it for such a pooling) — and inference takes Winograd at every batch (a
    /// batch below <see cref="WinogradTiling.InferenceMinBatch"/> would run the direct conv, which does not pool).
    /// </summary>
    private static int? PooledByTransform(IReadOnlyList<LayerPlan> layers, int convIndex)
    {
        var conv = layers[convIndex];
        if (conv.Kind != LayerKind.Conv2D || !conv.IsLive || conv.Strategy.Conv is not (ConvAlgorithm.WinogradF4 or ConvAlgorithm.WinogradF2PoolOrdered)) return null;
        if (conv.Spec.Activation is not (ActivationKind.Linear or ActivationKind.ReLU) || conv.Strategy.Winograd is not { InferenceMinBatch: <= 1 }) return null;
        if (ConvPlanning.Pool(layers, convIndex) is not { IsLive: true } pool) return null;
        var p = pool.Spec.Args<Pooling2DArguments>().Window;
        bool fits = p.Height == 2 && p.Width == 2 && p.StrideHeight == 2 && p.StrideWidth == 2 && p.Padding == PaddingKind.Valid;
        return fits ? pool.Index : null;
    }

    /// <summary>
    /// The ZeroPadding2D a valid MaxPooling2D folds in at inference, if it qualifies: the padding's only reader is the
    /// pooling and its input is a ReLU's (an imported network's max pooling with pads, as ResNet18's after its stem),
    /// and every window covers at least one pixel of that input. The input is never negative, so a window's maximum
    /// over the image is at least the zeros around it: the pooling reads the unpadded input with the border as padding
    /// (<c>MaxPoolWindows</c> never takes padding), and the padded copy — ResNet18's 3.3 MB, 570 µs of a single
    /// image's 25 ms on two threads — is never made.
    /// </summary>
    private static int? PaddingBeforeMaxPooling(IReadOnlyList<LayerPlan> layers, int poolIndex)
    {
        var pool = layers[poolIndex];
        if (pool.Kind != LayerKind.MaxPooling2D || !pool.IsLive || pool.Inputs.Count != 1 || pool.Inputs[0] < 0 || pool.Spec.Args<Pooling2DArguments>().Window.Padding != PaddingKind.Valid) return null;
        var pad = layers[pool.Inputs[0]];
        if (pad.Kind != LayerKind.ZeroPadding2D || !pad.IsLive || pad.Inputs.Count != 1 || pad.Inputs[0] < 0 || GraphPlanning.SoleConsumer(layers, pad.Index) is not { } reader || reader.Index != poolIndex) return null;
        var source = layers[pad.Inputs[0]];
        bool nonNegative = source.Kind == LayerKind.Activation && source.Spec.Activation == ActivationKind.ReLU
            || source.Kind is LayerKind.Conv2D or LayerKind.Dense && source.Spec.Activation == ActivationKind.ReLU;
        if (!nonNegative) return null;
        if (pool.OutputShape.Count != 3 || pad.InputShapes.Count != 1 || pad.InputShape.Count != 3) return null; // shapes not inferred: the model has errors
        var a = pad.Spec.Args<ZeroPadding2DArguments>();
        var w = pool.Spec.Args<Pooling2DArguments>().Window;
        int imageHeight = pad.InputShape[0], imageWidth = pad.InputShape[1];
        bool covered = a.Top < w.Height && a.Left < w.Width
            && (pool.OutputShape[0] - 1) * w.StrideHeight - a.Top < imageHeight && (pool.OutputShape[1] - 1) * w.StrideWidth - a.Left < imageWidth;
        return covered ? pad.Index : null;
    }

    /// <summary>The ReLU layer that is <paramref name="index"/>'s only reader, if it has one.</summary>
    private static int? Relu(IReadOnlyList<LayerPlan> layers, int index) =>
        GraphPlanning.SoleConsumer(layers, index) is { Kind: LayerKind.Activation } act && act.Spec.Activation == ActivationKind.ReLU ? act.Index : null;
}
