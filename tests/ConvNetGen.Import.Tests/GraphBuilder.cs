using ConvNetGen.Import.Onnx;

namespace ConvNetGen.Import.Tests;

/// <summary>Small ONNX graphs for the tests, written with the importer's own protobuf classes.</summary>
sealed class GraphBuilder
{
    readonly Random _random = new(1);
    public OnnxModel Model { get; } = new() { IrVersion = 7, ProducerName = "tests" };
    OnnxGraph Graph => Model.Graph;

    public GraphBuilder(int channels, int height, int width, long opset = 13)
    {
        Model.Opsets.Add(("", opset));
        Graph.Name = "test";
        Graph.Inputs.Add(OnnxValueInfo.Float("x", 1, channels, height, width));
    }

    public string Weight(string name, params long[] dims)
    {
        var values = new float[dims.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(_random.NextDouble() - 0.5);
        Graph.Initializers.Add(OnnxTensor.Of(name, values, dims));
        return name;
    }

    public string Node(string op, string name, string[] inputs, params OnnxAttribute[] attributes)
    {
        var node = new OnnxNode { OpType = op, Name = name };
        node.Inputs.AddRange(inputs);
        node.Outputs.Add(name + "_out");
        node.Attributes.AddRange(attributes);
        Graph.Nodes.Add(node);
        return name + "_out";
    }

    public string Conv(string name, string input, int inChannels, int filters, int k, params OnnxAttribute[] attributes) =>
        Node("Conv", name, [input, Weight(name + "_w", filters, inChannels, k, k)], [OnnxAttribute.IntList("kernel_shape", k, k), .. attributes]);

    public OnnxModel Output(string value, params long[] shape)
    {
        Graph.Outputs.Add(OnnxValueInfo.Float(value, shape));
        return Model;
    }
}
