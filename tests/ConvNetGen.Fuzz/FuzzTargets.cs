using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConvNetGen.Fuzz;

/// <summary>
/// The fuzz targets, as plain functions that AFL (through <see cref="Program"/>) and the test suite both call.
/// Each feeds its input to a public reader; a refusal must be an <see cref="InvalidDataException"/> or an
/// <see cref="IOException"/>, anything else escapes as a crash. An accepted input is checked against an independent
/// reading of the same bytes (<see cref="SilentWrongLoadException"/> when they differ).
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets by the name <c>run-afl.sh</c> takes.</summary>
    public static IReadOnlyDictionary<string, FuzzTarget> ByName { get; } = new Dictionary<string, FuzzTarget>
    {
        ["idx"] = Idx,
        ["gzip"] = Gzip,
        ["safetensors"] = SafeTensors,
    };

    /// <summary>Whether a reader may refuse a file with <paramref name="e"/>.</summary>
    public static bool IsAllowedRefusal(Exception e) => e is InvalidDataException or IOException;

    /// <summary>
    /// The IDX readers on raw bytes (plain IDX, or gzip if they start with 1f 8b): images and labels, from a seekable
    /// and a forward-only stream, which take different paths and must agree.
    /// </summary>
    public static void Idx(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        var seekableImages = Refused(() => ConvNetGen.Idx.ReadImages(new MemoryStream(bytes, writable: false), "fuzz-input"));
        var forwardImages = Refused(() => ConvNetGen.Idx.ReadImages(new ForwardOnlyStream(bytes), "fuzz-input"));
        Agree(seekableImages?.Pixels, forwardImages?.Pixels, "images");
        if (seekableImages is not null) CheckAccepted(bytes, seekableImages.Pixels, [seekableImages.Count, seekableImages.Height, seekableImages.Width, seekableImages.Channels]);

        var seekableLabels = Refused(() => ConvNetGen.Idx.ReadLabels(new MemoryStream(bytes, writable: false), "fuzz-input"));
        var forwardLabels = Refused(() => ConvNetGen.Idx.ReadLabels(new ForwardOnlyStream(bytes), "fuzz-input"));
        Agree(seekableLabels, forwardLabels, "labels");
        if (seekableLabels is not null) CheckAccepted(bytes, seekableLabels, [seekableLabels.Length]);
    }

    /// <summary>
    /// The gzip path: inputs that do not start with the gzip magic are given it, so every input exercises the
    /// decompression and its checks. An accepted file must also decompress with GZipStream to exactly the IDX file
    /// whose pixels were loaded.
    /// </summary>
    public static void Gzip(ReadOnlySpan<byte> input)
    {
        if (input.Length >= 2 && input[0] == 0x1f && input[1] == 0x8b)
            Idx(input);
        else
            Idx((byte[])[0x1f, 0x8b, .. input]);
    }

    /// <summary>Safetensors: <see cref="Model.LoadWeights"/> of <see cref="FuzzNet"/>, strict and by name, from a file holding the input.</summary>
    public static void SafeTensors(ReadOnlySpan<byte> input)
    {
        string path = ScratchFile.Value!;
        File.WriteAllBytes(path, input.ToArray());
        foreach (bool byName in new[] { false, true })
        {
            var model = new FuzzNet(seed: 1);
            var loaded = Refused(() => model.LoadWeights(path, byName));
            if (loaded is not null) CheckLoadedWeights(input, model, loaded);
        }
    }

    /// <summary>One file per thread for the safetensors target, which reads from a path.</summary>
    private static readonly ThreadLocal<string> ScratchFile = new(() =>
        Path.Combine(Path.GetTempPath(), $"convnetgen-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.safetensors"));

    /// <summary>The result of <paramref name="read"/>, or null when it refused the input in an allowed way.</summary>
    private static T? Refused<T>(Func<T> read) where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsAllowedRefusal(e))
        {
            return null;
        }
    }

    private static void Agree(byte[]? seekable, byte[]? forwardOnly, string what)
    {
        if ((seekable is null) != (forwardOnly is null) || (seekable is not null && !seekable.AsSpan().SequenceEqual(forwardOnly)))
            throw new SilentWrongLoadException($"The {what} read differently from a seekable and a forward-only stream (accepted: {seekable is not null} / {forwardOnly is not null}).");
    }

    /// <summary>An accepted IDX input: its (decompressed) bytes are exactly the header's dimensions and then the data loaded.</summary>
    private static void CheckAccepted(byte[] input, byte[] loaded, int[] dimensions)
    {
        byte[] file = input;
        if (input.Length >= 2 && input[0] == 0x1f && input[1] == 0x8b)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(input), CompressionMode.Decompress);
                using var output = new MemoryStream();
                gzip.CopyTo(output);
                file = output.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new SilentWrongLoadException($"Loaded a gzip file that GZipStream refuses: {e.Message}");
            }
        }
        int rank = file[3];
        int headerLength = 4 + 4 * rank;
        long claimed = 1;
        for (int i = 0; i < rank; i++)
            claimed *= BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(4 + 4 * i));
        bool dimensionsMatch = rank == dimensions.Length || (rank == 3 && dimensions.Length == 4 && dimensions[3] == 1);
        for (int i = 0; i < rank && dimensionsMatch; i++)
            dimensionsMatch = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(4 + 4 * i)) == (uint)dimensions[i];
        if (!dimensionsMatch || loaded.LongLength != claimed || file.LongLength != headerLength + claimed
            || !file.AsSpan(headerLength).SequenceEqual(loaded))
            throw new SilentWrongLoadException(
                $"Accepted an IDX file of {file.Length} bytes whose header claims {claimed} values, loading {loaded.Length} that {(file.AsSpan(headerLength).SequenceEqual(loaded) ? "match" : "differ from")} its payload.");
    }

    /// <summary>An accepted weights file: every weight loaded equals the little-endian floats at its data_offsets.</summary>
    private static void CheckLoadedWeights(ReadOnlySpan<byte> input, Model model, IReadOnlyList<string> loadedLayers)
    {
        try
        {
            CompareWeights(input, model, loadedLayers);
        }
        catch (Exception e) when (e is not SilentWrongLoadException)
        {
            throw new SilentWrongLoadException($"Loaded weights from a file that an independent reading refuses: {e.GetType().Name}: {e.Message}");
        }
    }

    private static void CompareWeights(ReadOnlySpan<byte> input, Model model, IReadOnlyList<string> loadedLayers)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(input);
        var dataStart = checked(8 + (int)headerLength);
        using var header = JsonDocument.Parse(input.Slice(8, (int)headerLength).ToArray());
        foreach (var layer in model.Definition.Layers.Where(l => loadedLayers.Contains(l.Name)))
            foreach (var weight in layer.Weights)
            {
                // A layer loads whole or not at all, so every weight of a loaded layer must be in the file.
                if (!header.RootElement.TryGetProperty($"{layer.Name}/{weight.Name}", out var entry))
                    throw new SilentWrongLoadException($"Layer {layer.Name} was reported loaded, but {layer.Name}/{weight.Name} is not in the file.");
                var offsets = entry.GetProperty("data_offsets");
                int begin = dataStart + offsets[0].GetInt32(), end = dataStart + offsets[1].GetInt32();
                var inFile = MemoryMarshal.Cast<byte, float>(input[begin..end]);
                var inModel = model.Weights($"{layer.Name}/{weight.Name}");
                if (!MemoryMarshal.AsBytes(inFile).SequenceEqual(MemoryMarshal.AsBytes(inModel)))
                    throw new SilentWrongLoadException($"Weight {layer.Name}/{weight.Name} was loaded with values other than the file's bytes {begin}–{end}.");
            }
    }

    /// <summary>A stream that cannot seek, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}

/// <summary>One fuzz target: reads its input and throws only on a crash or a silent wrong load.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>A reader accepted an input but loaded something other than what the input holds.</summary>
public sealed class SilentWrongLoadException(string message) : Exception(message);
