using Google.Protobuf;

namespace ConvNetGen.Import.Onnx;

// The few ONNX messages the importer needs, read and written with Google.Protobuf's coded streams. Field numbers
// are ONNX's (onnx.proto); anything else in a message is skipped, so newer files still read. onnx.proto is proto2,
// where repeated numbers are unpacked by default, but writers may pack them: both encodings are read.

/// <summary>An ONNX model: its IR version, opsets and main graph.</summary>
public sealed class OnnxModel
{
    /// <summary>ModelProto.ir_version.</summary>
    public long IrVersion { get; set; }
    /// <summary>ModelProto.producer_name.</summary>
    public string ProducerName { get; set; } = "";
    /// <summary>ModelProto.producer_version.</summary>
    public string ProducerVersion { get; set; } = "";
    /// <summary>ModelProto.opset_import, as (domain, version).</summary>
    public List<(string Domain, long Version)> Opsets { get; } = [];
    /// <summary>ModelProto.graph.</summary>
    public OnnxGraph Graph { get; set; } = new();

    /// <summary>Reads a model from a .onnx file.</summary>
    public static OnnxModel Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Reads a model from its protobuf bytes.</summary>
    public static OnnxModel Parse(byte[] bytes)
    {
        var model = new OnnxModel();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: model.IrVersion = input.ReadInt64(); break;
                case 2: model.ProducerName = input.ReadString(); break;
                case 3: model.ProducerVersion = input.ReadString(); break;
                case 7: model.Graph = OnnxGraph.Parse(input.ReadBytes()); break;
                case 8:
                {
                    string domain = "";
                    long version = 0;
                    var opset = input.ReadBytes().CreateCodedInput();
                    uint t;
                    while ((t = opset.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(t))
                        {
                            case 1: domain = opset.ReadString(); break;
                            case 2: version = opset.ReadInt64(); break;
                            default: opset.SkipLastField(); break;
                        }
                    }
                    model.Opsets.Add((domain, version));
                    break;
                }
                default: input.SkipLastField(); break;
            }
        }
        return model;
    }

    /// <summary>Writes the model as protobuf bytes (the fields this class holds).</summary>
    public byte[] ToBytes()
    {
        var w = new ProtoWriter();
        w.Int64(1, IrVersion);
        w.String(2, ProducerName);
        w.String(3, ProducerVersion);
        w.Message(7, Graph.ToBytes());
        foreach (var (domain, version) in Opsets)
        {
            var o = new ProtoWriter();
            o.String(1, domain);
            o.Int64(2, version);
            w.Message(8, o.ToBytes());
        }
        return w.ToBytes();
    }
}

/// <summary>An ONNX graph: nodes in topological order, initializers, inputs and outputs.</summary>
public sealed class OnnxGraph
{
    /// <summary>GraphProto.name.</summary>
    public string Name { get; set; } = "";
    /// <summary>GraphProto.node.</summary>
    public List<OnnxNode> Nodes { get; } = [];
    /// <summary>GraphProto.initializer.</summary>
    public List<OnnxTensor> Initializers { get; } = [];
    /// <summary>GraphProto.input (before IR 4 these include the initializers).</summary>
    public List<OnnxValueInfo> Inputs { get; } = [];
    /// <summary>GraphProto.output.</summary>
    public List<OnnxValueInfo> Outputs { get; } = [];
    /// <summary>GraphProto.value_info.</summary>
    public List<OnnxValueInfo> ValueInfo { get; } = [];

    internal static OnnxGraph Parse(ByteString bytes)
    {
        var graph = new OnnxGraph();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: graph.Nodes.Add(OnnxNode.Parse(input.ReadBytes())); break;
                case 2: graph.Name = input.ReadString(); break;
                case 5: graph.Initializers.Add(OnnxTensor.Parse(input.ReadBytes())); break;
                case 11: graph.Inputs.Add(OnnxValueInfo.Parse(input.ReadBytes())); break;
                case 12: graph.Outputs.Add(OnnxValueInfo.Parse(input.ReadBytes())); break;
                case 13: graph.ValueInfo.Add(OnnxValueInfo.Parse(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        }
        return graph;
    }

    internal byte[] ToBytes()
    {
        var w = new ProtoWriter();
        foreach (var node in Nodes) w.Message(1, node.ToBytes());
        w.String(2, Name);
        foreach (var tensor in Initializers) w.Message(5, tensor.ToBytes());
        foreach (var value in Inputs) w.Message(11, value.ToBytes());
        foreach (var value in Outputs) w.Message(12, value.ToBytes());
        foreach (var value in ValueInfo) w.Message(13, value.ToBytes());
        return w.ToBytes();
    }
}

/// <summary>One operator application.</summary>
public sealed class OnnxNode
{
    /// <summary>NodeProto.name (may be empty).</summary>
    public string Name { get; set; } = "";
    /// <summary>NodeProto.op_type.</summary>
    public string OpType { get; set; } = "";
    /// <summary>NodeProto.domain ("" is the default ONNX domain).</summary>
    public string Domain { get; set; } = "";
    /// <summary>NodeProto.input (an empty string is an omitted optional input).</summary>
    public List<string> Inputs { get; } = [];
    /// <summary>NodeProto.output.</summary>
    public List<string> Outputs { get; } = [];
    /// <summary>NodeProto.attribute.</summary>
    public List<OnnxAttribute> Attributes { get; } = [];

