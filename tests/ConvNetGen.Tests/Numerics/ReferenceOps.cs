// Plain, naive float64 references of every layer, NHWC and batch-major, with Keras' semantics. Nothing here shares
// code with the generator or the runtime kernels: each layer is the textbook loop nest, written for clarity, not speed.
//
// Each op is declared by hand in a test, mirroring the layer's attribute (strides, padding, window, activation, bias,
// rate, momentum, …), then bound to the generated model's LayerInfo, which supplies the parameter offsets. Binding
// checks that the hand-written op agrees with the generator's shapes and weights, so a misread attribute shows up there.

namespace ConvNetGen.Tests.Numerics;

/// <summary>What a reference forward pass observed about its kinks: how close any ReLU input came to 0 and how close any max-pool window came to a tie.</summary>
internal sealed class KinkMargins
{
    public double Relu { get; set; } = double.PositiveInfinity;
    public double MaxPoolGap { get; set; } = double.PositiveInfinity;

    public double Smallest => Math.Min(Relu, MaxPoolGap);
}

/// <summary>
/// One layer of a reference model. Most read one tensor (<see cref="Forward(double[], int, double[], bool, KinkMargins?)"/>);
/// merges (Add, Concatenate) read several and override the list forms instead.
/// </summary>
internal abstract class RefOp
{
    public LayerInfo Info { get; private set; } = null!;
    /// <summary>The shape of the first input (the only one but for merges).</summary>
    public int[] In { get; private set; } = [];
    /// <summary>Every input's shape, in the order of <see cref="LayerInfo.InputIndices"/>.</summary>
    public int[][] Ins { get; private set; } = [];
    public int[] Out { get; private set; } = [];
    public int InSize => In.Aggregate(1, (n, d) => n * d);
    public int OutSize => Out.Aggregate(1, (n, d) => n * d);

    public abstract LayerKind Kind { get; }

    /// <summary>Checks this hand-written op against the generator's layer and computes its own output shape.</summary>
    public void Bind(LayerInfo info, int[] inputShape) => Bind(info, [inputShape]);

    /// <summary>Binds an op that reads <paramref name="inputShapes"/> (one per entry of the layer's InputIndices).</summary>
    public void Bind(LayerInfo info, int[][] inputShapes)
    {
        Info = info;
        Assert.True(info.Kind == Kind, $"layer {info.Index} ({info.Name}) is a {info.Kind}, the reference declares a {Kind}");
        Assert.Equal(info.InputIndices.Count, inputShapes.Length);
        if (!info.IsMerge) Assert.Single(inputShapes);
        Assert.Equal(inputShapes[0], info.InputShape.ToArray());
        In = inputShapes[0];
        Ins = inputShapes;
        Out = OutputShape(inputShapes);
        Assert.True(Out.SequenceEqual(info.OutputShape),
            $"{info.Name}: the reference infers ({string.Join(", ", Out)}), the generator ({string.Join(", ", info.OutputShape)})");
        CheckWeights(info);
    }

    protected abstract int[] OutputShape(int[] input);

    protected virtual int[] OutputShape(int[][] inputs) => OutputShape(inputs[0]);

    protected virtual void CheckWeights(LayerInfo info) => Assert.Empty(info.Weights);

    protected WeightInfo Weight(string name) => Info.Weights.Single(w => w.Name == name);

    /// <summary>y = op(x) for <paramref name="batch"/> samples; <paramref name="training"/> selects training-mode behaviour.</summary>
    public abstract double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins);

    /// <summary>Given x and dL/dy, adds dL/dθ into <paramref name="dp"/> and returns dL/dx.</summary>
    public abstract double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp);

    /// <summary>y = op(x₀, x₁, …): one input for every kind but the merges.</summary>
    public virtual double[] Forward(double[][] xs, int batch, double[] p, bool training, KinkMargins? margins) =>
        Forward(xs.Single(), batch, p, training, margins);

    /// <summary>dL/dxₖ for every input, in order; dL/dθ added into <paramref name="dp"/>.</summary>
    public virtual double[][] Backward(double[][] xs, double[] dy, int batch, double[] p, bool training, double[] dp) =>
        [Backward(xs.Single(), dy, batch, p, training, dp)];

    /// <summary>Training-mode side effects on the parameters (BatchNormalization's moving statistics).</summary>
    public virtual void UpdateState(double[] x, int batch, double[] p) { }

    public override string ToString() => $"{GetType().Name} {Info?.Name}";
}

