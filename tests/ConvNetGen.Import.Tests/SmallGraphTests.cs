using ConvNetGen.Import.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static ConvNetGen.Import.Onnx.OnnxAttribute;

namespace ConvNetGen.Import.Tests;

/// <summary>Translations the ResNet18 graph does not exercise: fusions, Flatten + Gemm, Keras' same padding.</summary>
public sealed class SmallGraphTests
{
    [Fact]
    public void Conv_relu_fuses_and_flatten_gemm_softmax_becomes_a_softmax_dense()
    {
        var g = new GraphBuilder(3, 8, 8);
        string conv = g.Conv("Conv1", "x", 3, 4, 3, IntList("pads", 1, 1, 1, 1), IntList("strides", 2, 2));
        // Keras' same padding at stride 2 on 8 is 0 top, 1 bottom: ONNX's [1, 1, 1, 1] is not it, so a ZeroPadding2D.
        string relu = g.Node("Relu", "Relu1", [conv]);
        string flat = g.Node("Flatten", "Flatten1", [relu]);
        string fc = g.Node("Gemm", "Fc", [flat, g.Weight("fc_w", 5, 64), g.Weight("fc_b", 5)], Int("transB", 1));
        var model = g.Output(g.Node("Softmax", "Prob", [fc]), 1, 5);
        string code = Importer.Import(model, "Small", "Tests", "small.onnx").ClassSource();
        Assert.Contains("""
            [Input(8, 8, 3)]
            [ZeroPadding2D(1, Name = "conv1_pad")]
            [Conv2D(4, 3, Strides = 2, UseBias = false, Activation = Activation.ReLU, Name = "conv1")]
            [Flatten(Name = "flatten1")]
            [Dense(5, Activation = Activation.Softmax, Name = "fc")]
            public partial class Small;
            """.ReplaceLineEndings("\n"), code);
    }

    [Fact]
    public void Exactly_Keras_same_padding_is_Padding_Same_and_a_relu_after_a_conv_with_two_readers_stays_a_layer()
    {
        var g = new GraphBuilder(3, 8, 8);
        string conv = g.Conv("conv1", "x", 3, 4, 3, IntList("pads", 0, 0, 1, 1), IntList("strides", 2, 2));
        string relu = g.Node("Relu", "relu1", [conv]);
        string a = g.Node("MaxPool", "pool", [relu], IntList("kernel_shape", 3, 3), IntList("strides", 1, 1), IntList("pads", 1, 1, 1, 1));
        var model = g.Output(g.Node("Add", "sum", [a, conv]), 1, 4, 4, 4);
        string code = Importer.Import(model, "Small", null).ClassSource();
        Assert.Contains("""
            [Conv2D(4, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "conv1")]
            [Activation(Activation.ReLU, Name = "relu1")]
            [MaxPooling2D(3, Strides = 1, Padding = Padding.Same, Name = "pool")]
            [Add("pool", "conv1", Name = "sum")]
            """.ReplaceLineEndings("\n"), code);
    }

    [Fact]
    public void Averages_counting_the_padding_zero_pad_those_leaving_it_out_at_Keras_same_use_Same_and_dead_nodes_are_left_out()
    {
        var g = new GraphBuilder(3, 8, 8);
        string counted = g.Node("AveragePool", "avg1", ["x"], IntList("kernel_shape", 3, 3), IntList("pads", 1, 1, 1, 1), Int("count_include_pad", 1));
        string excluded = g.Node("AveragePool", "avg2", [counted], IntList("kernel_shape", 3, 3), IntList("pads", 1, 1, 1, 1));
        g.Node("Relu", "unused", [counted]);
        var import = Importer.Import(g.Output(excluded, 1, 3, 8, 8), "Small", null);
        Assert.Contains("""
            [ZeroPadding2D(1, Name = "avg1_pad")]
            [AveragePooling2D(3, Strides = 1, Name = "avg1")]
            [AveragePooling2D(3, Strides = 1, Padding = Padding.Same, Name = "avg2")]
            public partial class Small;
            """.ReplaceLineEndings("\n"), import.ClassSource());
        Assert.Equal(["Relu 'unused' does not reach the graph output; left out"], import.Warnings);
    }

