using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

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

    /// <summary>
    /// Reads and validates the header; returns the entries and where the data section starts. Every way a file can
    /// break the format is an <see cref="InvalidDataException"/> naming the file, the tensor or field, and what was
    /// expected; a read failure is an <see cref="IOException"/> naming the file.
    /// </summary>
    public static (List<SafeTensorEntry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || ReadFully(stream, prefix, path) < 8)
            throw Corrupt(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        // Bound the header by the cap and by what the file really holds before allocating anything for it.
        if (headerLength > MaxHeaderLength)
            throw Corrupt(path, $"the header claims {headerLength} bytes, more than the {MaxHeaderLength} a safetensors header may have (not a safetensors file?)");
        if ((long)headerLength > fileLength - 8)
            throw Corrupt(path, $"the header claims {headerLength} bytes but the file has {fileLength - 8} after the length (truncated or not a safetensors file)");
        if (headerLength == 0)
            throw Corrupt(path, "the header is empty; expected a JSON object");

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes, path) < headerBytes.Length)
            throw new IOException($"Cannot read '{path}': the file got shorter while its header was being read.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        try
        {
            var (entries, metadata) = ParseHeader(headerBytes, path);
            CheckTensorsTileTheData(entries, dataLength, path);
            return (entries, metadata, dataStart);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException and not OutOfMemoryException)
        {
            // A safety net: the checks above should leave nothing else to escape, but a caller must only ever see
            // "this file is bad", never an exception from the JSON reader's internals.
            throw Corrupt(path, $"the header could not be read ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static (List<SafeTensorEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, string path)
    {
        // JsonDocument leaves invalid UTF-8 inside strings to be found when a string is read; refuse it up front.
        int invalidAt = FirstInvalidUtf8(headerBytes);
        if (invalidAt >= 0)
            throw Corrupt(path, $"the header is not valid UTF-8: byte {invalidAt} of the header is 0x{headerBytes[invalidAt]:X2}");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"the header is not valid JSON ({e.Message})", e);
        }

        var entries = new List<SafeTensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(path, $"the header is a JSON {Describe(document.RootElement)}; expected an object of tensors");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string name = ReadName(property, path);
                if (!names.Add(name))
                    throw Corrupt(path, name == MetadataKey ? "\"__metadata__\" appears twice in the header" : $"tensor '{name}' appears twice in the header");
                if (name == MetadataKey)
                    ReadMetadata(property.Value, metadata, path);
                else
                    entries.Add(ReadEntry(name, property.Value, path));
            }
        }
        return (entries, metadata);
    }

    private const string MetadataKey = "__metadata__";

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, $"\"__metadata__\" is a JSON {Describe(value)}; expected an object of strings");
        foreach (var m in value.EnumerateObject())
        {
            string key = ReadName(m, path);
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Corrupt(path, $"\"__metadata__\" entry '{key}' is a JSON {Describe(m.Value)}; expected a string");
            if (!metadata.TryAdd(key, ReadString(m.Value, $"\"__metadata__\" entry '{key}'", path)))
                throw Corrupt(path, $"\"__metadata__\" entry '{key}' appears twice");
        }
    }

    private static SafeTensorEntry ReadEntry(string name, JsonElement value, string path)
    {
        string tensor = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, $"{tensor} is a JSON {Describe(value)}; expected an object with \"dtype\", \"shape\" and \"data_offsets\"");

        var dtype = Field(value, "dtype", JsonValueKind.String, tensor, path);
        string type = ReadString(dtype, $"{tensor}'s \"dtype\"", path);
        int bits = ElementBits(type);
        if (bits == 0)
            throw Corrupt(path, $"{tensor} has dtype \"{type}\"; expected one of {string.Join(", ", KnownDTypes)}");

        var shape = Field(value, "shape", JsonValueKind.Array, tensor, path);
        var dims = new long[shape.GetArrayLength()];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = NonNegativeInteger(shape[i], $"{tensor}'s shape[{i}]", path);
        string shapeText = $"[{string.Join(", ", dims)}]";

        var offsets = Field(value, "data_offsets", JsonValueKind.Array, tensor, path);
        if (offsets.GetArrayLength() != 2)
            throw Corrupt(path, $"{tensor}'s \"data_offsets\" has {offsets.GetArrayLength()} values; expected 2 (begin, end)");
        long begin = NonNegativeInteger(offsets[0], $"{tensor}'s data_offsets[0]", path);
        long end = NonNegativeInteger(offsets[1], $"{tensor}'s data_offsets[1]", path);
        if (end < begin)
            throw Corrupt(path, $"{tensor}'s data_offsets [{begin}, {end}] end before they begin");

        // A zero dimension makes the tensor empty however large the others are; otherwise the product may overflow.
        long elements = 1;
        if (!dims.Contains(0))
            foreach (long dim in dims)
                if (elements > long.MaxValue / dim)
                    throw Corrupt(path, $"{tensor} has shape {shapeText}, whose element count overflows a 64-bit integer");
                else
                    elements *= dim;
        else
            elements = 0;
        if (elements > long.MaxValue / bits)
            throw Corrupt(path, $"{tensor} ({type}, shape {shapeText}) needs more bytes than a file can hold");
        long totalBits = elements * bits;
        if (totalBits % 8 != 0)
            throw Corrupt(path, $"{tensor} ({type}, shape {shapeText}) has {elements} elements of {bits} bits, not a whole number of bytes");
        if (end - begin != totalBits / 8)
            throw Corrupt(path, $"{tensor} ({type}, shape {shapeText}) needs {totalBits / 8} bytes but its data_offsets [{begin}, {end}] span {end - begin}");
        return new SafeTensorEntry(name, type, dims, begin, end);
    }

    /// <summary>Tensors must tile the data section exactly, in offset order: no gaps, no overlaps, nothing past the end.</summary>
    private static void CheckTensorsTileTheData(List<SafeTensorEntry> entries, long dataLength, string path)
    {
        long expected = 0;
        SafeTensorEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin > expected)
                throw Corrupt(path, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data but {(previous is null ? "the data starts" : $"the previous tensor '{previous.Name}' ends")} at {expected}: a gap");
            if (entry.Begin < expected)
                throw Corrupt(path, $"tensor '{entry.Name}' (bytes {entry.Begin} to {entry.End} of the data) overlaps tensor '{previous!.Name}', which ends at {expected}");
            if (entry.End > dataLength)
                throw Corrupt(path, $"tensor '{entry.Name}' ends at byte {entry.End} of the data but the file has {dataLength} bytes of data (truncated)");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw Corrupt(path, $"the file has {dataLength - expected} bytes after the last tensor's data; expected none");
    }

    private static JsonElement Field(JsonElement tensor, string field, JsonValueKind kind, string what, string path)
    {
        if (!tensor.TryGetProperty(field, out var value))
            throw Corrupt(path, $"{what} has no \"{field}\"; expected \"dtype\", \"shape\" and \"data_offsets\"");
        if (value.ValueKind != kind)
            throw Corrupt(path, $"{what}'s \"{field}\" is a JSON {Describe(value)}; expected a{(kind == JsonValueKind.Array ? "n array" : " string")}");
        return value;
    }

    private static long NonNegativeInteger(JsonElement value, string what, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number) || number < 0)
            throw Corrupt(path, $"{what} is {Describe(value)}; expected a non-negative 64-bit integer");
        return number;
    }

    private static string ReadName(JsonProperty property, string path)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            // A lone surrogate escape such as "\ud800" is valid JSON but not text.
            throw Corrupt(path, "a name in the header is not valid text (it escapes half of a surrogate pair)", e);
        }
    }

    private static string ReadString(JsonElement value, string what, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Corrupt(path, $"{what} is not valid text: {value.GetRawText()}", e);
        }
    }

    /// <summary>The JSON kind and, when short, the value itself, for "expected … found …" messages.</summary>
    private static string Describe(JsonElement value)
    {
        string kind = value.ValueKind.ToString().ToLowerInvariant();
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array) return kind;
        string raw = value.GetRawText();
        return raw.Length <= 40 ? $"{kind} {raw}" : $"{kind} {raw[..40]}…";
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return -1;
        int at = 0;
        while (at < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[at..], out _, out int consumed) != OperationStatus.Done) return at;
            at += consumed;
        }
        return -1;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; an I/O failure names the file.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot read '{path}': {e.Message}", e);
        }
    }

    private static readonly string[] KnownDTypes =
        ["F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"];

    private static int ElementBits(string dtype) => dtype switch
    {
        "C64" or "F64" or "I64" or "U64" => 64,
        "F32" or "I32" or "U32" => 32,
        "F16" or "BF16" or "I16" or "U16" => 16,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" or "F8_E8M0" => 8,
        "F6_E2M3" or "F6_E3M2" => 6,
        "F4" => 4,
        _ => 0,
    };

    private static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a valid safetensors file: {problem}.", inner);
}