/// <summary>The activations, on pre-activation values z, over rows of <c>rowLength</c> (the last axis) for softmax.</summary>
internal static class RefActivation
{
    public static double[] Apply(Activation activation, double[] z, int rowLength, KinkMargins? margins)
    {
        var y = new double[z.Length];
        switch (activation)
        {
            case Activation.Linear:
                Array.Copy(z, y, z.Length);
                break;
            case Activation.ReLU:
                for (int i = 0; i < z.Length; i++)
                {
                    y[i] = z[i] > 0 ? z[i] : 0;
                    if (margins is not null) margins.Relu = Math.Min(margins.Relu, Math.Abs(z[i]));
                }
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++) y[i] = 1 / (1 + Math.Exp(-z[i]));
                break;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++) y[i] = Math.Tanh(z[i]);
                break;
            case Activation.Softmax:
                for (int start = 0; start < z.Length; start += rowLength)
                {
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < rowLength; j++) max = Math.Max(max, z[start + j]);
                    double sum = 0;
                    for (int j = 0; j < rowLength; j++) sum += y[start + j] = Math.Exp(z[start + j] - max);
                    for (int j = 0; j < rowLength; j++) y[start + j] /= sum;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
        return y;
    }

    /// <summary>dL/dz from dL/dy.</summary>
    public static double[] Backward(Activation activation, double[] z, double[] dy, int rowLength)
    {
        var y = Apply(activation, z, rowLength, null);
        var dz = new double[z.Length];
        switch (activation)
        {
            case Activation.Linear:
                Array.Copy(dy, dz, dy.Length);
                break;
            case Activation.ReLU:
                for (int i = 0; i < z.Length; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < z.Length; i++) dz[i] = dy[i] * y[i] * (1 - y[i]);
                break;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++) dz[i] = dy[i] * (1 - y[i] * y[i]);
                break;
            case Activation.Softmax:
                // dz_i = Σ_j dy_j ∂y_j/∂z_i = Σ_j dy_j y_j ([i == j] − y_i)
                for (int start = 0; start < z.Length; start += rowLength)
                    for (int i = 0; i < rowLength; i++)
                    {
                        double sum = 0;
                        for (int j = 0; j < rowLength; j++)
                            sum += dy[start + j] * y[start + j] * ((i == j ? 1 : 0) - y[start + i]);
                        dz[start + i] = sum;
                    }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
        return dz;
    }
}

/// <summary>Keras' output size and leading padding (TF "SAME": the extra pad goes at the bottom/right).</summary>
internal static class RefPadding
{
    public static (int Output, int PadBefore) Resolve(int input, int window, int stride, Padding padding)
    {
        if (padding == Padding.Valid)
            return ((input - window) / stride + 1, 0);
        int output = (input + stride - 1) / stride;
        int padTotal = Math.Max((output - 1) * stride + window - input, 0);
        return (output, padTotal / 2);
    }
}