    [Fact]
    public void A_dense_after_flattening_a_map_permutes_its_rows_from_ONNXs_CHW_order_to_our_HWC_order()
    {
        const int c = 3, h = 2, w = 4, units = 5;
        var g = new GraphBuilder(c, h, w);
        string flat = g.Node("Flatten", "flat", ["x"]);
        var model = g.Output(g.Node("Gemm", "fc", [flat, g.Weight("fc_w", units, c * h * w), g.Weight("fc_b", units)], Int("transB", 1)), 1, units);
        var import = Importer.Import(model, "Small", null);
        var dense = import.Layers.Single(l => l.Name == "fc");
        float[] kernel = dense.Weights.Single(x => x.Name == "kernel").Values, bias = dense.Weights.Single(x => x.Name == "bias").Values;

        var random = new Random(7);
        var nchw = Enumerable.Range(0, c * h * w).Select(_ => (float)random.NextDouble()).ToArray();
        using var session = new InferenceSession(model.ToBytes());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(nchw, [1, c, h, w]))]);
        float[] expected = results.Single().AsEnumerable<float>().ToArray();

        // Ours: the same image channels last, flattened (h, w, c), times the imported (inputs, units) kernel.
        var nhwc = new float[nchw.Length];
        for (int cc = 0; cc < c; cc++)
        for (int i = 0; i < h * w; i++)
            nhwc[i * c + cc] = nchw[cc * h * w + i];
        for (int u = 0; u < units; u++)
        {
            float sum = bias[u];
            for (int i = 0; i < nhwc.Length; i++) sum += nhwc[i] * kernel[i * units + u];
            Assert.Equal(expected[u], sum, 1e-5f);
        }
    }

    [Fact]
    public void Reshape_MatMul_Add_Softmax_is_a_softmax_Dense_with_a_bias()
    {
        var g = new GraphBuilder(4, 1, 1);
        var shape = new OnnxTensor { Name = "shape", DataType = OnnxTensor.Int64Type, Int64Data = [1, -1] };
        shape.Dims.Add(2);
        g.Model.Graph.Initializers.Add(shape);
        string flat = g.Node("Reshape", "flat", ["x", "shape"]);
        string product = g.Node("MatMul", "fc", [flat, g.Weight("fc_w", 4, 3)]);
        string sum = g.Node("Add", "fc_bias", [product, g.Weight("fc_b", 3)]);
        var import = Importer.Import(g.Output(g.Node("Softmax", "prob", [sum]), 1, 3), "Small", null);
        Assert.Contains("""
            [Input(1, 1, 4)]
            [Flatten(Name = "flat")]
            [Dense(3, Activation = Activation.Softmax, Name = "fc")]
            public partial class Small;
            """.ReplaceLineEndings("\n"), import.ClassSource());
        var dense = import.Layers.Single(l => l.Name == "fc");
        Assert.Equal(["kernel", "bias"], dense.Weights.Select(w => w.Name));
        Assert.Equal([4, 3], dense.Weights[0].Shape);
    }

    [Fact]
    public void Dump_lists_the_nodes_with_their_attributes()
    {
        string text = Dump.Describe(OnnxModel.Load(TestPaths.ResNet18Onnx));
        Assert.StartsWith("ir_version 3, producer CNTK 2.6, opsets ai.onnx 8\ninput  Input247 [1, 3, 224, 224]\noutput Pooling395_Output_0 [1, 512, 1, 1]\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("Conv 'Convolution249' (Input247, Parameter91[64x3x7x7]) -> (Convolution249_Output_0) kernel_shape=[7, 7] strides=[2, 2] auto_pad=\"NOTSET\" group=1 dilations=[1, 1] pads=[3, 3, 2, 2]", text);
    }

    [Fact]
    public void The_writer_round_trips_the_ResNet18_graph()
    {
        var model = OnnxModel.Load(TestPaths.ResNet18Onnx);
        var again = OnnxModel.Parse(model.ToBytes());
        Assert.Equal(Dump.Describe(model), Dump.Describe(again));
        Assert.Equal(model.Graph.Initializers.Select(t => t.FloatData.Length), again.Graph.Initializers.Select(t => t.FloatData.Length));
    }
}
