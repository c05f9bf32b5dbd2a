using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvNetGen.Onnx.Tests;

/// <summary>Runs exported models in ONNX Runtime and compares them with <see cref="Model.Predict(ReadOnlySpan{float}, Span{float})"/>.</summary>
internal static class OnnxHarness
{
    /// <summary>
    /// The floor of the relative difference's denominator, as a fraction of the largest |expected| output: a value
    /// near zero comes out of cancellations (a sum of terms of the outputs' size), where float32's error is relative
    /// to those terms, not to the tiny result. At 1e-3 the tests' 1e-5 allowed a small output 1e-8 of the largest:
    /// under one float32 step of the terms, so one rounding of a different summation order failed it (VectorNet on an
    /// AVX-512 machine: -0.0052706 against -0.0052705, 1.4e-7 apart, outputs up to 1.16). At 0.1 a small output may be
    /// 1e-6 of the largest away (about eight float32 steps of it); any wrong operation is far beyond that.
    /// </summary>
    public const double RelativeFloor = 0.1;

    /// <summary>Gives every weight a seeded random value that looks trained: kernels keep their glorot values, biases and
    /// BatchNormalization's parameters and moving statistics (variance positive) become random.</summary>
    public static T Randomised<T>(T model, int seed) where T : Model
    {
        var random = new Random(seed);
        float Uniform(double lo, double hi) => (float)(lo + (hi - lo) * random.NextDouble());
        foreach (var layer in model.Definition.Layers)
        foreach (var weight in layer.Weights)
        {
            var values = model.Weights($"{layer.Name}/{weight.Name}");
            for (int i = 0; i < values.Length; i++)
                values[i] = weight.Name switch
                {
                    "kernel" => values[i] + Uniform(-0.05, 0.05),
                    "bias" => Uniform(-0.2, 0.2),
                    "gamma" => Uniform(0.5, 1.5),
                    "beta" => Uniform(-0.3, 0.3),
                    "moving_mean" => Uniform(-0.3, 0.3),
                    "moving_variance" => Uniform(0.2, 2.0),
                    _ => Uniform(-0.5, 0.5),
                };
        }
        return model;
    }

    public static float[] RandomInputs(Model model, int batch, int seed)
    {
        var random = new Random(seed);
        var x = new float[batch * model.Definition.InputShape.ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        return x;
    }

    public static float[] Predict(Model model, float[] inputs, int batch)
    {
        var y = new float[batch * model.Definition.OutputShape.ElementCount];
        model.Predict(inputs, y);
        return y;
    }

    /// <summary>NHWC samples to NCHW (or back with <paramref name="toChannelsFirst"/> false); shape is one sample's (h, w, c).</summary>
    public static float[] Transpose(float[] x, TensorShape shape, int batch, bool toChannelsFirst)
    {
        if (shape.Rank != 3) return x;
        int h = shape[0], w = shape[1], c = shape[2];
        var y = new float[x.Length];
        for (int n = 0; n < batch; n++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        for (int k = 0; k < c; k++)
        {
            int nhwc = ((n * h + i) * w + j) * c + k, nchw = ((n * c + k) * h + i) * w + j;
            if (toChannelsFirst) y[nchw] = x[nhwc];
            else y[nhwc] = x[nchw];
        }
        return y;
    }

    public static InferenceSession Session(string path, GraphOptimizationLevel level)
    {
        var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(path, options);
    }

    /// <summary>Runs the session on the inputs (in the session's layout) and gives the output with its shape.</summary>
    public static (float[] Values, int[] Shape) Run(InferenceSession session, float[] inputs, int[] shape)
    {
        string inputName = session.InputMetadata.Keys.Single();
        var tensor = new DenseTensor<float>(inputs, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
        var output = results.Single().AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray());
    }

    /// <summary>max |a − b| / max(|b|, floor), the floor <see cref="RelativeFloor"/> × max |b| (and at least 1e-30).</summary>
    public static double MaxRelativeDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        double floor = Math.Max(RelativeFloor * scale, 1e-30), worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            worst = Math.Max(worst, d / Math.Max(Math.Abs(expected[i]), floor));
        }
        return worst;
    }

    private static int[] BatchShape(TensorShape shape, int batch, bool nchw) =>
        nchw && shape.Rank == 3 ? [batch, shape[2], shape[0], shape[1]] : [batch, .. shape];

    /// <summary>Exports <paramref name="model"/>, runs it at <paramref name="batch"/> and gives the largest relative difference from Predict.</summary>
    public static double Compare(Model model, string path, OnnxLayout layout, int batch, GraphOptimizationLevel level, int seed = 7)
    {
        var inputs = RandomInputs(model, batch, seed);
        var expected = Predict(model, inputs, batch);
        bool nchw = layout == OnnxLayout.Nchw;
        var inputShape = model.Definition.InputShape;
        int[] shape = BatchShape(inputShape, batch, nchw);
        using var session = Session(path, level);
        var (actual, outShape) = Run(session, nchw ? Transpose(inputs, inputShape, batch, toChannelsFirst: true) : inputs, shape);
        var outputShape = model.Definition.OutputShape;
        int[] wantOut = BatchShape(outputShape, batch, nchw);
        Assert.Equal(wantOut, outShape);
        if (nchw) actual = Transpose(actual, outputShape, batch, toChannelsFirst: false);
        return MaxRelativeDifference(actual, expected);
    }
}