/// <summary>Conv2D, kernel HWIO (kh, kw, in, out).</summary>
internal sealed class RefConv2D(
    int filters, int kernelHeight, int kernelWidth, int strideHeight = 1, int strideWidth = 1,
    Padding padding = Padding.Valid, Activation activation = Activation.Linear, bool useBias = true) : RefOp
{
    private int _padTop, _padLeft;

    public override LayerKind Kind => LayerKind.Conv2D;

    protected override int[] OutputShape(int[] input)
    {
        var (oh, pt) = RefPadding.Resolve(input[0], kernelHeight, strideHeight, padding);
        var (ow, pl) = RefPadding.Resolve(input[1], kernelWidth, strideWidth, padding);
        _padTop = pt;
        _padLeft = pl;
        return [oh, ow, filters];
    }

    protected override void CheckWeights(LayerInfo info)
    {
        Assert.Equal(activation, info.Activation);
        Assert.Equal(useBias ? ["kernel", "bias"] : new[] { "kernel" }, info.Weights.Select(w => w.Name).ToArray());
        Assert.Equal([kernelHeight, kernelWidth, In[2], filters], info.Weights[0].Shape.ToArray());
        if (useBias) Assert.Equal([filters], info.Weights[1].Shape.ToArray());
    }

    private double[] PreActivation(double[] x, int batch, double[] p)
    {
        int ih = In[0], iw = In[1], ic = In[2], oh = Out[0], ow = Out[1];
        int k = Weight("kernel").Offset;
        int bias = useBias ? Weight("bias").Offset : -1;
        var z = new double[batch * OutSize];
        for (int b = 0; b < batch; b++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        for (int f = 0; f < filters; f++)
        {
            double sum = useBias ? p[bias + f] : 0;
            for (int ky = 0; ky < kernelHeight; ky++)
            for (int kx = 0; kx < kernelWidth; kx++)
            {
                int iy = oy * strideHeight + ky - _padTop, ix = ox * strideWidth + kx - _padLeft;
                if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue; // zero padding
                for (int c = 0; c < ic; c++)
                    sum += x[((b * ih + iy) * iw + ix) * ic + c] * p[k + ((ky * kernelWidth + kx) * ic + c) * filters + f];
            }
            z[((b * oh + oy) * ow + ox) * filters + f] = sum;
        }
        return z;
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) =>
        RefActivation.Apply(activation, PreActivation(x, batch, p), filters, margins);

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int ih = In[0], iw = In[1], ic = In[2], oh = Out[0], ow = Out[1];
        int k = Weight("kernel").Offset;
        int bias = useBias ? Weight("bias").Offset : -1;
        var dz = RefActivation.Backward(activation, PreActivation(x, batch, p), dy, filters);
        var dx = new double[x.Length];
        for (int b = 0; b < batch; b++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        for (int f = 0; f < filters; f++)
        {
            double g = dz[((b * oh + oy) * ow + ox) * filters + f];
            if (useBias) dp[bias + f] += g;
            for (int ky = 0; ky < kernelHeight; ky++)
            for (int kx = 0; kx < kernelWidth; kx++)
            {
                int iy = oy * strideHeight + ky - _padTop, ix = ox * strideWidth + kx - _padLeft;
                if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
                for (int c = 0; c < ic; c++)
                {
                    int xi = ((b * ih + iy) * iw + ix) * ic + c;
                    int ki = k + ((ky * kernelWidth + kx) * ic + c) * filters + f;
                    dp[ki] += x[xi] * g;
                    dx[xi] += p[ki] * g;
                }
            }
        }
        return dx;
    }
}

/// <summary>MaxPooling2D (padding never wins) or AveragePooling2D (padding excluded from the count).</summary>
internal sealed class RefPooling2D(
    bool max, int poolHeight, int poolWidth, int strideHeight = 0, int strideWidth = 0, Padding padding = Padding.Valid) : RefOp
{
    private readonly int _sh = strideHeight == 0 ? poolHeight : strideHeight;
    private readonly int _sw = strideWidth == 0 ? poolWidth : strideWidth;
    private int _padTop, _padLeft;

    public override LayerKind Kind => max ? LayerKind.MaxPooling2D : LayerKind.AveragePooling2D;

    protected override int[] OutputShape(int[] input)
    {
        var (oh, pt) = RefPadding.Resolve(input[0], poolHeight, _sh, padding);
        var (ow, pl) = RefPadding.Resolve(input[1], poolWidth, _sw, padding);
        _padTop = pt;
        _padLeft = pl;
        return [oh, ow, input[2]];
    }

    /// <summary>Calls <paramref name="visit"/> for every output with the input indices under its window, padding excluded.</summary>
    private void ForEachWindow(int batch, Action<int, int[], int> visit)
    {
        int ih = In[0], iw = In[1], oh = Out[0], ow = Out[1], ch = Out[2];
        var window = new int[poolHeight * poolWidth];
        for (int b = 0; b < batch; b++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        for (int c = 0; c < ch; c++)
        {
            int count = 0;
            for (int ky = 0; ky < poolHeight; ky++)
            for (int kx = 0; kx < poolWidth; kx++)
            {
                int iy = oy * _sh + ky - _padTop, ix = ox * _sw + kx - _padLeft;
                if (iy >= 0 && iy < ih && ix >= 0 && ix < iw) window[count++] = ((b * ih + iy) * iw + ix) * ch + c;
            }
            Assert.True(count > 0, "a window lies entirely in the padding");
            visit(((b * oh + oy) * ow + ox) * ch + c, window, count);
        }
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var y = new double[batch * OutSize];
        ForEachWindow(batch, (o, window, count) =>
        {
            if (!max)
            {
                double sum = 0;
                for (int k = 0; k < count; k++) sum += x[window[k]];
                y[o] = sum / count; // the mean of the inputs under the window: padding is not counted
                return;
            }
            double best = double.NegativeInfinity;
            for (int k = 0; k < count; k++) best = Math.Max(best, x[window[k]]);
            y[o] = best;
            // Exact ties are no kink: in continuous random data they are one input reached twice (overlapping
            // windows), which moves as one under any perturbation. The margin is to the largest smaller value.
            double runnerUp = double.NegativeInfinity;
            for (int k = 0; k < count; k++)
                if (x[window[k]] < best) runnerUp = Math.Max(runnerUp, x[window[k]]);
            if (margins is not null) margins.MaxPoolGap = Math.Min(margins.MaxPoolGap, best - runnerUp);
        });
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        var dx = new double[x.Length];
        ForEachWindow(batch, (o, window, count) =>
        {
            if (max)
            {
                int best = window[0]; // the first maximum in window order takes the gradient
                for (int k = 1; k < count; k++) if (x[window[k]] > x[best]) best = window[k];
                dx[best] += dy[o];
            }
            else for (int k = 0; k < count; k++) dx[window[k]] += dy[o] / count;
        });
        return dx;
    }
}

internal sealed class RefGlobalAveragePooling2D : RefOp
{
    public override LayerKind Kind => LayerKind.GlobalAveragePooling2D;
    protected override int[] OutputShape(int[] input) => [input[2]];

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        int pixels = In[0] * In[1], ch = In[2];
        var y = new double[batch * ch];
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < ch; c++)
        {
            double sum = 0;
            for (int q = 0; q < pixels; q++) sum += x[(b * pixels + q) * ch + c];
            y[b * ch + c] = sum / pixels;
        }
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int pixels = In[0] * In[1], ch = In[2];
        var dx = new double[x.Length];
        for (int b = 0; b < batch; b++)
        for (int q = 0; q < pixels; q++)
        for (int c = 0; c < ch; c++)
            dx[(b * pixels + q) * ch + c] = dy[b * ch + c] / pixels;
        return dx;
    }
}

