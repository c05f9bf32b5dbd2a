namespace ConvNetGen.Tests.Numerics;

/// <summary>
/// A reference model: the hand-declared ops of a test model, bound to its generated architecture, run in float64.
/// Gives the forward pass, the analytic backward pass, and central differences of L = Σ r·output.
/// </summary>
internal sealed class ReferenceModel
{
    private ReferenceModel(ModelArchitecture architecture, RefOp[] ops)
    {
        Architecture = architecture;
        Ops = ops;
    }

    public ModelArchitecture Architecture { get; }
    public RefOp[] Ops { get; }
    public int InputSize => Architecture.InputShape.ElementCount;
    public int OutputSize => Architecture.OutputShape.ElementCount;

    /// <summary>Binds one hand-declared op per layer, in order, checking each against the generator's layer.</summary>
    public static ReferenceModel Of(ModelArchitecture architecture, params RefOp[] ops)
    {
        Assert.Equal(architecture.Layers.Count, ops.Length);
        int[] shape = architecture.InputShape.ToArray();
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
            ops[i].Bind(layer, shape);
            shape = ops[i].Out;
        }
        Assert.Equal(architecture.ParameterCount, offset);
        return new ReferenceModel(architecture, ops);
    }

    /// <summary>Every layer's input, then the output: <c>activations[i]</c> is layer i's input, <c>activations[^1]</c> the model's output.</summary>
    public double[][] Activations(double[] x, int batch, double[] p, bool training, KinkMargins? margins = null) =>
        ActivationsFrom(0, x, batch, p, training, margins);

    private double[][] ActivationsFrom(int first, double[] input, int batch, double[] p, bool training, KinkMargins? margins)
    {
        var activations = new double[Ops.Length - first + 1][];
        activations[0] = input;
        for (int i = first; i < Ops.Length; i++)
            activations[i - first + 1] = Ops[i].Forward(activations[i - first], batch, p, training, margins);
        return activations;
    }

    public double[] Forward(double[] x, int batch, double[] p, bool training, KinkMargins? margins = null) =>
        Activations(x, batch, p, training, margins)[^1];

    /// <summary>The parameters after one training-mode forward pass (BatchNormalization's moving statistics updated).</summary>
    public double[] ParametersAfterTrainingPass(double[] x, int batch, double[] p)
    {
        var activations = Activations(x, batch, p, training: true);
        var updated = (double[])p.Clone();
        for (int i = 0; i < Ops.Length; i++) Ops[i].UpdateState(activations[i], batch, updated);
        return updated;
    }

    /// <summary>dL/dθ for L = Σ r·output, analytically; frozen layers' gradients are zero.</summary>
    public double[] Gradient(double[] x, int batch, double[] p, double[] r, bool training = true, ISet<int>? frozen = null)
    {
        var activations = Activations(x, batch, p, training);
        var dp = new double[p.Length];
        var dy = (double[])r.Clone();
        for (int i = Ops.Length - 1; i >= 0; i--)
        {
            var layerGradient = new double[p.Length];
            dy = Ops[i].Backward(activations[i], dy, batch, p, training, layerGradient);
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
    /// parameter of layer k only reruns layers k and up. <paramref name="only"/> restricts the parameters (others 0).
    /// </summary>
    public double[] NumericGradient(double[] x, int batch, double[] p, double[] r, bool training = true, double step = 1e-6, IEnumerable<int>? only = null)
    {
        var activations = Activations(x, batch, p, training);
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
                    double plus = Dot(r, ActivationsFrom(k, activations[k], batch, q, training, null)[^1]);
                    q[j] = p[j] - step;
                    double minus = Dot(r, ActivationsFrom(k, activations[k], batch, q, training, null)[^1]);
                    gradient[j] = (plus - minus) / (2 * step);
                }
        }
        return gradient;
    }
}
