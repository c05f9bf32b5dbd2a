using System.Runtime.InteropServices;

namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// Saves every weight as a <c>.safetensors</c> file: one F32 tensor per weight, named <c>layer/weight</c>
    /// (<c>conv2d/kernel</c>, <c>batch_normalization/moving_mean</c>, …) in Keras' layouts, so other tools can read it.
    /// Writes a temporary file next to <paramref name="path"/> and renames it over, so a crash never leaves half a file.
    /// </summary>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tensors = new List<(string Name, int[] Shape, long Begin, long End)>();
        var spans = new List<(int Offset, int Length)>();
        long at = 0;
        foreach (var layer in Definition.Layers)
        foreach (var weight in layer.Weights)
        {
            long bytes = (long)weight.Length * sizeof(float);
            tensors.Add(($"{layer.Name}/{weight.Name}", weight.Shape.ToArray(), at, at + bytes));
            spans.Add((weight.Offset, weight.Length));
            at += bytes;
        }
        var metadata = new Dictionary<string, string> { ["format"] = "convnetgen", ["model"] = Definition.Name };
        byte[] header = SafeTensorsFormat.Header(tensors, metadata);

        string full = Path.GetFullPath(path);
        string temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(header);
                foreach (var (offset, length) in spans)
                    WriteLittleEndian(file, _parameters.AsSpan(offset, length));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> (or any safetensors file with Keras names and layouts).
    /// Strict by default: every weight of this model must be in the file with the same shape and dtype F32, and the file
    /// must hold nothing else; every mismatch is listed in one <see cref="InvalidDataException"/> and nothing is loaded.
    /// With <paramref name="byName"/>, tensors are matched by name and those of layers this model lacks (and layers the
    /// file lacks) are skipped, as when a bigger model reuses a trained base; shapes must still match.
    /// </summary>
    /// <returns>The names of the layers whose weights were loaded.</returns>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated, or names, shapes or dtypes do not match.</exception>
    public IReadOnlyList<string> LoadWeights(string path, bool byName = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var (entries, _, dataStart) = SafeTensorsFormat.ReadHeader(file, path);
        var byTensorName = entries.ToDictionary(e => e.Name);

        var problems = new List<string>();
        var plan = new List<(SafeTensorEntry Entry, WeightInfo Weight, string Layer)>();
        var expected = new HashSet<string>();
        foreach (var layer in Definition.Layers)
        foreach (var weight in layer.Weights)
        {
            string name = $"{layer.Name}/{weight.Name}";
            expected.Add(name);
            if (!byTensorName.TryGetValue(name, out var entry))
            {
                if (!byName) problems.Add($"'{name}' {weight.Shape} is missing from the file");
                continue;
            }
            if (entry.DType != "F32")
                problems.Add($"'{name}' is {entry.DType} in the file; expected F32");
            else if (!entry.Shape.SequenceEqual(weight.Shape.Select(d => (long)d)))
                problems.Add($"'{name}' has shape [{string.Join(", ", entry.Shape)}] in the file; the model's is [{string.Join(", ", weight.Shape)}]");
            else
                plan.Add((entry, weight, layer.Name));
        }
        if (!byName)
            foreach (var entry in entries.Where(e => !expected.Contains(e.Name)))
                problems.Add($"'{entry.Name}' is in the file but {Definition.Name} has no such weight");
        if (problems.Count > 0)
            throw new InvalidDataException($"Cannot load '{path}' into {Definition.Name}; nothing was loaded:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");

        // Read everything before touching the model, so a read error leaves it as it was.
        var staged = new float[plan.Count][];
        for (int i = 0; i < plan.Count; i++)
        {
            var (entry, weight, _) = plan[i];
            staged[i] = new float[weight.Length];
            file.Position = dataStart + entry.Begin;
            file.ReadExactly(MemoryMarshal.AsBytes(staged[i].AsSpan()));
            if (!BitConverter.IsLittleEndian) ReverseEndianness(staged[i]);
        }
        for (int i = 0; i < plan.Count; i++)
            staged[i].CopyTo(_parameters.AsSpan(plan[i].Weight.Offset, plan[i].Weight.Length));
        return plan.Select(p => p.Layer).Distinct().ToList();
    }

    /// <summary>
    /// Copies the weights of every layer that <paramref name="source"/> has under the same name and with the same
    /// weight shapes (e.g. a trained base into a bigger model that embeds it); returns the layers copied.
    /// </summary>
    /// <exception cref="InvalidDataException">A layer with the same name has weights of other shapes.</exception>
    public IReadOnlyList<string> CopyWeightsFrom(Model source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copied = new List<string>();
        var problems = new List<string>();
        foreach (var layer in Definition.Layers)
        {
            var other = source.Definition.Layers.FirstOrDefault(l => l.Name == layer.Name);
            if (other is null || layer.Weights.Count == 0) continue;
            if (other.Weights.Count != layer.Weights.Count || other.Weights.Zip(layer.Weights).Any(p => p.First.Name != p.Second.Name || !p.First.Shape.Equals(p.Second.Shape)))
            {
                problems.Add($"'{layer.Name}' has weights [{string.Join(", ", other.Weights.Select(w => $"{w.Name} {w.Shape}"))}] in {source.Definition.Name} but [{string.Join(", ", layer.Weights.Select(w => $"{w.Name} {w.Shape}"))}] here");
                continue;
            }
            copied.Add(layer.Name);
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"Cannot copy weights from {source.Definition.Name} into {Definition.Name}; nothing was copied:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        foreach (var name in copied)
        {
            var from = source.Definition[name];
            var to = Definition[name];
            source._parameters.AsSpan(from.ParameterOffset, from.ParameterCount).CopyTo(_parameters.AsSpan(to.ParameterOffset, to.ParameterCount));
        }
        return copied;
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var copy = values.ToArray();
        ReverseEndianness(copy);
        stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
    }

    private static void ReverseEndianness(float[] values)
    {
        var bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(bits, bits);
    }
}