internal sealed class RefFlatten : RefOp
{
    public override LayerKind Kind => LayerKind.Flatten;
    protected override int[] OutputShape(int[] input) => [input.Aggregate(1, (n, d) => n * d)];
    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) => (double[])x.Clone();
    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp) => (double[])dy.Clone();
}

/// <summary>Dense, kernel (inputs, units).</summary>
internal sealed class RefDense(int units, Activation activation = Activation.Linear, bool useBias = true) : RefOp
{
    public override LayerKind Kind => LayerKind.Dense;
    protected override int[] OutputShape(int[] input)
    {
        Assert.Single(input);
        return [units];
    }

    protected override void CheckWeights(LayerInfo info)
    {
        Assert.Equal(activation, info.Activation);
        Assert.Equal(useBias ? ["kernel", "bias"] : new[] { "kernel" }, info.Weights.Select(w => w.Name).ToArray());
        Assert.Equal([In[0], units], info.Weights[0].Shape.ToArray());
    }

    private double[] PreActivation(double[] x, int batch, double[] p)
    {
        int inputs = In[0], k = Weight("kernel").Offset, bias = useBias ? Weight("bias").Offset : -1;
        var z = new double[batch * units];
        for (int b = 0; b < batch; b++)
        for (int u = 0; u < units; u++)
        {
            double sum = useBias ? p[bias + u] : 0;
            for (int i = 0; i < inputs; i++) sum += x[b * inputs + i] * p[k + i * units + u];
            z[b * units + u] = sum;
        }
        return z;
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) =>
        RefActivation.Apply(activation, PreActivation(x, batch, p), units, margins);

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int inputs = In[0], k = Weight("kernel").Offset, bias = useBias ? Weight("bias").Offset : -1;
        var dz = RefActivation.Backward(activation, PreActivation(x, batch, p), dy, units);
        var dx = new double[x.Length];
        for (int b = 0; b < batch; b++)
        for (int u = 0; u < units; u++)
        {
            double g = dz[b * units + u];
            if (useBias) dp[bias + u] += g;
            for (int i = 0; i < inputs; i++)
            {
                dp[k + i * units + u] += x[b * inputs + i] * g;
                dx[b * inputs + i] += p[k + i * units + u] * g;
            }
        }
        return dx;
    }
}

