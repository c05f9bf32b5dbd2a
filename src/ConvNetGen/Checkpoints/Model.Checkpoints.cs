using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace ConvNetGen;

public abstract partial class Model
{
    private const string CheckpointFormat = "convnetgen-checkpoint";
    private const string CheckpointVersion = "1";

    /// <summary>Dropout streams from a loaded checkpoint, handed to the next training workspaces created (seed, index, draws).</summary>
    private Queue<(int Seed, int Index, long Draws)>? _restoredStreams;

    /// <summary>
    /// Saves everything a resumed run needs to continue exactly where this one is: every weight (moving statistics
    /// included), the optimizer's state (moments, <see cref="Optimizer.Iterations"/>, its learning rate), the epoch
    /// the last Fit reached, the shuffle stream and the dropout streams. Resuming with <see cref="LoadCheckpoint"/>
    /// and <c>Fit(..., initialEpoch: …)</c>, with the same data, batch size and <see cref="ThreadCount"/>, gives
    /// bit-identical weights to a run that was never interrupted.
    /// </summary>
    /// <remarks>
    /// The file is safetensors (weights as <c>weights/layer/weight</c>, state as <c>optimizer/i</c>, the rest in the
    /// metadata, with a SHA-256 of the data), written atomically as <see cref="SaveWeights"/> is. Callbacks' own state
    /// (EarlyStopping's wait, ReduceLROnPlateau's best) is not saved, as in Keras. While the model trains, only the
    /// training thread may save (from a callback, as <see cref="ModelCheckpoint"/> does), between two steps.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is training on another thread.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">Writing failed; the old file is unchanged.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (optimizer, _) = RequireCompiled();
        int owner = Volatile.Read(ref _trainingThread);
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException(
                $"Cannot save a checkpoint of {Definition.Name} while it trains on another thread: its epoch and shuffle state change as it goes. Save from a callback (ModelCheckpoint), or after Fit returns.");

