using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ConvNetGen;

/// <summary>One tensor's entry in a safetensors header: dtype, shape, and byte range in the data section.</summary>
internal sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping tensor names
/// to <c>{"dtype", "shape", "data_offsets"}</c>, then the raw little-endian data. Reading checks every rule of the
/// format and says which one a file breaks.
/// </summary>
internal static class SafeTensorsFormat
{
    /// <summary>Headers larger than this are refused rather than allocated (the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    public static byte[] Header(IEnumerable<(string Name, int[] Shape, long Begin, long End)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            foreach (var t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(t.Begin);
                json.WriteNumberValue(t.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header.AsSpan(8));
        header.AsSpan(8 + length).Fill((byte)' ');
        return header;
    }

    /// <summary>Reads and validates the header; returns the entries and where the data section starts.</summary>
    public static (List<SafeTensorEntry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw Corrupt(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength || (long)headerLength > fileLength - 8)
            throw Corrupt(path, $"the header claims {headerLength} bytes but the file has {fileLength - 8} after the length (truncated or not a safetensors file)");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"the header is not valid JSON ({e.Message})");
        }

        var entries = new List<SafeTensorEntry>();
        var metadata = new Dictionary<string, string>();
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(path, "the header is not a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in property.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ReadEntry(property, path));
            }
        }

        // Tensors must tile the data section exactly: no gaps, no overlaps, nothing past the end.
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin))
        {
            if (entry.Begin != expected)
                throw Corrupt(path, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data but the previous tensor ends at {expected}");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw Corrupt(path, expected > dataLength
                ? $"the tensors need {expected} bytes of data but the file has {dataLength} (truncated)"
                : $"the file has {dataLength - expected} bytes after the last tensor");
        return (entries, metadata, dataStart);
    }

    private static SafeTensorEntry ReadEntry(JsonProperty property, string path)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Corrupt(path, $"tensor '{property.Name}' needs \"dtype\", \"shape\" and two \"data_offsets\"");

        var dims = new long[shape.GetArrayLength()];
        int i = 0;
        long elements = 1;
        foreach (var d in shape.EnumerateArray())
        {
            if (!d.TryGetInt64(out long dim) || dim < 0)
                throw Corrupt(path, $"tensor '{property.Name}' has an invalid dimension {d.GetRawText()}");
            dims[i++] = dim;
            elements = checked(elements * dim);
        }
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Corrupt(path, $"tensor '{property.Name}' has invalid data_offsets {offsets.GetRawText()}");
        string type = dtype.GetString()!;
        int size = ElementSize(type);
        if (size > 0 && end - begin != elements * size)
            throw Corrupt(path, $"tensor '{property.Name}' ({type}, shape [{string.Join(", ", dims)}]) needs {elements * size} bytes but its data_offsets span {end - begin}");
        return new SafeTensorEntry(property.Name, type, dims, begin, end);
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    private static InvalidDataException Corrupt(string path, string problem) =>
        new($"'{path}' is not a valid safetensors file: {problem}.");
}