/// <summary>Dropout: the identity at inference; in training only rate 0 is reproducible (the mask is random).</summary>
internal sealed class RefDropout(double rate) : RefOp
{
    public override LayerKind Kind => LayerKind.Dropout;
    protected override int[] OutputShape(int[] input) => input;

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        if (training && rate != 0) throw new NotSupportedException("A training-mode dropout with rate > 0 is random; the reference cannot follow it.");
        return (double[])x.Clone();
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        if (training && rate != 0) throw new NotSupportedException("A training-mode dropout with rate > 0 is random.");
        return (double[])dy.Clone();
    }
}

/// <summary>Rescaling: x · scale + offset.</summary>
internal sealed class RefRescaling(double scale, double offset = 0) : RefOp
{
    public override LayerKind Kind => LayerKind.Rescaling;
    protected override int[] OutputShape(int[] input) => input;
    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) => x.Select(v => v * scale + offset).ToArray();
    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp) => dy.Select(g => g * scale).ToArray();
}

/// <summary>
/// BatchNormalization over the last axis. Training mode: batch mean and biased batch variance, ε inside the square
/// root, moving statistics updated as moving·momentum + batch·(1 − momentum). Inference mode: the moving statistics.
/// </summary>
internal sealed class RefBatchNormalization(double momentum = 0.99, double epsilon = 1e-3) : RefOp
{
    /// <summary>Whether this layer runs in inference mode whatever the pass (a frozen layer, as in Keras).</summary>
    public bool Frozen { get; set; }

    public override LayerKind Kind => LayerKind.BatchNormalization;
    protected override int[] OutputShape(int[] input) => input;

    protected override void CheckWeights(LayerInfo info)
    {
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance"], info.Weights.Select(w => w.Name).ToArray());
        Assert.All(info.Weights, w => Assert.Equal([In[^1]], w.Shape.ToArray()));
        Assert.Equal([true, true, false, false], info.Weights.Select(w => w.IsTrainableVariable).ToArray());
    }

    private int Channels => In[^1];

    /// <summary>Batch mean and biased variance per channel, over every sample and pixel.</summary>
    public (double[] Mean, double[] Variance) BatchStatistics(double[] x)
    {
        int c = Channels, rows = x.Length / c;
        var mean = new double[c];
        var variance = new double[c];
        for (int r = 0; r < rows; r++)
            for (int ch = 0; ch < c; ch++) mean[ch] += x[r * c + ch];
        for (int ch = 0; ch < c; ch++) mean[ch] /= rows;
        for (int r = 0; r < rows; r++)
            for (int ch = 0; ch < c; ch++)
            {
                double d = x[r * c + ch] - mean[ch];
                variance[ch] += d * d;
            }
        for (int ch = 0; ch < c; ch++) variance[ch] /= rows;
        return (mean, variance);
    }

