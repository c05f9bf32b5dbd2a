using System.ComponentModel;
using ConvNetGen.Kernels;

namespace ConvNetGen;

// Inference reuses what it derives from the weights (a Winograd conv's transformed kernel, an im2col conv's packed
// one) until the weights change; training derives it again every step, since every step changes them. "The weights
// change" is a version: every write under the weights lock (a training step, LoadWeights, a checkpoint,
// CopyWeightsFrom, a callback's restore) and every hand-out of a writable span (Parameters, Weights) moves it on.
public abstract partial class Model
{
    private long _weightsVersion;
    private PreparedKernel?[] _preparedKernels = [];
    private readonly Lock _prepareGate = new();

    /// <summary>
    /// A transformed kernel, packed in the panels of the path it was made on, with the weights version it was made from;
    /// replaced whole, never rewritten, so a reader holding one sees it consistent.
    /// </summary>
    private sealed class PreparedKernel(long version, int panelColumns, AlignedFloats values)
    {
        public readonly long Version = version;
        public readonly int PanelColumns = panelColumns;
        public readonly AlignedFloats Values = values;
    }

    /// <summary>The weights may have changed: what inference derived from them is made again at its next use.</summary>
    private void MarkWeightsChanged() => Interlocked.Increment(ref _weightsVersion);

