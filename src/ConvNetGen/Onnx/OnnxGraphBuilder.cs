using System.Runtime.InteropServices;

namespace ConvNetGen.Onnx;

/// <summary>
/// Collects an ONNX graph (nodes, initializers, the input and the output) and writes it as a <c>ModelProto</c> with
/// the protobuf field numbers of the ONNX specification (onnx/onnx.proto).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The ai.onnx operator set the graph uses.</summary>
    public const int OpsetVersion = 17;
    /// <summary>The IR version that goes with <see cref="OpsetVersion"/> (ONNX 1.12: IR 8, opset 17).</summary>
    public const int IrVersion = 8;
    /// <summary>The batch dimension's symbolic name.</summary>
    public const string BatchDimension = "batch";

    // TensorProto.DataType
    private const int FloatType = 1, Int64Type = 7;
    // AttributeProto.AttributeType
    private const int AttrFloat = 1, AttrInt = 2, AttrString = 3, AttrInts = 7;

    private readonly List<Node> _nodes = [];
    private readonly List<Initializer> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private (string Name, long[] Shape)? _input, _output;

    private sealed record Node(string OpType, string Name, string[] Inputs, string[] Outputs, Attribute[] Attributes);
    private sealed record Initializer(string Name, long[] Dims, int DataType, byte[] Raw);

    /// <summary>A node attribute: an int, a float, a string or a list of ints.</summary>
    public readonly record struct Attribute(string Name, int Type, long Int = 0, float Float = 0, string? String = null, long[]? Ints = null)
    {
        public static Attribute Of(string name, long value) => new(name, AttrInt, Int: value);
        public static Attribute Of(string name, float value) => new(name, AttrFloat, Float: value);
        public static Attribute Of(string name, string value) => new(name, AttrString, String: value);
        public static Attribute Of(string name, params long[] values) => new(name, AttrInts, Ints: values);
    }

    /// <summary>Declares the graph's input, a float tensor; a dimension of -1 is the dynamic batch.</summary>
    public void SetInput(string name, long[] shape) => _input = (name, shape);

    /// <summary>Declares the graph's output, a float tensor; a dimension of -1 is the dynamic batch.</summary>
    public void SetOutput(string name, long[] shape) => _output = (name, shape);

    /// <summary>Adds a node; every output name must be new.</summary>
    public void AddNode(string opType, string name, string[] inputs, string[] outputs, params Attribute[] attributes)
    {
        foreach (string output in outputs) Claim(output);
        _nodes.Add(new Node(opType, name, inputs, outputs, attributes));
    }

    /// <summary>Adds a float initializer (little-endian raw data).</summary>
    public void AddInitializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        Claim(name);
        var raw = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < raw.Length; i += 4) raw.AsSpan(i, 4).Reverse();
        _initializers.Add(new Initializer(name, dims, FloatType, raw));
    }

    /// <summary>Adds an int64 initializer (little-endian raw data).</summary>
    public void AddInitializer(string name, long[] dims, ReadOnlySpan<long> values)
    {
        Claim(name);
        var raw = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < raw.Length; i += 8) raw.AsSpan(i, 8).Reverse();
        _initializers.Add(new Initializer(name, dims, Int64Type, raw));
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"ONNX tensor name '{name}' is used twice.");
    }

    /// <summary>Writes the <c>ModelProto</c>.</summary>
    public ProtobufWriter ToModel(string graphName, string docString)
    {
        if (_input is null || _output is null) throw new InvalidOperationException("The graph needs an input and an output.");
        var model = new ProtobufWriter();
        model.Int64(1, IrVersion);                                        // ModelProto.ir_version
        model.String(2, "ConvNetGen");                                    // producer_name
        model.String(3, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0"); // producer_version
        model.Int64(5, 1);                                                // model_version
        model.String(6, docString);                                       // doc_string
        model.Message(7, graph => WriteGraph(graph, graphName));          // graph
        model.Message(8, opset =>                                         // opset_import: OperatorSetIdProto
        {
            opset.String(1, "");                                          // domain: ai.onnx
            opset.Int64(2, OpsetVersion);                                 // version
        });
        return model;
    }

    private void WriteGraph(ProtobufWriter graph, string name)
    {
        foreach (var node in _nodes) graph.Message(1, n => WriteNode(n, node)); // GraphProto.node
        graph.String(2, name);                                                // name
        foreach (var init in _initializers) graph.Message(5, t => WriteTensor(t, init)); // initializer
        graph.Message(11, v => WriteValueInfo(v, _input!.Value.Name, _input.Value.Shape));   // input
        graph.Message(12, v => WriteValueInfo(v, _output!.Value.Name, _output.Value.Shape)); // output
    }

    private static void WriteNode(ProtobufWriter w, Node node)
    {
        foreach (string input in node.Inputs) w.String(1, input);   // NodeProto.input
        foreach (string output in node.Outputs) w.String(2, output); // output
        w.String(3, node.Name);                                      // name
        w.String(4, node.OpType);                                    // op_type
        foreach (var attribute in node.Attributes)                   // attribute: AttributeProto
            w.Message(5, a =>
            {
                a.String(1, attribute.Name);                         // name
                a.Int64(20, attribute.Type);                         // type
                switch (attribute.Type)
                {
                    case AttrFloat: a.Float(2, attribute.Float); break;                                  // f
                    case AttrInt: a.Int64(3, attribute.Int); break;                                      // i
                    case AttrString: a.Bytes(4, System.Text.Encoding.UTF8.GetBytes(attribute.String!)); break; // s
                    case AttrInts: a.Int64s(8, attribute.Ints); break;                                   // ints
                }
            });
    }

    private static void WriteTensor(ProtobufWriter t, Initializer init)
    {
        t.Int64s(1, init.Dims);         // TensorProto.dims
        t.Int64(2, init.DataType);      // data_type
        t.String(8, init.Name);         // name
        t.Bytes(9, init.Raw);           // raw_data
    }

    private static void WriteValueInfo(ProtobufWriter v, string name, long[] shape)
    {
        v.String(1, name);                                  // ValueInfoProto.name
        v.Message(2, type =>                                // type: TypeProto
            type.Message(1, tensor =>                       // tensor_type: TypeProto.Tensor
            {
                tensor.Int64(1, FloatType);                     // elem_type
                tensor.Message(2, s =>                      // shape: TensorShapeProto
                {
                    foreach (long d in shape)
                        s.Message(1, dim =>                 // dim: Dimension
                        {
                            if (d < 0) dim.String(2, BatchDimension); // dim_param
                            else dim.Int64(1, d);                     // dim_value
                        });
                });
            }));
    }
}