    private (double[] Mean, double[] Variance) Statistics(double[] x, double[] p, bool training)
    {
        if (training && !Frozen) return BatchStatistics(x);
        int c = Channels;
        return (p.AsSpan(Weight("moving_mean").Offset, c).ToArray(), p.AsSpan(Weight("moving_variance").Offset, c).ToArray());
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        int c = Channels, gamma = Weight("gamma").Offset, beta = Weight("beta").Offset;
        var (mean, variance) = Statistics(x, p, training);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i % c;
            y[i] = p[gamma + ch] * (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + epsilon) + p[beta + ch];
        }
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int c = Channels, rows = x.Length / c, gamma = Weight("gamma").Offset, beta = Weight("beta").Offset;
        var (mean, variance) = Statistics(x, p, training);
        var sumDy = new double[c];
        var sumDyXhat = new double[c];
        var xhat = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i % c;
            xhat[i] = (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + epsilon);
            sumDy[ch] += dy[i];
            sumDyXhat[ch] += dy[i] * xhat[i];
        }
        for (int ch = 0; ch < c; ch++)
        {
            dp[gamma + ch] += sumDyXhat[ch];
            dp[beta + ch] += sumDy[ch];
        }
        var dx = new double[x.Length];
        bool batchStatistics = training && !Frozen;
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i % c;
            double scale = p[gamma + ch] / Math.Sqrt(variance[ch] + epsilon);
            dx[i] = batchStatistics
                ? scale / rows * (rows * dy[i] - sumDy[ch] - xhat[i] * sumDyXhat[ch]) // the statistics depend on every x
                : scale * dy[i];
        }
        return dx;
    }

    public override void UpdateState(double[] x, int batch, double[] p)
    {
        if (Frozen) return;
        var (mean, variance) = BatchStatistics(x);
        int mm = Weight("moving_mean").Offset, mv = Weight("moving_variance").Offset;
        for (int ch = 0; ch < Channels; ch++)
        {
            p[mm + ch] = p[mm + ch] * momentum + mean[ch] * (1 - momentum);
            p[mv + ch] = p[mv + ch] * momentum + variance[ch] * (1 - momentum);
        }
    }
}

/// <summary>ZeroPadding2D: rows of zeros above and below, columns left and right; channels unchanged.</summary>
internal sealed class RefZeroPadding2D(int top, int bottom, int left, int right) : RefOp
{
    public RefZeroPadding2D(int padding = 1) : this(padding, padding, padding, padding) { }

    public override LayerKind Kind => LayerKind.ZeroPadding2D;
    protected override int[] OutputShape(int[] input) => [input[0] + top + bottom, input[1] + left + right, input[2]];

    /// <summary>The output index of input element (b, y, x, c).</summary>
    private int Target(int b, int y, int x, int c) => ((b * Out[0] + y + top) * Out[1] + x + left) * Out[2] + c;

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var y = new double[batch * OutSize]; // the padding stays 0
        for (int b = 0; b < batch; b++)
        for (int iy = 0; iy < In[0]; iy++)
        for (int ix = 0; ix < In[1]; ix++)
        for (int c = 0; c < In[2]; c++)
            y[Target(b, iy, ix, c)] = x[((b * In[0] + iy) * In[1] + ix) * In[2] + c];
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        var dx = new double[x.Length]; // the padding's gradient goes nowhere
        for (int b = 0; b < batch; b++)
        for (int iy = 0; iy < In[0]; iy++)
        for (int ix = 0; ix < In[1]; ix++)
        for (int c = 0; c < In[2]; c++)
            dx[((b * In[0] + iy) * In[1] + ix) * In[2] + c] = dy[Target(b, iy, ix, c)];
        return dx;
    }
}

/// <summary>The Activation layer: an activation on its own, over the last axis (softmax's rows are the channels or units).</summary>
internal sealed class RefActivationLayer(Activation activation) : RefOp
{
    public override LayerKind Kind => LayerKind.Activation;
    protected override int[] OutputShape(int[] input) => input;

    protected override void CheckWeights(LayerInfo info)
    {
        Assert.Empty(info.Weights);
        Assert.Equal(activation, info.Activation);
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) =>
        RefActivation.Apply(activation, x, In[^1], margins);

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp) =>
        RefActivation.Backward(activation, x, dy, In[^1]);
}

/// <summary>GlobalMaxPooling2D: the largest value of each channel over every pixel; its gradient goes to the first maximum.</summary>
internal sealed class RefGlobalMaxPooling2D : RefOp
{
    public override LayerKind Kind => LayerKind.GlobalMaxPooling2D;
    protected override int[] OutputShape(int[] input) => [input[2]];

