using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// The GEMM kernels against a naive double-precision product, on every path this machine runs (Vector512, Vector256,
/// Vector128, scalar), on the reference model's sizes, odd sizes, and every row and column remainder.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class GemmTests
{
    private const float Sentinel = 12345.678f;

    /// <summary>Shapes (m, n, k) every kernel is checked on: edge cases, remainders and k-blocking.</summary>
    private static readonly (int M, int N, int K)[] SmallShapes =
    [
        (1, 1, 1), (7, 13, 5), (1, 10, 1152), (2, 9, 5), (6, 16, 3), (5, 17, 4), (13, 33, 7), (12, 64, 1),
        (9, 32, 700), (11, 70, 3), (4, 100, 650), (6, 64, 0), (3, 3, 0), (17, 130, 19), (25, 48, 33), (8, 9, 2),
        (0, 5, 3), (5, 0, 3), (3, 20, 37), (1, 33, 9), (2, 5, 101), (1, 64, 13), (4, 16, 6),
    ];

    /// <summary>The reference model's products: batch 32 per thread, and batch 1 (m = pixels × batch).</summary>
    private static readonly (int M, int N, int K)[] ModelForward =
    [
        (21632, 32, 9), (3872, 64, 288), (288, 128, 576), (32, 10, 1152),
        (676, 32, 9), (121, 64, 288), (9, 128, 576), (1, 10, 1152),
    ];

    /// <summary>Weight gradients <c>patchesᵀ · dOut</c>: (taps, filters, pixels).</summary>
    private static readonly (int M, int N, int K)[] ModelWeightGradients =
        [(9, 32, 21632), (288, 64, 3872), (576, 128, 288), (1152, 10, 32)];

    /// <summary>Input gradients <c>dOut · Wᵀ</c>: (pixels, taps, filters).</summary>
    private static readonly (int M, int N, int K)[] ModelInputGradients =
        [(3872, 288, 64), (288, 576, 128), (32, 1152, 10), (121, 288, 64)];

    private static TheoryData<int, int, int, int> Cases(params (int M, int N, int K)[][] shapes)
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int width in Widths)
        foreach (var set in shapes)
        foreach (var (m, n, k) in set)
            data.Add(width, m, n, k);
        return data;
    }

    public static TheoryData<int, int, int, int> ForwardCases => Cases(SmallShapes, ModelForward);
    public static TheoryData<int, int, int, int> WeightGradientCases => Cases(SmallShapes, ModelWeightGradients);
    public static TheoryData<int, int, int, int> InputGradientCases => Cases(SmallShapes, ModelInputGradients);

    /// <summary>Every column count up to 70 (all remainders of every width, one to four registers), and every row count up to 14.</summary>
    public static TheoryData<int, int, int, int> SweepCases
    {
        get
        {
            var shapes = Enumerable.Range(1, 70).Select(n => (7, n, 3))
                .Concat(Enumerable.Range(1, 14).Select(m => (m, 19, 4)))
                .Concat(Enumerable.Range(1, 14).Select(m => (m, 64, 2)))
                .ToArray();
            return Cases(shapes);
        }
    }

    private enum Kind { Plain, TransposedA, TransposedB, TransposedBOverwrite }

    /// <summary>
    /// Runs one kernel on random operands and checks C and the memory past it: the accumulating kernels start from a
    /// random C, the overwriting one from NaN (which must not leak into the result).
    /// </summary>
    private static void CheckAccumulating(Kind kind, int width, int m, int n, int k)
    {
        int seed = m * 7919 + n * 104729 + k * 31 + (int)kind;
        var a = Random(m * k, seed);
        var b = Random(k * n, seed + 1);
        bool overwrites = kind == Kind.TransposedBOverwrite;
        var c0 = overwrites ? null : Random(m * n, seed + 2);
        var c = new float[m * n + 37];
        Array.Fill(c, Sentinel);
        if (c0 is null) c.AsSpan(0, m * n).Fill(float.NaN);
        else c0.CopyTo(c, 0);

        using (Force(width))
        {
            switch (kind)
            {
                case Kind.Plain: Gemm.MultiplyAdd(a, b, c.AsSpan(0, m * n), m, n, k); break;
                case Kind.TransposedA: Gemm.MultiplyTransposedAAdd(a, b, c.AsSpan(0, m * n), m, n, k); break;
                case Kind.TransposedB: Gemm.MultiplyTransposedBAdd(a, b, c.AsSpan(0, m * n), m, n, k); break;
                case Kind.TransposedBOverwrite: Gemm.MultiplyTransposedB(a, b, c.AsSpan(0, m * n), m, n, k); break;
            }
        }

        var (exact, bound) = Multiply(a, b, c0, null, m, n, k, kind == Kind.TransposedA, kind is Kind.TransposedB or Kind.TransposedBOverwrite);
        string what = $"{kind} {Gemm.PathName(width)} m={m} n={n} k={k}";
        AssertWithin(c, exact, bound, what);
        AssertUntouched(c, m * n, Sentinel, what);
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void MultiplyAdd_matches_the_naive_product(int width, int m, int n, int k) =>
        CheckAccumulating(Kind.Plain, width, m, n, k);

    [Theory]
    [MemberData(nameof(WeightGradientCases))]
    public void MultiplyTransposedAAdd_matches_the_naive_product(int width, int m, int n, int k) =>
        CheckAccumulating(Kind.TransposedA, width, m, n, k);

    [Theory]
    [MemberData(nameof(InputGradientCases))]
    public void MultiplyTransposedBAdd_matches_the_naive_product(int width, int m, int n, int k) =>
        CheckAccumulating(Kind.TransposedB, width, m, n, k);

    [Theory]
    [MemberData(nameof(InputGradientCases))]
    public void MultiplyTransposedB_overwrites_with_the_naive_product(int width, int m, int n, int k) =>
        CheckAccumulating(Kind.TransposedBOverwrite, width, m, n, k);

    [Theory]
    [MemberData(nameof(SweepCases))]
    public void Every_row_and_column_remainder_is_right_in_every_kernel(int width, int m, int n, int k)
    {
        CheckAccumulating(Kind.Plain, width, m, n, k);
        CheckAccumulating(Kind.TransposedA, width, m, n, k);
        CheckAccumulating(Kind.TransposedB, width, m, n, k);
        CheckAccumulating(Kind.TransposedBOverwrite, width, m, n, k);
        CheckFused(width, m, n, k, Activation.ReLU, withBias: true);
    }

    public static TheoryData<int, int, int, int, Activation, bool> FusedCases
    {
        get
        {
            var data = new TheoryData<int, int, int, int, Activation, bool>();
            (int, int, int)[] shapes = [(1, 1, 1), (7, 13, 5), (13, 33, 7), (9, 32, 700), (6, 64, 0), (3, 10, 4),
                                        (121, 64, 288), (9, 128, 576), (1, 10, 1152), (32, 10, 1152), (676, 32, 9)];
            foreach (int width in Widths)
            foreach (var (m, n, k) in shapes)
            foreach (var activation in Enum.GetValues<Activation>())
            {
                data.Add(width, m, n, k, activation, true);
                if (activation is Activation.ReLU or Activation.Linear) data.Add(width, m, n, k, activation, false);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void MultiplyBiasActivation_matches_the_naive_product(int width, int m, int n, int k, Activation activation, bool withBias) =>
        CheckFused(width, m, n, k, activation, withBias);

    private static void CheckFused(int width, int m, int n, int k, Activation activation, bool withBias)
    {
        int seed = m * 7919 + n * 104729 + k * 31 + (int)activation;
        var a = Random(m * k, seed);
        var b = Random(k * n, seed + 1);
        var bias = withBias ? Random(n, seed + 2) : [];
        var c = new float[m * n + 19];
        Array.Fill(c, Sentinel);
        c.AsSpan(0, m * n).Fill(float.NaN); // overwritten, never read

        using (Force(width))
            Gemm.MultiplyBiasActivation(a, b, bias, c.AsSpan(0, m * n), m, n, k, activation);

        var (logits, bound) = Multiply(a, b, null, bias, m, n, k);
        var expected = new double[m * n];
        var tolerance = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            if (activation == Activation.Softmax)
            {
                double max = double.NegativeInfinity, sum = 0, worst = 0;
                for (int j = 0; j < n; j++) { max = Math.Max(max, logits[i * n + j]); worst = Math.Max(worst, bound[i * n + j]); }
                for (int j = 0; j < n; j++) sum += Math.Exp(logits[i * n + j] - max);
                for (int j = 0; j < n; j++)
                {
                    expected[i * n + j] = Math.Exp(logits[i * n + j] - max) / sum;
                    tolerance[i * n + j] = 2 * worst + 1e-6; // |Δy| ≤ 2·max|Δlogit|·y, plus exp's rounding
                }
            }
            else
            {
                for (int j = 0; j < n; j++)
                {
                    expected[i * n + j] = Activate(activation, logits[i * n + j]);
                    tolerance[i * n + j] = bound[i * n + j] + (activation is Activation.Sigmoid or Activation.Tanh ? 1e-6 : 0);
                }
            }
        }
        string what = $"MultiplyBiasActivation {activation} {(withBias ? "bias" : "no bias")} {Gemm.PathName(width)} m={m} n={n} k={k}";
        AssertWithin(c, expected, tolerance, what);
        AssertUntouched(c, m * n, Sentinel, what);
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Fused_ReLU_keeps_NaN_like_the_separate_pass(int width)
    {
        const int M = 7, N = 19, K = 3;
        var a = Random(M * K, 1);
        a[2 * K + 1] = float.NaN; // row 2 turns NaN
        var b = Random(K * N, 2);
        var c = new float[M * N];
        using (Force(width))
            Gemm.MultiplyBiasActivation(a, b, [], c, M, N, K, Activation.ReLU);
        for (int j = 0; j < N; j++) Assert.True(float.IsNaN(c[2 * N + j]), $"column {j} of the NaN row is {c[2 * N + j]}");
        Assert.DoesNotContain(c.Take(2 * N), float.IsNaN);
        Assert.All(c.Where(x => !float.IsNaN(x)), x => Assert.True(x >= 0));
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public unsafe void A_B_packed_in_panels_gives_the_same_bits_as_row_by_row(int width)
    {
        // Inference's prepared kernels are packed in the path's panels, so a panel's sweep reads memory in order. The
        // same numbers meet in the same order: identical results, with the bias, ReLU, accumulation, a narrower last
        // panel (n not a multiple) and k cut into blocks (k > 640).
        int panel = Gemm.PanelColumns(width);
        foreach (var (m, n, k) in new[] { (1, 128, 2048), (9, 130, 128), (36, 256, 64), (7, 3, 5), (100, 2 * panel + 1, 1300) })
        {
            var a = Random(m * k, 1);
            var b = Random(k * n, 2);
            var bias = Random(n, 3);
            var packed = new float[k * n];
            Gemm.PackPanels(b, packed, k, n, panel);
            foreach (bool accumulate in new[] { false, true })
            {
                var rowByRow = Random(m * n, 4);
                var fromPanels = (float[])rowByRow.Clone();
                fixed (float* pa = a, pb = b, pp = packed, pbias = bias, c1 = rowByRow, c2 = fromPanels)
                {
                    Gemm.RunOnWidth(width, pa, k, 1, pb, n, c1, m, n, k, accumulate ? null : pbias, accumulate, relu: !accumulate);
                    Gemm.RunOnWidth(width, pa, k, 1, pp, 0, c2, m, n, k, accumulate ? null : pbias, accumulate, relu: !accumulate, packedB: true);
                }
                Assert.True(rowByRow.AsSpan().SequenceEqual(fromPanels), $"{Gemm.PathName(width)} m={m} n={n} k={k} accumulate={accumulate}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void A_product_split_by_rows_between_threads_is_bit_identical(int width)
    {
        // Single-image inference shares a product's rows with the worker team; the cut at a multiple of the six-row
        // tile must leave every row computed exactly as before, on the caller's (here forced) path.
        foreach (var (m, n, k) in new[] { (1000, 40, 300), (97, 64, 288), (13, 130, 4096), (1536, 32, 27) })
        {
            var a = Random(m * k, 1);
            var b = Random(k * n, 2);
            var bias = Random(n, 3);
            var alone = new float[m * n];
            float[] split;
            using (Force(width))
            {
                Gemm.MultiplyBiasActivation(a, b, bias, alone, m, n, k, Activation.ReLU);
                split = TeamSplit.UntilSplit(() => GemmRowSplit.t_splits, () =>
                {
                    var c = new float[m * n];
                    Gemm.MultiplyBiasActivation(a, b, bias, c, m, n, k, Activation.ReLU);
                    return c;
                });
            }
            Assert.True(alone.AsSpan().SequenceEqual(split), $"{Gemm.PathName(width)} m={m} n={n} k={k}");
        }
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void A_packed_kernel_gives_the_row_major_bits_alone_or_split_by_rows_or_columns(int width)
    {
        // Inference's im2col convs read a prepared kernel packed in the path's panels, through the public overload; at
        // batch 1 a deep layer's product (few rows, many columns) is shared by columns, each thread its panels of B.
        int panel = Gemm.PanelColumns(width);
        foreach (var (m, n, k) in new[] { (49, 4 * panel + 3, 1400), (13, 130, 1500), (300, 70, 150), (2, 3 * panel, 100_000 / panel + 1) })
        {
            var a = Random(m * k, 1);
            var b = Random(k * n, 2);
            var bias = Random(n, 3);
            var packed = new float[k * n];
            Gemm.PackPanels(b, packed, k, n, panel);
            var rowMajor = new float[m * n];
            var alone = new float[m * n];
            float[] packedSplit, rowMajorSplit;
            using (Force(width))
            {
                Gemm.MultiplyBiasActivation(a, b, bias, rowMajor, m, n, k, Activation.ReLU);
                Gemm.MultiplyBiasActivation(a, packed, panel, bias, alone, m, n, k, Activation.ReLU);
                packedSplit = TeamSplit.UntilSplit(() => GemmRowSplit.t_splits, () =>
                {
                    var c = new float[m * n];
                    Gemm.MultiplyBiasActivation(a, packed, panel, bias, c, m, n, k, Activation.ReLU);
                    return c;
                });
                rowMajorSplit = TeamSplit.UntilSplit(() => GemmRowSplit.t_splits, () =>
                {
                    var c = new float[m * n];
                    Gemm.MultiplyBiasActivation(a, b, bias, c, m, n, k, Activation.ReLU);
                    return c;
                });
            }
            string what = $"{Gemm.PathName(width)} m={m} n={n} k={k}";
            Assert.True(rowMajor.AsSpan().SequenceEqual(alone), "packed, alone: " + what);
            Assert.True(rowMajor.AsSpan().SequenceEqual(packedSplit), "packed, split: " + what);
            Assert.True(rowMajor.AsSpan().SequenceEqual(rowMajorSplit), "row-major, split: " + what);
            var (exact, bound) = Multiply(a, b, null, bias, m, n, k);
            AssertWithin(rowMajor, exact.Select(x => Activate(Activation.ReLU, x)).ToArray(), bound, what); // ReLU moves no error up
        }
    }

    [Fact]
    public void A_kernel_packed_for_another_path_is_refused()
    {
        var a = Random(4 * 8, 1);
        var b = Random(8 * 100, 2);
        var c = new float[4 * 100];
        int other = Gemm.PanelColumns(Gemm.VectorWidth) + 1;
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBiasActivation(a, b, other, [], c, 4, 100, 8, Activation.Linear));
        Assert.Contains($"panels of {other} columns", error.Message);
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Rows_in_blocks_give_the_same_bits_as_one_block(int width)
    {
        // A tall A is swept in blocks of rows (each under every panel of B before the next) so it is read from memory
        // once; the blocks hold whole six-row tiles, so every element is summed as in one sweep of all rows.
        int saved = Gemm.RowBlockFloats;
        try
        {
            foreach (var (m, n, k, transposedA) in new[] { (1000, 70, 147, false), (333, 40, 700, false), (500, 33, 90, true) })
            {
                var a = Random(m * k, 1);
                var b = Random(k * n, 2);
                float[] Product(int blockFloats)
                {
                    Gemm.RowBlockFloats = blockFloats;
                    var c = Random(m * n, 3);
                    using (Force(width))
                    {
                        if (transposedA) Gemm.MultiplyTransposedAAdd(a, b, c, m, n, k); // a is k×m here
                        else Gemm.MultiplyAdd(a, b, c, m, n, k);
                    }
                    return c;
                }
                var whole = Product(int.MaxValue);
                foreach (int blockFloats in new[] { 1, 7 * k, 64 * k, 32 * 1024 })
                    Assert.True(whole.AsSpan().SequenceEqual(Product(blockFloats)), $"{Gemm.PathName(width)} m={m} n={n} k={k} transposedA={transposedA} block={blockFloats}");
            }
        }
        finally
        {
            Gemm.RowBlockFloats = saved;
        }
    }

    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Kernels_allocate_nothing_once_warmed_up(int width)
    {
        // conv2d_1's products, and the dense layer's narrow ones.
        var a = Random(3872 * 288, 1);
        var b = Random(288 * 64, 2);
        var c = new float[3872 * 288];
        var bias = Random(288, 3);
        using (Force(width))
        {
            void Run()
            {
                Gemm.MultiplyAdd(a, b, c, 3872, 64, 288);
                Gemm.MultiplyBiasActivation(a, b, bias.AsSpan(0, 64), c, 3872, 64, 288, Activation.ReLU);
                Gemm.MultiplyBiasActivation(a, b, bias.AsSpan(0, 10), c, 32, 10, 1152, Activation.Softmax);
                Gemm.MultiplyTransposedAAdd(a, c, b, 288, 64, 3872); // patches[3872×288]ᵀ · dOut[3872×64] → dW[288×64]
                Gemm.MultiplyTransposedBAdd(a, b, c, 3872, 288, 64); // dOut[3872×64] · W[288×64]ᵀ → dPatches[3872×288]
                Gemm.MultiplyTransposedBAdd(a, b, c, 32, 1152, 10);
                Gemm.MultiplyTransposedB(a, b, c, 3872, 288, 64);
                Gemm.Transpose(b, c, 288, 64);
            }
            // SteadyStateAllocation warms up first: JIT, static constructors, the packing buffer.
            long allocated = SteadyStateAllocation.Measure(() =>
            {
                for (int i = 0; i < 3; i++) Run();
            });
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void Short_spans_are_rejected_with_the_sizes()
    {
        var small = new float[5];
        var big = new float[100];
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(small, big, big, 2, 3, 4));
        Assert.Contains("2×4", e.Message);
        Assert.Contains("a has 5 of 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedAAdd(big, small, big, 2, 3, 4));
        Assert.Contains("b 5 of 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedBAdd(big, big, small, 2, 3, 4));
        Assert.Contains("c 5 of 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB(big, small, big, 2, 3, 4));
        Assert.Contains("3×4 (transposed)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBiasActivation(big, big, small, big, 2, 3, 4, Activation.ReLU));
        Assert.Contains("bias has 5", e.Message);
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyBiasActivation(small, big, [], big, 2, 3, 4, Activation.Linear));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(big, big, big, -1, 3, 4));
        Assert.Throws<ArgumentException>(() => Gemm.Transpose(small, big, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyBiasActivation(big, big, [], big, 2, 3, 4, (Activation)99));
    }

    [Fact]
    public void Empty_products_leave_C_alone_or_set_it_to_the_activated_bias()
    {
        var c = new float[] { 1, -2, 3, -4, 5, -6 };
        Gemm.MultiplyAdd([], [], c, 2, 3, 0);
        Assert.Equal([1, -2, 3, -4, 5, -6], c);
        Gemm.MultiplyBiasActivation([], [], new float[] { -1, 2, 3 }, c, 2, 3, 0, Activation.ReLU);
        Assert.Equal([0, 2, 3, 0, 2, 3], c);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 13)]
    [InlineData(288, 64)]
    [InlineData(33, 17)]
    public void Transpose_swaps_rows_and_columns(int rows, int cols)
    {
        var source = Random(rows * cols, rows + cols);
        var destination = new float[rows * cols];
        Gemm.Transpose(source, destination, rows, cols);
        for (int r = 0; r < rows; r++)
        for (int col = 0; col < cols; col++)
            Assert.Equal(source[r * cols + col], destination[col * rows + r]);
    }

    [Fact]
    public void The_path_names_the_widest_accelerated_width()
    {
        Assert.Equal(Widths.First(), Gemm.VectorWidth);
        Assert.Equal(Gemm.PathName(Gemm.VectorWidth), Gemm.HardwarePath);
    }

    public static TheoryData<int, int, int> TransposeCases
    {
        get
        {
            var data = new TheoryData<int, int, int>();
            foreach (int width in Widths)
            foreach (var (rows, cols) in new[] { (1, 1), (3, 5), (8, 8), (9, 17), (16, 8), (576, 128), (128, 576), (23, 64), (64, 23), (7, 100) })
                data.Add(width, rows, cols);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCases))]
    public void Transpose_moves_every_element_and_nothing_else(int width, int rows, int cols)
    {
        var source = Random(rows * cols, seed: rows * 31 + cols);
        var destination = new float[rows * cols + 5];
        destination.AsSpan().Fill(Sentinel);
        using (Force(width))
            Gemm.Transpose(source, destination, rows, cols);
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            Assert.True(destination[c * rows + r] == source[r * cols + c], $"element ({r}, {c}): {destination[c * rows + r]}, expected {source[r * cols + c]}");
        AssertUntouched(destination, rows * cols, Sentinel, "Transpose");
    }
}
