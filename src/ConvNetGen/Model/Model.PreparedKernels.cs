using System.ComponentModel;
using ConvNetGen.Kernels;

namespace ConvNetGen;

// Inference reuses what it derives from the weights (a Winograd conv's transformed kernel) until the weights change;
// training derives it again every step, since every step changes them. "The weights change" is a version: every
// write under the weights lock (a training step, LoadWeights, a checkpoint, CopyWeightsFrom, a callback's restore)
// and every hand-out of a writable span (Parameters, Weights) moves it on.
public abstract partial class Model
{
    private long _weightsVersion;
    private PreparedKernel?[] _preparedKernels = [];
    private readonly Lock _prepareGate = new();

    /// <summary>
    /// A transformed kernel, packed in the panels of the path it was made on, with the weights version it was made from;
    /// replaced whole, never rewritten, so a reader holding one sees it consistent.
    /// </summary>
    private sealed class PreparedKernel(long version, int panelColumns, float[] values)
    {
        public readonly long Version = version;
        public readonly int PanelColumns = panelColumns;
        public readonly float[] Values = values;
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
        long version = Volatile.Read(ref _weightsVersion);
        int panel = Gemm.PanelColumns(Gemm.ActiveWidth); // tests force narrower paths per thread: a kernel packed for another is made again
        if (Find(layerIndex, version, panel) is { } ready)
        {
            panelColumns = ready.PanelColumns;
            return ready.Values;
        }
        lock (_prepareGate)
        {
            var prepared = Find(layerIndex, version, panel); // another call may have made it meanwhile
            if (prepared is null)
            {
                var transformed = new float[flavour.TransformedLength(inputChannels, filters)];
                flavour.TransformKernel(kernel, transformed, inputChannels, filters);
                var packed = new float[transformed.Length];
                prepared = new PreparedKernel(version, Winograd.PackKernel(transformed, packed, flavour.Positions(), inputChannels, filters), packed);
                var all = _preparedKernels;
                if (all.Length <= layerIndex)
                {
                    Array.Resize(ref all, Definition.Layers.Count);
                    Volatile.Write(ref _preparedKernels, all);
                }
                Volatile.Write(ref all[layerIndex], prepared);
            }
            panelColumns = prepared.PanelColumns;
            return prepared.Values;
        }
    }

    private PreparedKernel? Find(int layerIndex, long version, int panelColumns)
    {
        var all = Volatile.Read(ref _preparedKernels);
        return (uint)layerIndex < (uint)all.Length && all[layerIndex] is { } p && p.Version == version && p.PanelColumns == panelColumns ? p : null;
    }

    /// <summary>Drops every prepared kernel (ReleaseBuffers): the next inference call prepares what it uses again.</summary>
    private void ReleasePreparedKernels()
    {
        lock (_prepareGate) _preparedKernels = [];
    }
}
