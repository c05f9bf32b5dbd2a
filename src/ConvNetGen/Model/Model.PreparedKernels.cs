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

    /// <summary>A transformed kernel and the weights version it was made from; replaced whole, never rewritten, so a reader holding one sees it consistent.</summary>
    private sealed class PreparedKernel(long version, float[] values)
    {
        public readonly long Version = version;
        public readonly float[] Values = values;
    }

    /// <summary>The weights may have changed: what inference derived from them is made again at its next use.</summary>
    private void MarkWeightsChanged() => Interlocked.Increment(ref _weightsVersion);

    /// <summary>The parameters for generated code, which reads them every pass: unlike <see cref="Parameters"/>, it does not mark the weights changed.</summary>
    /// <remarks>For generated code; not a stable API.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Span<float> ParameterBuffer => _parameters;

    /// <summary>
    /// Layer <paramref name="layerIndex"/>'s kernel in Winograd form. Training transforms it into
    /// <paramref name="trainingBuffer"/> (the workspace's, read again by the backward pass); inference returns the
    /// model's copy, transformed once per change of the weights and shared by every inference call.
    /// </summary>
    /// <remarks>For generated code; not a stable API. Thread-safe: concurrent inference calls transform it once.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<float> WinogradKernel(int layerIndex, WinogradFlavour flavour, ReadOnlySpan<float> kernel, int inputChannels, int filters,
                                                 bool training, Span<float> trainingBuffer)
    {
        if (training)
        {
            flavour.TransformKernel(kernel, trainingBuffer, inputChannels, filters);
            return trainingBuffer;
        }
        long version = Volatile.Read(ref _weightsVersion);
        var prepared = Volatile.Read(ref _preparedKernels);
        if ((uint)layerIndex < (uint)prepared.Length && prepared[layerIndex] is { } ready && ready.Version == version) return ready.Values;
        lock (_prepareGate)
        {
            prepared = _preparedKernels;
            if ((uint)layerIndex < (uint)prepared.Length && prepared[layerIndex] is { } other && other.Version == version) return other.Values; // another call made it meanwhile
            var values = new float[flavour.TransformedLength(inputChannels, filters)];
            flavour.TransformKernel(kernel, values, inputChannels, filters);
            if (prepared.Length <= layerIndex)
            {
                Array.Resize(ref prepared, Definition.Layers.Count);
                Volatile.Write(ref _preparedKernels, prepared);
            }
            Volatile.Write(ref prepared[layerIndex], new PreparedKernel(version, values));
            return values;
        }
    }

    /// <summary>Drops every prepared kernel (ReleaseBuffers): the next inference call prepares what it uses again.</summary>
    private void ReleasePreparedKernels()
    {
        lock (_prepareGate) _preparedKernels = [];
    }
}
