using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConvNetGen.Import.Onnx;

namespace ConvNetGen.Import;

/// <summary>An imported model: the C# class text and the weights, ready to be written.</summary>
public sealed class ImportResult
{
    readonly string _className;
    readonly string? _namespace;
    readonly string _source;
    readonly OnnxModel _model;
    readonly string _input;
    readonly List<(ImportedLayer Layer, string Input)> _layers;
    readonly bool _block;

    internal ImportResult(string className, string? ns, string source, OnnxModel model, string input, List<(ImportedLayer Layer, string Input)> layers, IReadOnlyList<string> warnings, bool block = false)
    {
        _block = block;
        _className = className;
        _namespace = ns;
        _source = source;
        _model = model;
        _input = input;
        _layers = layers;
        Warnings = warnings;
    }

    /// <summary>What the import left out (nodes that do not reach the output), for the tool to print.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The layers, in the order they run.</summary>
    public IReadOnlyList<ImportedLayer> Layers => _layers.Select(l => l.Layer).ToList();

    /// <summary>The number of weight values (trainable and moving statistics).</summary>
    public long ParameterCount => _layers.Sum(l => l.Layer.Weights.Sum(w => (long)w.Values.Length));

    /// <summary>The class as C# source: one attribute per layer, <c>Input = </c> only where a layer does not read the one above.</summary>
    public string ClassSource()
    {
        var text = new StringBuilder();
        text.Append("// Imported from ").Append(_source).Append(" (").Append(_model.ProducerName.Trim());
        if (_model.ProducerVersion.Length > 0) text.Append(' ').Append(_model.ProducerVersion.Trim());
        text.Append(", IR ").Append(_model.IrVersion).Append(", opset ")
            .Append(string.Join("/", _model.Opsets.Select(o => o.Version))).Append(") by `convnetgen import`; regenerate rather than edit.\n");
        text.Append("// Weights: ").Append(_className).Append(".safetensors from the same run (").Append(ParameterCount.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" values), loaded with LoadWeights.\n");
        text.Append("using ConvNetGen;\n\n");
        if (_namespace is not null) text.Append("namespace ").Append(_namespace).Append(";\n\n");
        text.Append("/// <summary>").Append(_source).Append(", imported: ").Append(_layers.Count).Append(" layers");
        if (_block) text.Append(", as a block that takes the shape where it is included (the ONNX model reads ").Append(_input[6..^1]).Append(")");
        text.Append(".</summary>\n");
        text.Append('[').Append(_block ? "Block" : _input).Append("]\n");
        string previous = "input_layer";
        foreach (var (layer, input) in _layers)
        {
            string attribute = layer.Attribute;
            if (input.Length > 0 && input != previous)
            {
                int at = attribute.LastIndexOf("Name = ", StringComparison.Ordinal);
                attribute = attribute[..at] + $"Input = \"{input}\", " + attribute[at..];
            }
            // In a block the graph input is Block.Input (no layer is named input_layer: the importer reserves it).
            if (_block) attribute = attribute.Replace("\"input_layer\"", "Block.Input", StringComparison.Ordinal);
            text.Append('[').Append(attribute).Append("]\n");
            previous = layer.Name;
        }
        text.Append("public partial class ").Append(_className).Append(";\n");
        return text.ToString();
    }

    /// <summary>
    /// The weights as safetensors bytes: an 8-byte little-endian header length, a JSON header (dtype F32, shape,
    /// data_offsets per tensor, padded with spaces to 8 bytes as the runtime's writer does), then the data.
    /// </summary>
    public byte[] SafeTensors()
    {
        var tensors = _layers.SelectMany(l => l.Layer.Weights.Select(w => (Name: $"{l.Layer.Name}/{w.Name}", w.Shape, w.Values))).ToList();
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "convnetgen");
            writer.WriteString("model", _className);
            writer.WriteString("source", _source);
            writer.WriteEndObject();
            long at = 0;
            foreach (var (name, shape, values) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int d in shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(at);
                writer.WriteNumberValue(at += values.Length * 4L);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        int length = (int)json.Length, padded = (length + 7) / 8 * 8;
        long data = tensors.Sum(t => t.Values.Length * 4L);
        var bytes = new byte[8 + padded + data];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.GetBuffer().AsSpan(0, length).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + length, padded - length).Fill((byte)' ');
        var offset = 8 + padded;
        foreach (var (_, _, values) in tensors)
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), v);
                offset += 4;
            }
        return bytes;
    }

    /// <summary>Writes DIR/Class.cs and DIR/Class.safetensors, each to a temporary file then renamed over the target.</summary>
    /// <returns>The two paths written.</returns>
    public (string Code, string Weights) Write(string directory)
    {
        Directory.CreateDirectory(directory);
        string code = Path.Combine(directory, _className + ".cs");
        string weights = Path.Combine(directory, _className + ".safetensors");
        WriteAtomically(weights, SafeTensors());
        WriteAtomically(code, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(ClassSource()));
        return (code, weights);
    }

    static void WriteAtomically(string path, byte[] bytes)
    {
        // A temporary file in the same folder, flushed, then renamed: the target is the old file or the new one, never half.
        string temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