    /// <summary>The parameters for generated code, which reads them every pass: unlike <see cref="Parameters"/>, it does not mark the weights changed.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Span<float> ParameterBuffer => _parameters;

    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s kernel in Winograd form, for <c>Winograd.MultiplyPositions</c> with
    /// <paramref name="panelColumns"/>. Training transforms it into <paramref name="trainingBuffer"/> (the workspace's,
    /// row by row, read again by the backward pass; panelColumns 0). Inference returns the model's copy, transformed
    /// once per change of the weights, packed in the panels of this thread's path (so each product reads U in order)
    /// and shared by every inference call.
    /// </summary>
    /// <remarks>For generated code; not a stable API. Thread-safe: concurrent inference calls transform it once.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<float> WinogradKernel(int layerIndex, WinogradFlavour flavour, ReadOnlySpan<float> kernel, int inputChannels, int filters,
                                                 bool training, Span<float> trainingBuffer, out int panelColumns)
    {
        if (training)
        {
            flavour.TransformKernel(kernel, trainingBuffer, inputChannels, filters);
            panelColumns = 0;
            return trainingBuffer;
        }
        var prepared = Prepared(layerIndex, PreparedForm.Winograd, flavour, kernel, inputChannels, filters);
        panelColumns = prepared.PanelColumns;
        return prepared.Values;
    }

    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s im2col kernel (<paramref name="taps"/> × <paramref name="filters"/>) for
    /// <c>Gemm.MultiplyBiasActivation</c> with <paramref name="panelColumns"/>. Training reads it as it is (panelColumns
    /// 0). Inference returns the model's copy packed in the panels of this thread's path, made once per change of the
    /// weights: a deep conv of a single image reads millions of weights for a few dozen rows of patches, and read in
    /// panel order they stream from memory where read row by row they wait on strided misses (ResNet18's last stage,
    /// 49 × 4,608 · 4,608 × 512: 6.6 → 3.6 ms on one core).
    /// </summary>
    /// <remarks>For generated code; not a stable API. Thread-safe: concurrent inference calls pack it once.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<float> PackedKernel(int layerIndex, ReadOnlySpan<float> kernel, int taps, int filters, bool training, out int panelColumns)
    {
        if (training)
        {
            panelColumns = 0;
            return kernel;
        }
        var prepared = Prepared(layerIndex, PreparedForm.Packed, default, kernel, taps, filters);
        panelColumns = prepared.PanelColumns;
        return prepared.Values;
    }

    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s kernel (rows × <paramref name="filters"/>, HWIO) and bias with the
    /// BatchNormalization after it folded in, for inference, where its moving statistics are constants: filter f's
    /// weights times s = γ/√(var + ε), its bias (b − mean)·s + β (b: 0 when <paramref name="bias"/> is empty), in
    /// double and rounded once. Made once per change of the weights (moving statistics included) and kept on the model;
    /// the packed or Winograd form the conv reads is then made from it.
    /// </summary>
    /// <remarks>For generated code; not a stable API. Thread-safe: concurrent inference calls fold it once.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<float> FoldedKernel(int layerIndex, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
                                               ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> movingMean,
                                               ReadOnlySpan<float> movingVariance, float epsilon, int filters, out ReadOnlySpan<float> foldedBias)
    {
        var batchNormalization = new FoldedStatistics(gamma, beta, movingMean, movingVariance, epsilon);
        var prepared = Prepared(layerIndex, PreparedForm.Folded, default, kernel, kernel.Length / filters, filters, bias, batchNormalization);
        foldedBias = prepared.Values.AsSpan(kernel.Length, filters);
        return prepared.Values.AsSpan(0, kernel.Length);
    }

    /// <summary>A BatchNormalization's weights, as a conv folds them in.</summary>
    private readonly ref struct FoldedStatistics(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon)
    {
        public readonly ReadOnlySpan<float> Gamma = gamma, Beta = beta, Mean = mean, Variance = variance;
        public readonly float Epsilon = epsilon;

        /// <summary>Writes the folded kernel, then the folded bias, into <paramref name="values"/> (rows·filters + filters).</summary>
        public void Fold(ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> values, int rows, int filters)
        {
            Span<double> scale = filters <= 1024 ? stackalloc double[filters] : new double[filters];
            for (int f = 0; f < filters; f++)
            {
                scale[f] = Gamma[f] / Math.Sqrt((double)Variance[f] + Epsilon);
                values[rows * filters + f] = (float)(((bias.IsEmpty ? 0.0 : bias[f]) - Mean[f]) * scale[f] + Beta[f]);
            }
            for (int r = 0; r < rows; r++)
                for (int f = 0; f < filters; f++)
                    values[r * filters + f] = (float)(kernel[r * filters + f] * scale[f]);
        }
    }

    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s kernel in <paramref name="form"/> for the current weights and this thread's
    /// path: the kept one, or made now (once, under the gate, however many calls arrive together) and kept.
    /// <paramref name="rows"/> is the kernel's rows: input channels for Winograd (flavour <paramref name="flavour"/>), taps for im2col.
    /// </summary>
    private PreparedKernel Prepared(int layerIndex, PreparedForm form, WinogradFlavour flavour, ReadOnlySpan<float> kernel, int rows, int filters,
                                    ReadOnlySpan<float> bias = default, FoldedStatistics batchNormalization = default)
    {
        long version = Volatile.Read(ref _weightsVersion);
        // Tests force narrower paths per thread: a kernel packed for another is made again. A folded one is not packed.
        int panel = form == PreparedForm.Folded ? 0 : Gemm.PanelColumns(Gemm.ActiveWidth);
        int slot = Slot(layerIndex, form);
        if (Find(slot, version, panel) is { } ready) return ready;
        lock (_prepareGate)
        {
            if (Find(slot, version, panel) is { } made) return made; // another call made it meanwhile
            if (form == PreparedForm.Folded)
            {
                var folded = AlignedFloats.Allocate(rows * filters + filters);
                batchNormalization.Fold(kernel, bias, folded, rows, filters);
                return Store(slot, new PreparedKernel(version, panel, folded));
            }
            if (form == PreparedForm.Packed)
            {
                var packed = AlignedFloats.Allocate(rows * filters);
                Gemm.PackPanels(kernel, packed, rows, filters, panel);
                return Store(slot, new PreparedKernel(version, panel, packed));
            }
            var transformed = AlignedFloats.Allocate(flavour.TransformedLength(rows, filters));
            flavour.TransformKernel(kernel, transformed, rows, filters);
            var packedU = AlignedFloats.Allocate(transformed.Length);
            return Store(slot, new PreparedKernel(version, Winograd.PackKernel(transformed, packedU, flavour.Positions(), rows, filters), packedU));
        }
    }

    /// <summary>
    /// What a prepared kernel is: a conv that runs Winograd at one batch and im2col at another holds both, and a conv
    /// that folds a BatchNormalization in also holds the folded kernel they are made from.
    /// </summary>
    private enum PreparedForm { Winograd, Packed, Folded }

    private const int PreparedForms = 3;

    private static int Slot(int layerIndex, PreparedForm form) => layerIndex * PreparedForms + (int)form;

    /// <summary>Publishes <paramref name="prepared"/> in <paramref name="slot"/>; under the gate.</summary>
    private PreparedKernel Store(int slot, PreparedKernel prepared)
    {
        var all = _preparedKernels;
        if (all.Length <= slot)
        {
            Array.Resize(ref all, PreparedForms * Definition.Layers.Count);
            Volatile.Write(ref _preparedKernels, all);
        }
        Volatile.Write(ref all[slot], prepared);
        return prepared;
    }

    private PreparedKernel? Find(int slot, long version, int panelColumns)
    {
        var all = Volatile.Read(ref _preparedKernels);
        return (uint)slot < (uint)all.Length && all[slot] is { } p && p.Version == version && p.PanelColumns == panelColumns ? p : null;
    }

    /// <summary>Drops every prepared kernel (ReleaseBuffers): the next inference call prepares what it uses again.</summary>
    private void ReleasePreparedKernels()
    {
        lock (_prepareGate) _preparedKernels = [];
    }
}
