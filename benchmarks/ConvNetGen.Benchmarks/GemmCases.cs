using ConvNetGen.Kernels;

namespace ConvNetGen.Benchmarks;

/// <summary>Which implementation a <see cref="GemmCase"/> runs.</summary>
public enum GemmKernel
{
    /// <summary><see cref="Gemm.MultiplyAdd"/>: C += A·B.</summary>
    MultiplyAdd,
    /// <summary><see cref="Gemm.MultiplyBiasActivation"/> with the layer's activation: C = act(A·B + bias).</summary>
    MultiplyBiasActivation,
    /// <summary><see cref="Gemm.MultiplyTransposedAAdd"/>: C += Aᵀ·B, A stored k×m.</summary>
    MultiplyTransposedAAdd,
    /// <summary><see cref="Gemm.MultiplyTransposedBAdd"/>: C += A·Bᵀ, B stored n×k.</summary>
    MultiplyTransposedBAdd,
    /// <summary><see cref="Gemm.MultiplyTransposedB"/>: C = A·Bᵀ (overwriting), B stored n×k.</summary>
    MultiplyTransposedB,
    /// <summary>C = A·B (overwriting) with B packed in the path's panels (<see cref="Gemm.PackPanels"/>), as inference's prepared kernels are.</summary>
    MultiplyPacked,
    /// <summary>The first kernel (<see cref="LegacyGemm"/>), as the generated code first called it: for the transposed
    /// products a <see cref="LegacyGemm.Transpose"/> first; for the fused one a bias copy before and an activation pass after.</summary>
    Legacy,
}

/// <summary>One product of the reference model at its real size, on one path.</summary>
public sealed class GemmCase
{
    public GemmCase(string layer, GemmKernel kernel, GemmKernel shape, int m, int n, int k, Activation activation, int width)
    {
        Layer = layer; Kernel = kernel; Shape = shape; M = m; N = n; K = k; Activation = activation; Width = width;
    }

    /// <summary>The layer and pass, e.g. "conv2d_1 fwd" or "b1 conv2d_1 fwd" (batch 1).</summary>
    public string Layer { get; }
    public GemmKernel Kernel { get; }
    /// <summary>The product this is (for <see cref="GemmKernel.Legacy"/>, which new kernel it stands in for).</summary>
    public GemmKernel Shape { get; }
    public int M { get; }
    public int N { get; }
    public int K { get; }
    public Activation Activation { get; }
    /// <summary>Bits per register forced on the path (0: the widest the machine accelerates).</summary>
    public int Width { get; }

    public double Flops => 2.0 * M * N * K;
    public string PathName => Kernel == GemmKernel.Legacy ? "Vector<T>" : Gemm.PathName(Width == 0 ? Gemm.VectorWidth : Width);
    public string KernelName => Kernel == GemmKernel.Legacy ? $"Legacy({Shape})" : Kernel.ToString();
    public override string ToString() => $"{Layer} {KernelName} {M}x{N}x{K} {PathName}";

    /// <summary>The reference model's products: batch 32 per thread (64 over two threads) and batch 1.</summary>
    public static IEnumerable<(string Layer, GemmKernel Shape, int M, int N, int K, Activation Activation)> ModelProducts()
    {
        yield return ("conv2d_1 fwd", GemmKernel.MultiplyAdd, 3872, 64, 288, Activation.ReLU);
        yield return ("conv2d_1 fwd", GemmKernel.MultiplyBiasActivation, 3872, 64, 288, Activation.ReLU);
        yield return ("conv2d_1 dW", GemmKernel.MultiplyTransposedAAdd, 288, 64, 3872, Activation.Linear);
        yield return ("conv2d_1 dX", GemmKernel.MultiplyTransposedBAdd, 3872, 288, 64, Activation.Linear);
        yield return ("conv2d_1 dX", GemmKernel.MultiplyTransposedB, 3872, 288, 64, Activation.Linear);
        yield return ("conv2d fwd", GemmKernel.MultiplyBiasActivation, 21632, 32, 9, Activation.ReLU);
        yield return ("conv2d dW", GemmKernel.MultiplyTransposedAAdd, 9, 32, 21632, Activation.Linear);
        yield return ("conv2d_2 fwd", GemmKernel.MultiplyBiasActivation, 288, 128, 576, Activation.ReLU);
        yield return ("conv2d_2 dW", GemmKernel.MultiplyTransposedAAdd, 576, 128, 288, Activation.Linear);
        yield return ("conv2d_2 dX", GemmKernel.MultiplyTransposedBAdd, 288, 576, 128, Activation.Linear);
        yield return ("dense fwd", GemmKernel.MultiplyBiasActivation, 32, 10, 1152, Activation.Softmax);
        yield return ("dense dW", GemmKernel.MultiplyTransposedAAdd, 1152, 10, 32, Activation.Linear);
        yield return ("dense dX", GemmKernel.MultiplyTransposedBAdd, 32, 1152, 10, Activation.Linear);
        yield return ("b1 conv2d fwd", GemmKernel.MultiplyBiasActivation, 676, 32, 9, Activation.ReLU);
        yield return ("b1 conv2d_1 fwd", GemmKernel.MultiplyBiasActivation, 121, 64, 288, Activation.ReLU);
        yield return ("b1 conv2d_2 fwd", GemmKernel.MultiplyBiasActivation, 9, 128, 576, Activation.ReLU);
        yield return ("b1 dense fwd", GemmKernel.MultiplyBiasActivation, 1, 10, 1152, Activation.Softmax);
        // ResNet18 at batch 1 (its im2col products): the 7×7/2 stem, a 3×3/2 downsampling conv, the last stage's 3×3s.
        yield return ("r18 conv1 fwd", GemmKernel.MultiplyBiasActivation, 12544, 64, 147, Activation.Linear);
        yield return ("r18 s2down fwd", GemmKernel.MultiplyBiasActivation, 784, 128, 576, Activation.Linear);
        yield return ("r18 s4down fwd", GemmKernel.MultiplyBiasActivation, 49, 512, 2304, Activation.Linear);
        yield return ("r18 s4 fwd", GemmKernel.MultiplyBiasActivation, 49, 512, 4608, Activation.Linear);
    }