    /// <summary>The attribute of that name, or null.</summary>
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    internal static OnnxNode Parse(ByteString bytes)
    {
        var node = new OnnxNode();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: node.Inputs.Add(input.ReadString()); break;
                case 2: node.Outputs.Add(input.ReadString()); break;
                case 3: node.Name = input.ReadString(); break;
                case 4: node.OpType = input.ReadString(); break;
                case 5: node.Attributes.Add(OnnxAttribute.Parse(input.ReadBytes())); break;
                case 7: node.Domain = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return node;
    }

    internal byte[] ToBytes()
    {
        var w = new ProtoWriter();
        foreach (var s in Inputs) w.String(1, s, always: true);
        foreach (var s in Outputs) w.String(2, s, always: true);
        w.String(3, Name);
        w.String(4, OpType);
        foreach (var a in Attributes) w.Message(5, a.ToBytes());
        w.String(7, Domain);
        return w.ToBytes();
    }
}

/// <summary>AttributeProto.type's values the importer distinguishes.</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set (IR 1).</summary>
    Undefined = 0,
    /// <summary>f.</summary>
    Float = 1,
    /// <summary>i.</summary>
    Int = 2,
    /// <summary>s.</summary>
    String = 3,
    /// <summary>t.</summary>
    Tensor = 4,
    /// <summary>g.</summary>
    Graph = 5,
    /// <summary>floats.</summary>
    Floats = 6,
    /// <summary>ints.</summary>
    Ints = 7,
    /// <summary>strings.</summary>
    Strings = 8,
}

/// <summary>A node attribute; only the value kinds CNN operators use are kept.</summary>
public sealed class OnnxAttribute
{
    /// <summary>AttributeProto.name.</summary>
    public string Name { get; set; } = "";
    /// <summary>AttributeProto.type (0 in files older than IR 2).</summary>
    public OnnxAttributeType Type { get; set; }
    /// <summary>AttributeProto.f.</summary>
    public float F { get; set; }
    /// <summary>AttributeProto.i.</summary>
    public long I { get; set; }
    /// <summary>AttributeProto.s, as UTF-8 text.</summary>
    public string S { get; set; } = "";
    /// <summary>AttributeProto.t.</summary>
    public OnnxTensor? T { get; set; }
    /// <summary>AttributeProto.floats.</summary>
    public List<float> Floats { get; } = [];
    /// <summary>AttributeProto.ints.</summary>
    public List<long> Ints { get; } = [];

    /// <summary>The value as text, for the dump command and error messages.</summary>
    public override string ToString() => Type switch
    {
        OnnxAttributeType.Float => F.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        OnnxAttributeType.Int => I.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OnnxAttributeType.String => $"\"{S}\"",
        OnnxAttributeType.Ints => "[" + string.Join(", ", Ints) + "]",
        OnnxAttributeType.Floats => "[" + string.Join(", ", Floats.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]",
        OnnxAttributeType.Tensor => $"tensor [{string.Join(", ", T?.Dims ?? [])}]",
        _ => Type.ToString().ToLowerInvariant(),
    };