        var tensors = new List<(string Name, int[] Shape, long Begin, long End)>();
        var parts = new List<float[]>();
        using (ReadWeights())
        {
            long at = 0;
            foreach (var layer in Definition.Layers)
            foreach (var weight in layer.Weights)
            {
                tensors.Add(($"weights/{layer.Name}/{weight.Name}", weight.Shape.ToArray(), at, at += (long)weight.Length * sizeof(float)));
                parts.Add(_parameters.AsSpan(weight.Offset, weight.Length).ToArray());
            }
            var state = optimizer.CheckpointState;
            for (int i = 0; i < state.Count; i++)
            {
                if (state[i].Length == 0) continue;
                tensors.Add(($"optimizer/{i}", [state[i].Length], at, at += (long)state[i].Length * sizeof(float)));
                parts.Add((float[])state[i].Clone());
            }
            var c = CultureInfo.InvariantCulture;
            var metadata = new Dictionary<string, string>
            {
                ["format"] = CheckpointFormat,
                ["version"] = CheckpointVersion,
                ["model"] = Definition.Name,
                ["seed"] = Seed.ToString(c),
                ["epoch"] = _epochReached.ToString(c),
                ["optimizer"] = ConfigJson(ComparableConfig(optimizer)),
                ["optimizer_state"] = string.Join(",", state.Select(a => a.Length.ToString(c))),
                ["iterations"] = optimizer.Iterations.ToString(c),
                ["learning_rate"] = (optimizer.Schedule is null ? optimizer.LearningRate : 0f).ToString("R", c),
                ["shuffle"] = _shuffler?.State ?? "",
                ["workspaces_created"] = _workspacesCreated.ToString(c),
                ["dropout_streams"] = string.Join(",", _workspaces.Select(w => string.Create(c, $"{w.SeedIndex}:{w.RandomDraws}"))),
            };
            byte[] data = new byte[at];
            long offset = 0;
            foreach (var part in parts)
            {
                var bytes = MemoryMarshal.AsBytes(part.AsSpan());
                bytes.CopyTo(data.AsSpan((int)offset));
                offset += bytes.Length;
            }
            if (!BitConverter.IsLittleEndian)
            {
                var words = MemoryMarshal.Cast<byte, int>(data.AsSpan());
                System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(words, words);
            }
            metadata["sha256"] = Convert.ToHexString(SHA256.HashData(data));
            byte[] header = SafeTensorsFormat.Header(tensors, metadata);
            AtomicFile.Write(path, file =>
            {
                file.Write(header);
                file.Write(data);
            });
        }
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="SaveCheckpoint"/> into this compiled model: weights, optimizer state,
    /// shuffle and dropout streams. Returns the epoch it was saved at: pass it to <c>Fit</c> as <c>initialEpoch</c>.
    /// </summary>
    /// <remarks>
    /// All or nothing: the file is read and checked whole (its SHA-256, every shape) before anything changes, so a
    /// truncated, corrupt or mismatched file leaves the model and its optimizer as they were. The learning rate is the
    /// checkpoint's (e.g. as ReduceLROnPlateau left it), unless the optimizer follows a schedule.
    /// </remarks>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a checkpoint, is truncated or corrupt, or is of another model or optimizer; the message says what differs.
    /// </exception>
    /// <exception cref="InvalidOperationException">The model is not compiled, or is training.</exception>
    public int LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (optimizer, _) = RequireCompiled();
        ThrowIfTraining("load a checkpoint");
        using var file = OpenForReading(path);
        List<SafeTensorEntry> entries;
        Dictionary<string, string> metadata;
        long dataStart;
        try
        {
            (entries, metadata, dataStart) = SafeTensorsFormat.ReadHeader(file, path);
        }
        catch (InvalidDataException e)
        {
            throw CheckpointError(path, $"it is damaged or not a checkpoint ({e.Message.TrimEnd('.')})", e);
        }
        string Meta(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw CheckpointError(path, $"its metadata lacks '{key}' (not a checkpoint, or a damaged one)");
        if (!metadata.TryGetValue("format", out var format) || format != CheckpointFormat)
            throw CheckpointError(path, format is null or "convnetgen"
                ? "it is a safetensors file of weights but not a checkpoint (SaveWeights files load with LoadWeights)"
                : $"its format is '{format}', not '{CheckpointFormat}'");
        if (Meta("version") != CheckpointVersion)
            throw CheckpointError(path, $"it is version {Meta("version")}; this library reads version {CheckpointVersion}");

        // The data, whole, against its hash: a flipped bit anywhere is found before anything is used.
        long length = file.Length - dataStart;
        if (length > Array.MaxLength) throw CheckpointError(path, "its data is larger than one array can hold");
        var data = new byte[length];
        file.Position = dataStart;
        try
        {
            file.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw CheckpointError(path, "it got shorter while being read", e);
        }
        if (!string.Equals(Convert.ToHexString(SHA256.HashData(data)), Meta("sha256"), StringComparison.OrdinalIgnoreCase))
            throw CheckpointError(path, "its data does not match its SHA-256 (the file is corrupt or was changed)");
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, int>(data.AsSpan());
            System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(words, words);
        }

        var problems = new List<string>();
        if (Meta("model") != Definition.Name) problems.Add($"it is of {Meta("model")}; this model is {Definition.Name}");
        var byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var staged = new List<(int Offset, float[] Values)>();
        foreach (var layer in Definition.Layers)
        foreach (var weight in layer.Weights)
        {
            string name = $"weights/{layer.Name}/{weight.Name}";
            expected.Add(name);
            if (!byName.TryGetValue(name, out var entry)) problems.Add($"'{layer.Name}/{weight.Name}' {weight.Shape} is missing");
            else if (entry.DType != "F32" || !entry.Shape.SequenceEqual(weight.Shape.Select(d => (long)d)))
                problems.Add($"'{layer.Name}/{weight.Name}' has shape [{string.Join(", ", entry.Shape)}] ({entry.DType}); the model's is [{string.Join(", ", weight.Shape)}] (F32)");
            else staged.Add((weight.Offset, Floats(data, entry)));
        }
        foreach (var entry in entries.Where(e => e.Name.StartsWith("weights/", StringComparison.Ordinal) && !expected.Contains(e.Name)))
            problems.Add($"'{entry.Name["weights/".Length..]}' is in the checkpoint but {Definition.Name} has no such weight");