    /// <summary>
    /// Every model product on <paramref name="widths"/> (0 = the machine's path), plus the legacy kernel on each when
    /// <paramref name="legacy"/>.
    /// </summary>
    public static List<GemmCase> Build(IEnumerable<int> widths, bool legacy)
    {
        var cases = new List<GemmCase>();
        foreach (var (layer, shape, m, n, k, activation) in ModelProducts())
        {
            foreach (int width in widths)
                cases.Add(new GemmCase(layer, shape, shape, m, n, k, activation, width));
            if (legacy) cases.Add(new GemmCase(layer, GemmKernel.Legacy, shape, m, n, k, activation, 0));
        }
        return cases;
    }

    /// <summary>The widths this machine runs, widest first: 512, 256, 128, 32 (scalar).</summary>
    public static IEnumerable<int> SupportedWidths => new[] { 512, 256, 128, 32 }.Where(Gemm.IsSupported);
}

/// <summary>Operands for one <see cref="GemmCase"/>, allocated once; <see cref="Run"/> does one product.</summary>
public sealed class GemmOperands
{
    private readonly GemmCase _case;
    private readonly float[] _a, _b, _c, _bias, _scratch;

    public GemmOperands(GemmCase gemmCase)
    {
        _case = gemmCase;
        var random = new Random(7);
        float[] Fill(int length) { var x = new float[length]; for (int i = 0; i < length; i++) x[i] = random.NextSingle() - 0.5f; return x; }
        _a = Fill(gemmCase.M * gemmCase.K);
        _b = Fill(gemmCase.K * gemmCase.N);
        _c = Fill(gemmCase.M * gemmCase.N);
        _bias = Fill(gemmCase.N);
        _scratch = new float[Math.Max(gemmCase.M * gemmCase.K, gemmCase.K * gemmCase.N)];
        if (gemmCase.Kernel == GemmKernel.MultiplyPacked)
            Gemm.PackPanels(_b, _scratch, gemmCase.K, gemmCase.N, Gemm.PanelColumns(gemmCase.Width == 0 ? Gemm.VectorWidth : gemmCase.Width));
    }

    public void Run()
    {
        var g = _case;
        int m = g.M, n = g.N, k = g.K;
        if (g.Kernel == GemmKernel.Legacy)
        {
            switch (g.Shape)
            {
                case GemmKernel.MultiplyAdd:
                    LegacyGemm.MultiplyAdd(_a, _b, _c, m, n, k);
                    break;
                case GemmKernel.MultiplyBiasActivation:
                    for (int row = 0; row < m; row++) _bias.CopyTo(_c.AsSpan(row * n, n));
                    LegacyGemm.MultiplyAdd(_a, _b, _c, m, n, k);
                    Activations.Forward(g.Activation, _c, n);
                    break;
                case GemmKernel.MultiplyTransposedAAdd:
                    LegacyGemm.Transpose(_a, _scratch, k, m);
                    LegacyGemm.MultiplyAdd(_scratch, _b, _c, m, n, k);
                    break;
                case GemmKernel.MultiplyTransposedBAdd or GemmKernel.MultiplyTransposedB:
                    if (g.Shape == GemmKernel.MultiplyTransposedB) _c.AsSpan().Clear();
                    LegacyGemm.Transpose(_b, _scratch, n, k);
                    LegacyGemm.MultiplyAdd(_a, _scratch, _c, m, n, k);
                    break;
            }
            return;
        }
        int previous = Gemm.ForcedWidth;
        Gemm.ForcedWidth = g.Width;
        try
        {
            switch (g.Kernel)
            {
                case GemmKernel.MultiplyAdd: Gemm.MultiplyAdd(_a, _b, _c, m, n, k); break;
                case GemmKernel.MultiplyBiasActivation: Gemm.MultiplyBiasActivation(_a, _b, _bias, _c, m, n, k, g.Activation); break;
                case GemmKernel.MultiplyTransposedAAdd: Gemm.MultiplyTransposedAAdd(_a, _b, _c, m, n, k); break;
                case GemmKernel.MultiplyTransposedBAdd: Gemm.MultiplyTransposedBAdd(_a, _b, _c, m, n, k); break;
                case GemmKernel.MultiplyTransposedB: Gemm.MultiplyTransposedB(_a, _b, _c, m, n, k); break;
                case GemmKernel.MultiplyPacked: RunPacked(m, n, k); break;
            }
        }
        finally { Gemm.ForcedWidth = previous; }
    }

    private unsafe void RunPacked(int m, int n, int k)
    {
        fixed (float* a = _a, b = _scratch, c = _c)
            Gemm.RunOnWidth(Gemm.ActiveWidth, a, k, 1, b, n, c, m, n, k, null, accumulate: false, relu: false, packedB: true);
    }
}