    /// <summary>An int attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new() { Name = name, Type = OnnxAttributeType.Int, I = value };
    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new() { Name = name, Type = OnnxAttributeType.Float, F = value };
    /// <summary>A string attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new() { Name = name, Type = OnnxAttributeType.String, S = value };
    /// <summary>An ints attribute.</summary>
    public static OnnxAttribute IntList(string name, params long[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    internal static OnnxAttribute Parse(ByteString bytes)
    {
        var a = new OnnxAttribute();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            bool packed = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: a.Name = input.ReadString(); break;
                case 2: a.F = input.ReadFloat(); break;
                case 3: a.I = input.ReadInt64(); break;
                case 4: a.S = input.ReadBytes().ToStringUtf8(); break;
                case 5: a.T = OnnxTensor.Parse(input.ReadBytes()); break;
                case 7: ProtoReader.Floats(input, packed, a.Floats); break;
                case 8: ProtoReader.Int64s(input, packed, a.Ints); break;
                case 20: a.Type = (OnnxAttributeType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return a;
    }

    internal byte[] ToBytes()
    {
        var w = new ProtoWriter();
        w.String(1, Name);
        switch (Type)
        {
            case OnnxAttributeType.Float: w.Float(2, F); break;
            case OnnxAttributeType.Int: w.Int64(3, I, always: true); break;
            case OnnxAttributeType.String: w.Bytes(4, ByteString.CopyFromUtf8(S)); break;
            case OnnxAttributeType.Tensor: w.Message(5, T!.ToBytes()); break;
            case OnnxAttributeType.Floats: foreach (var f in Floats) w.Float(7, f); break;
            case OnnxAttributeType.Ints: foreach (var i in Ints) w.Int64(8, i, always: true); break;
        }
        w.Int64(20, (long)Type);
        return w.ToBytes();
    }
}

/// <summary>A tensor: an initializer or a constant. Float data is decoded; other types keep their dims and type.</summary>
public sealed class OnnxTensor
{
    /// <summary>TensorProto.DataType.FLOAT.</summary>
    public const int FloatType = 1;
    /// <summary>TensorProto.DataType.INT64.</summary>
    public const int Int64Type = 7;

    /// <summary>TensorProto.name.</summary>
    public string Name { get; set; } = "";
    /// <summary>TensorProto.dims.</summary>
    public List<long> Dims { get; } = [];
    /// <summary>TensorProto.data_type.</summary>
    public int DataType { get; set; }
    /// <summary>The values of a FLOAT tensor (from float_data or raw_data, little-endian).</summary>
    public float[] FloatData { get; set; } = [];
    /// <summary>The values of an INT64 tensor.</summary>
    public long[] Int64Data { get; set; } = [];
    /// <summary>Set when the data lives in an external file (not supported by the importer).</summary>
    public bool External { get; set; }

    /// <summary>The number of elements the dims describe.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>A float tensor.</summary>
    public static OnnxTensor Of(string name, float[] data, params long[] dims)
    {
        var t = new OnnxTensor { Name = name, DataType = FloatType, FloatData = data };
        t.Dims.AddRange(dims);
        return t;
    }

    internal static OnnxTensor Parse(ByteString bytes)
    {
        var t = new OnnxTensor();
        var input = bytes.CreateCodedInput();
        var floats = new List<float>();
        var longs = new List<long>();
        ByteString? raw = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            bool packed = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ProtoReader.Int64s(input, packed, t.Dims); break;
                case 2: t.DataType = input.ReadInt32(); break;
                case 4: ProtoReader.Floats(input, packed, floats); break;
                case 7: ProtoReader.Int64s(input, packed, longs); break;
                case 8: t.Name = input.ReadString(); break;
                case 9: raw = input.ReadBytes(); break;
                case 13: t.External = true; input.SkipLastField(); break;
                case 14: t.External |= input.ReadEnum() == 1; break;
                default: input.SkipLastField(); break;
            }
        }
        if (t.DataType == FloatType)
            t.FloatData = raw is null ? floats.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.Span).ToArray();
        else if (t.DataType == Int64Type)
            t.Int64Data = raw is null ? longs.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw.Span).ToArray();
        if (!BitConverter.IsLittleEndian && raw is not null)
            throw new PlatformNotSupportedException("raw_data is little-endian; this machine is not.");
        return t;
    }

    internal byte[] ToBytes()
    {
        var w = new ProtoWriter();
        foreach (var d in Dims) w.Int64(1, d, always: true);
        w.Int64(2, DataType);
        w.String(8, Name);
        if (DataType == FloatType)
            w.Bytes(9, ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(FloatData.AsSpan())));
        else if (DataType == Int64Type)
            w.Bytes(9, ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Int64Data.AsSpan())));
        return w.ToBytes();
    }
}