        var savedConfig = ParseConfig(Meta("optimizer")) ?? throw CheckpointError(path, "its optimizer configuration is not a JSON object of strings");
        var ownConfig = ComparableConfig(optimizer);
        foreach (var key in savedConfig.Keys.Union(ownConfig.Keys).Order(StringComparer.Ordinal))
        {
            savedConfig.TryGetValue(key, out var saved);
            ownConfig.TryGetValue(key, out var own);
            if (saved != own) problems.Add($"the optimizer's {key} is {saved ?? "absent"} in the checkpoint but {own ?? "absent"} here");
        }
        var state = optimizer.CheckpointState;
        string ownLayout = string.Join(",", state.Select(a => a.Length.ToString(CultureInfo.InvariantCulture)));
        var stagedState = new float[state.Count][];
        if (Meta("optimizer_state") != ownLayout)
            problems.Add($"the optimizer's state arrays are [{Meta("optimizer_state")}] long in the checkpoint but [{ownLayout}] here");
        else
            for (int i = 0; i < state.Count; i++)
            {
                if (state[i].Length == 0) { stagedState[i] = []; continue; }
                if (!byName.TryGetValue($"optimizer/{i}", out var entry) || entry.Shape.Length != 1 || entry.Shape[0] != state[i].Length)
                    problems.Add($"optimizer state {i} is missing or of the wrong length");
                else stagedState[i] = Floats(data, entry);
            }
        if (problems.Count > 0)
            throw CheckpointError(path, "it does not fit:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems));

        var c = CultureInfo.InvariantCulture;
        int epoch, seed, created;
        long iterations;
        float learningRate;
        ShuffleStream? shuffler;
        Queue<(int, int, long)> streams = new();
        try
        {
            epoch = int.Parse(Meta("epoch"), NumberStyles.None, c);
            seed = int.Parse(Meta("seed"), NumberStyles.AllowLeadingSign, c);
            created = int.Parse(Meta("workspaces_created"), NumberStyles.None, c);
            iterations = long.Parse(Meta("iterations"), NumberStyles.None, c);
            learningRate = float.Parse(Meta("learning_rate"), NumberStyles.Float, c);
            shuffler = Meta("shuffle").Length == 0 ? null : ShuffleStream.Replay(seed, Meta("shuffle"));
            if (Meta("dropout_streams").Length > 0)
                foreach (string stream in Meta("dropout_streams").Split(','))
                {
                    string[] p = stream.Split(':');
                    int index = int.Parse(p[0], NumberStyles.None, c);
                    streams.Enqueue((WorkspaceSeed(seed, index), index, long.Parse(p[1], NumberStyles.None, c)));
                }
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw CheckpointError(path, $"a metadata value is malformed ({e.Message})", e);
        }
        if (optimizer.Schedule is null && !(float.IsFinite(learningRate) && learningRate > 0f))
            throw CheckpointError(path, FormattableString.Invariant($"its learning rate {learningRate} is not a finite number above 0"));

        Reconfigure("load a checkpoint", () =>
        {
            foreach (var (offset, values) in staged) values.CopyTo(_parameters.AsSpan(offset));
            optimizer.RestoreCheckpoint(iterations, learningRate, stagedState);
            _shuffler = shuffler;
            _epochReached = epoch;
            // New training workspaces pick up the saved dropout streams; the old ones (and their streams) go.
            _workspaces = [];
            _restoredStreams = streams;
            _workspacesCreated = created;
        });
        return epoch;
    }

    /// <summary>The optimizer's configuration without a fixed learning rate, which a run may change (ReduceLROnPlateau) and the checkpoint restores.</summary>
    private static Dictionary<string, string> ComparableConfig(Optimizer optimizer)
    {
        var config = new Dictionary<string, string>(optimizer.GetConfig(), StringComparer.Ordinal);
        if (optimizer.Schedule is null) config.Remove("learning_rate");
        return config;
    }

    // Written and read by hand rather than by JsonSerializer: no reflection, so nothing for the trimmer to warn about.
    private static string ConfigJson(Dictionary<string, string> config)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in config.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(key, value);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Dictionary<string, string>? ParseConfig(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var config = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) return null;
                config[property.Name] = property.Value.GetString()!;
            }
            return config;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static float[] Floats(byte[] data, SafeTensorEntry entry) =>
        MemoryMarshal.Cast<byte, float>(data.AsSpan((int)entry.Begin, (int)(entry.End - entry.Begin))).ToArray();

    private InvalidDataException CheckpointError(string path, string what, Exception? inner = null) =>
        new($"Cannot load checkpoint '{path}' into {Definition.Name}; nothing was changed: {what}.", inner);
}
