namespace ConvNetGen.Tests.Numerics;

/// <summary>
/// A reference model: the hand-declared ops of a test model, bound to its generated architecture, run in float64.
/// Gives the forward pass, the analytic backward pass, and central differences of L = Σ r·output. The layers form
/// a graph: op i reads the outputs its layer's <see cref="LayerInfo.InputIndices"/> name (-1: the model's input),
/// and the backward sums the gradients of a tensor several ops read. A chain is the case where op i reads op i − 1.
/// Layers the output does not depend on are not run, as in the generated model (CNG0023).
/// </summary>
internal sealed class ReferenceModel
{
    private readonly bool[] _live;

    private ReferenceModel(ModelArchitecture architecture, RefOp[] ops)
    {
        Architecture = architecture;
        Ops = ops;
        _live = new bool[ops.Length];
        _live[^1] = true;
        for (int i = ops.Length - 1; i >= 0; i--)
            if (_live[i])
                foreach (int j in architecture.Layers[i].InputIndices)
                    if (j >= 0) _live[j] = true;
    }

    public ModelArchitecture Architecture { get; }
    public RefOp[] Ops { get; }
    public int InputSize => Architecture.InputShape.ElementCount;
    public int OutputSize => Architecture.OutputShape.ElementCount;

    /// <summary>Binds one hand-declared op per layer, in order, checking each against the generator's layer.</summary>
    public static ReferenceModel Of(ModelArchitecture architecture, params RefOp[] ops)
    {
        Assert.Equal(architecture.Layers.Count, ops.Length);
        int[] input = architecture.InputShape.ToArray();
        int offset = 0;
        for (int i = 0; i < ops.Length; i++)
        {
            var layer = architecture.Layers[i];
            Assert.Equal(i, layer.Index);
            foreach (var weight in layer.Weights)
            {
                Assert.Equal(offset, weight.Offset); // one buffer, layers and weights in order, no gaps
                offset += weight.Length;
            }
            ops[i].Bind(layer, layer.InputIndices.Select(j => j == -1 ? input : ops[j].Out).ToArray());
        }
        Assert.Equal(architecture.ParameterCount, offset);
        return new ReferenceModel(architecture, ops);
    }

    /// <summary>The tensors op <paramref name="i"/> reads, from the input and the layers' outputs.</summary>
    private double[][] InputsOf(int i, double[] x, double[]?[] outputs) =>
        Architecture.Layers[i].InputIndices.Select(j => j == -1 ? x : outputs[j]!).ToArray();

    /// <summary>Every layer's output (null for a layer the model's output does not depend on); <c>[^1]</c> is the model's output.</summary>
    public double[]?[] Outputs(double[] x, int batch, double[] p, bool training, KinkMargins? margins = null) =>
        OutputsFrom(0, x, new double[]?[Ops.Length], batch, p, training, margins);

    /// <summary>Reruns layers <paramref name="first"/> and up, reusing <paramref name="known"/>'s outputs of the layers below.</summary>
    private double[]?[] OutputsFrom(int first, double[] x, double[]?[] known, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var outputs = (double[]?[])known.Clone();
        for (int i = first; i < Ops.Length; i++)
            outputs[i] = _live[i] ? Ops[i].Forward(InputsOf(i, x, outputs), batch, p, training, margins) : null;
        return outputs;
    }

    public double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins = null) =>
        Outputs(x, batch, p, training, margins)[^1]!;

    /// <summary>The parameters after one training-mode forward pass (BatchNormalization's moving statistics updated).</summary>
    public double[] ParametersAfterTrainingPass(double[] x, int batch, double[] p)
    {
        var outputs = Outputs(x, batch, p, training: true);
        var updated = (double[])p.Clone();
        for (int i = 0; i < Ops.Length; i++)
            if (_live[i]) Ops[i].UpdateState(InputsOf(i, x, outputs)[0], batch, updated);
        return updated;
    }

    /// <summary>dL/dθ for L = Σ r·output, analytically; frozen layers' gradients are zero.</summary>
    public double[] Gradient(double[] x, int batch, double[] p, double[] r, bool training = true, ISet<int>? frozen = null)
    {
        var outputs = Outputs(x, batch, p, training);
        var dp = new double[p.Length];
        var dOutputs = new double[]?[Ops.Length]; // dL/d(output of layer i), summed over the ops that read it
        dOutputs[^1] = (double[])r.Clone();
        for (int i = Ops.Length - 1; i >= 0; i--)
        {
            if (dOutputs[i] is not { } dy) continue; // nothing the output depends on reads it
            var layerGradient = new double[p.Length];
            var dxs = Ops[i].Backward(InputsOf(i, x, outputs), dy, batch, p, training, layerGradient);
            var inputs = Architecture.Layers[i].InputIndices;
            Assert.Equal(inputs.Count, dxs.Length);
            for (int k = 0; k < inputs.Count; k++)
            {
                if (inputs[k] == -1) continue;
                if (dOutputs[inputs[k]] is { } sum)
                    for (int j = 0; j < sum.Length; j++) sum[j] += dxs[k][j];
                else dOutputs[inputs[k]] = (double[])dxs[k].Clone();
            }
            if (frozen?.Contains(i) == true) continue;
            for (int j = 0; j < p.Length; j++) dp[j] += layerGradient[j];
        }
        return dp;
    }

    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>
    /// Central differences of L = Σ r·output with respect to every parameter, step <paramref name="step"/>. A
    /// parameter of layer k only reruns layers k and up (the layers below keep their outputs). <paramref name="only"/> restricts the parameters (others 0).
    /// </summary>
    public double[] NumericGradient(double[] x, int batch, double[] p, double[] r, bool training = true, double step = 1e-6, IEnumerable<int>? only = null)
    {
        var outputs = Outputs(x, batch, p, training);
        var gradient = new double[p.Length];
        var indices = only?.ToHashSet();
        for (int k = 0; k < Ops.Length; k++)
        {
            foreach (var weight in Ops[k].Info.Weights)
                for (int j = weight.Offset; j < weight.Offset + weight.Length; j++)
                {
                    if (indices is not null && !indices.Contains(j)) continue;
                    var q = (double[])p.Clone();
                    q[j] = p[j] + step;
                    double plus = Dot(r, OutputsFrom(k, x, outputs, batch, q, training, null)[^1]!);
                    q[j] = p[j] - step;
                    double minus = Dot(r, OutputsFrom(k, x, outputs, batch, q, training, null)[^1]!);
                    gradient[j] = (plus - minus) / (2 * step);
                }
        }
        return gradient;
    }
}