    private int ArgMax(double[] x, int b, int c)
    {
        int pixels = In[0] * In[1], ch = In[2];
        int best = b * pixels * ch + c;
        for (int q = 1; q < pixels; q++)
        {
            int i = (b * pixels + q) * ch + c;
            if (x[i] > x[best]) best = i;
        }
        return best;
    }

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins)
    {
        int pixels = In[0] * In[1], ch = In[2];
        var y = new double[batch * ch];
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < ch; c++)
        {
            double best = x[ArgMax(x, b, c)];
            y[b * ch + c] = best;
            // As in RefPooling2D: exact ties are one value reached twice (a ReLU's zeros), no kink; the margin is to the runner-up.
            double runnerUp = double.NegativeInfinity;
            for (int q = 0; q < pixels; q++)
            {
                double v = x[(b * pixels + q) * ch + c];
                if (v < best) runnerUp = Math.Max(runnerUp, v);
            }
            if (margins is not null) margins.MaxPoolGap = Math.Min(margins.MaxPoolGap, best - runnerUp);
        }
        return y;
    }

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int ch = In[2];
        var dx = new double[x.Length];
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < ch; c++)
            dx[ArgMax(x, b, c)] += dy[b * ch + c];
        return dx;
    }
}

/// <summary>A layer that reads several tensors; the one-input forms do not apply.</summary>
internal abstract class RefMerge : RefOp
{
    protected override int[] OutputShape(int[] input) => throw new InvalidOperationException("a merge reads several inputs");

    public override double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins) =>
        throw new InvalidOperationException($"{this} reads several inputs");

    public override double[] Backward(double[] x, double[] dy, int batch, double[] p, bool training, double[] dp) =>
        throw new InvalidOperationException($"{this} reads several inputs");
}

/// <summary>Add: the element-wise sum of inputs of one shape; each input gets dL/dy.</summary>
internal sealed class RefAdd : RefMerge
{
    public override LayerKind Kind => LayerKind.Add;

    protected override int[] OutputShape(int[][] inputs)
    {
        Assert.True(inputs.Length >= 2, "Add reads at least two tensors");
        foreach (var shape in inputs) Assert.Equal(inputs[0], shape);
        return inputs[0];
    }

    public override double[] Forward(double[][] xs, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var y = new double[xs[0].Length];
        foreach (var x in xs)
            for (int i = 0; i < y.Length; i++) y[i] += x[i];
        return y;
    }

    public override double[][] Backward(double[][] xs, double[] dy, int batch, double[] p, bool training, double[] dp) =>
        xs.Select(_ => (double[])dy.Clone()).ToArray();
}

/// <summary>Concatenate along the last axis (channels, or units for flat inputs), in the order given.</summary>
internal sealed class RefConcatenate : RefMerge
{
    public override LayerKind Kind => LayerKind.Concatenate;

    protected override int[] OutputShape(int[][] inputs)
    {
        Assert.True(inputs.Length >= 2, "Concatenate reads at least two tensors");
        foreach (var shape in inputs) Assert.Equal(inputs[0][..^1], shape[..^1]);
        return [.. inputs[0][..^1], inputs.Sum(s => s[^1])];
    }

    public override double[] Forward(double[][] xs, int batch, double[] p, bool training, KinkMargins? margins)
    {
        int width = Out[^1], rows = batch * OutSize / width;
        var y = new double[batch * OutSize];
        for (int r = 0; r < rows; r++)
        {
            int start = 0;
            for (int k = 0; k < xs.Length; k++)
            {
                int w = Ins[k][^1];
                Array.Copy(xs[k], r * w, y, r * width + start, w);
                start += w;
            }
        }
        return y;
    }

    public override double[][] Backward(double[][] xs, double[] dy, int batch, double[] p, bool training, double[] dp)
    {
        int width = Out[^1], rows = batch * OutSize / width;
        var dxs = xs.Select(x => new double[x.Length]).ToArray();
        for (int r = 0; r < rows; r++)
        {
            int start = 0;
            for (int k = 0; k < xs.Length; k++)
            {
                int w = Ins[k][^1];
                Array.Copy(dy, r * width + start, dxs[k], r * w, w);
                start += w;
            }
        }
        return dxs;
    }
}
