using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// Saves every weight as a <c>.safetensors</c> file: one F32 tensor per weight, named <c>layer/weight</c>
    /// (<c>conv2d/kernel</c>, <c>batch_normalization/moving_mean</c>, …) in Keras' layouts, so other tools can read it.
    /// </summary>
    /// <remarks>
    /// The file is written to a temporary file <c>.{name}.{pid}.{random}.convnetgen-tmp</c> in the same folder, flushed
    /// to disk and renamed over <paramref name="path"/>, so <paramref name="path"/> always holds either the old or the
    /// new complete file, even if the process is killed. An existing file keeps its permissions (and, on Linux when
    /// running as root, its owner and group); a symbolic link stays a link and the file it points to is replaced.
    /// Temporary files that killed saves to the same file left behind are deleted by the next save.
    /// </remarks>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written to.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or writing failed (e.g. the disk is full); the old file is unchanged.</exception>
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

        // Under the read lock: a save while another thread trains writes the weights between two steps, not a mix.
        using (ReadWeights())
            AtomicFile.Write(path, file =>
            {
                file.Write(header);
                foreach (var (offset, length) in spans)
                    WriteLittleEndian(file, _parameters.AsSpan(offset, length));
            });
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> (or any safetensors file with Keras names and layouts).
    /// Strict by default: every weight of this model must be in the file with the same shape and dtype F32, and the file
    /// must hold nothing else; every mismatch is listed in one <see cref="InvalidDataException"/>.
    /// With <paramref name="byName"/>, tensors are matched by name and those of layers this model lacks (and layers the
    /// file lacks) are skipped, as when a bigger model reuses a trained base; shapes must still match.
    /// All or nothing: whatever goes wrong, the model's weights are left as they were.
    /// </summary>
    /// <param name="path">The <c>.safetensors</c> file.</param>
    /// <param name="byName">Load the tensors whose names this model has and skip the rest, instead of requiring an exact match.</param>
    /// <param name="allowNonFinite">
    /// Load NaN and infinite values too. By default a tensor holding one is refused (the message names the tensor, the
    /// first such element and how many there are), since a model with such a weight predicts NaN.
    /// </param>
    /// <returns>The names of the layers whose weights were loaded.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not valid safetensors (the message names the file, the tensor or field, and what was expected), or
    /// names, shapes or dtypes do not match this model, or a weight is NaN or infinite.
    /// </exception>
    /// <exception cref="IOException">Reading failed, or <paramref name="path"/> is a folder.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="InvalidOperationException">The model is training (Fit or TrainOnBatch is running); nothing was loaded.</exception>
    public IReadOnlyList<string> LoadWeights(string path, bool byName = false, bool allowNonFinite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = OpenForReading(path);
        var (entries, _, dataStart) = SafeTensorsFormat.ReadHeader(file, path);
        var byTensorName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal); // ReadHeader refuses duplicates

        var problems = new List<string>();
        var plan = new List<(SafeTensorEntry Entry, WeightInfo Weight, string Layer)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
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
        else
            // By name, a layer loads whole or not at all (as in Keras): half of a layer's weights is a mismatch, not a skip.
            foreach (var layer in Definition.Layers)
            {
                var missing = layer.Weights.Where(w => !byTensorName.ContainsKey($"{layer.Name}/{w.Name}")).ToList();
                if (missing.Count > 0 && missing.Count < layer.Weights.Count)
                    problems.Add($"layer '{layer.Name}' is only partly in the file: {string.Join(", ", missing.Select(w => $"'{layer.Name}/{w.Name}'"))} missing");
            }
        ThrowIfAny(problems, path);

        // Read and check everything before touching the model, so any failure leaves it as it was.
        var staged = new (WeightInfo Weight, float[] Values)[plan.Count];
        for (int i = 0; i < plan.Count; i++)
        {
            var (entry, weight, _) = plan[i];
            var values = new float[weight.Length];
            ReadTensor(file, dataStart + entry.Begin, values, entry.Name, path);
            if (!BitConverter.IsLittleEndian) ReverseEndianness(values);
            if (!allowNonFinite && DescribeNonFinite(values, weight.Shape) is { } where)
                problems.Add($"'{entry.Name}' holds {where}");
            staged[i] = (weight, values);
        }
        ThrowIfAny(problems, path, hint: "pass allowNonFinite: true to load such values anyway");

        WriteParameters(staged.Select(s => (s.Weight.Offset, (ReadOnlyMemory<float>)s.Values)).ToList());
        return plan.Select(p => p.Layer).Distinct().ToList();
    }

    /// <summary>
    /// Copies the weights of every layer that <paramref name="source"/> has under the same name and with the same
    /// weight shapes (e.g. a trained base into a bigger model that embeds it); returns the layers copied.
    /// </summary>
    /// <exception cref="InvalidDataException">A layer with the same name has weights of other shapes; nothing is copied.</exception>
    /// <exception cref="InvalidOperationException">This model is training; nothing is copied.</exception>
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
        if (ReferenceEquals(source, this)) return copied; // every layer is already its own
        // Copied out under the source's read lock first, so the two models' locks are never held together (two models
        // copying from each other at once cannot deadlock) and a source training on another thread is never read mid-step.
        var validated = new List<(int Offset, ReadOnlyMemory<float> Values)>();
        using (source.ReadWeights())
            foreach (var name in copied)
            {
                var from = source.Definition[name];
                validated.Add((Definition[name].ParameterOffset, source._parameters.AsSpan(from.ParameterOffset, from.ParameterCount).ToArray()));
            }
        WriteParameters(validated);
        return copied;
    }

    /// <summary>
    /// The one place where loading and copying change the model's parameters: every value has been read and checked
    /// by now, so this step cannot fail halfway. Refused while the model trains; waits for running inference calls, so
    /// none of them sees half old and half new weights.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is training.</exception>
    private void WriteParameters(IReadOnlyList<(int Offset, ReadOnlyMemory<float> Values)> validated) =>
        Reconfigure("load weights", () =>
        {
            foreach (var (offset, values) in validated)
                values.Span.CopyTo(_parameters.AsSpan(offset, values.Length));
        });

    private void ThrowIfAny(List<string> problems, string path, string? hint = null)
    {
        if (problems.Count == 0) return;
        string nl = Environment.NewLine;
        throw new InvalidDataException($"Cannot load '{path}' into {Definition.Name}; nothing was loaded:{nl}  - {string.Join(nl + "  - ", problems)}{(hint is null ? "" : nl + "(" + hint + ")")}");
    }

    private static FileStream OpenForReading(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Cannot load weights from '{path}': the file does not exist.", path, e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new IOException($"Cannot load weights from '{path}': it is a folder, not a .safetensors file.", e);
        }
    }

    private static void ReadTensor(FileStream file, long position, float[] values, string tensor, string path)
    {
        try
        {
            file.Position = position;
            file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (IOException e)
        {
            // The header was checked against the file's length, so this is a failing disk or a file cut short meanwhile.
            throw new IOException($"Cannot read tensor '{tensor}' from '{path}': {e.Message}", e);
        }
    }

    /// <summary>Null when every value is finite; otherwise the first NaN or infinity, where it is, and how many there are.</summary>
    private static string? DescribeNonFinite(float[] values, TensorShape shape)
    {
        if (TensorPrimitives.IsFiniteAll<float>(values)) return null;
        int first = Array.FindIndex(values, v => !float.IsFinite(v));
        int count = values.Count(v => !float.IsFinite(v));
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1, rest = first; d >= 0; d--)
        {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        string value = values[first].ToString(CultureInfo.InvariantCulture);
        return $"{count} non-finite value{(count == 1 ? "" : "s")}; the first is {value} at [{string.Join(", ", index)}] (element {first})";
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