/// <summary>A graph input or output: its name, element type and shape (null dims are symbolic or missing).</summary>
public sealed class OnnxValueInfo
{
    /// <summary>ValueInfoProto.name.</summary>
    public string Name { get; set; } = "";
    /// <summary>TypeProto.Tensor.elem_type.</summary>
    public int ElementType { get; set; }
    /// <summary>TensorShapeProto.dim: dim_value, or null for a dim_param or an unset dim.</summary>
    public List<long?> Shape { get; } = [];
    /// <summary>The dim_param names, in the order of <see cref="Shape"/> (empty where a value is set).</summary>
    public List<string> ShapeParams { get; } = [];

    /// <summary>A float tensor value of a fixed shape.</summary>
    public static OnnxValueInfo Float(string name, params long[] shape)
    {
        var v = new OnnxValueInfo { Name = name, ElementType = OnnxTensor.FloatType };
        foreach (var d in shape)
        {
            v.Shape.Add(d);
            v.ShapeParams.Add("");
        }
        return v;
    }

    internal static OnnxValueInfo Parse(ByteString bytes)
    {
        var v = new OnnxValueInfo();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: v.Name = input.ReadString(); break;
                case 2: ParseType(v, input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }
        return v;
    }

    static void ParseType(OnnxValueInfo v, ByteString bytes)
    {
        var type = bytes.CreateCodedInput();
        uint tag;
        while ((tag = type.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { type.SkipLastField(); continue; }
            var tensor = type.ReadBytes().CreateCodedInput();
            uint t;
            while ((t = tensor.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(t))
                {
                    case 1: v.ElementType = tensor.ReadInt32(); break;
                    case 2:
                    {
                        var shape = tensor.ReadBytes().CreateCodedInput();
                        uint s;
                        while ((s = shape.ReadTag()) != 0)
                        {
                            if (WireFormat.GetTagFieldNumber(s) != 1) { shape.SkipLastField(); continue; }
                            var dim = shape.ReadBytes().CreateCodedInput();
                            long? value = null;
                            string param = "";
                            uint d;
                            while ((d = dim.ReadTag()) != 0)
                            {
                                switch (WireFormat.GetTagFieldNumber(d))
                                {
                                    case 1: value = dim.ReadInt64(); break;
                                    case 2: param = dim.ReadString(); break;
                                    default: dim.SkipLastField(); break;
                                }
                            }
                            v.Shape.Add(value);
                            v.ShapeParams.Add(param);
                        }
                        break;
                    }
                    default: tensor.SkipLastField(); break;
                }
            }
        }
    }

    internal byte[] ToBytes()
    {
        var shape = new ProtoWriter();
        for (int i = 0; i < Shape.Count; i++)
        {
            var dim = new ProtoWriter();
            if (Shape[i] is long value) dim.Int64(1, value, always: true);
            else dim.String(2, ShapeParams[i]);
            shape.Message(1, dim.ToBytes());
        }
        var tensor = new ProtoWriter();
        tensor.Int64(1, ElementType);
        tensor.Message(2, shape.ToBytes());
        var type = new ProtoWriter();
        type.Message(1, tensor.ToBytes());
        var w = new ProtoWriter();
        w.String(1, Name);
        w.Message(2, type.ToBytes());
        return w.ToBytes();
    }
}

static class ProtoReader
{
    public static void Int64s(CodedInputStream input, bool packed, List<long> into)
    {
        if (!packed) { into.Add(input.ReadInt64()); return; }
        var inner = input.ReadBytes().CreateCodedInput();
        while (!inner.IsAtEnd) into.Add(inner.ReadInt64());
    }

    public static void Floats(CodedInputStream input, bool packed, List<float> into)
    {
        if (!packed) { into.Add(input.ReadFloat()); return; }
        var inner = input.ReadBytes().CreateCodedInput();
        while (!inner.IsAtEnd) into.Add(inner.ReadFloat());
    }
}

// Writes fields one by one; sub-messages are written to their own buffer first, then embedded as bytes.
sealed class ProtoWriter
{
    readonly MemoryStream _buffer = new();
    readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public void Int64(int field, long value, bool always = false)
    {
        if (value == 0 && !always) return;
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
    }

    public void Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
    }

    public void String(int field, string value, bool always = false)
    {
        if (value.Length == 0 && !always) return;
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
    }

    public void Bytes(int field, ByteString value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(value);
    }

    public void Message(int field, byte[] message) => Bytes(field, ByteString.CopyFrom(message));

    public byte[] ToBytes()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
