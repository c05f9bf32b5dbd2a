using System.IO.Compression;
using PureHDF;
using PureHDF.VOL.Native;

namespace ConvNetGen.Keras;

/// <summary>
/// Keras weight files in and out of a ConvNetGen model: reads Keras 3 <c>.weights.h5</c>, Keras 3 <c>.keras</c>
/// archives (checking their <c>config.json</c> against the model) and legacy TF-Keras <c>.h5</c> (keras.applications'
/// downloads among them); writes Keras 3 <c>.weights.h5</c>, which Keras 3's <c>model.load_weights</c> takes.
/// </summary>
/// <remarks>
/// Thread-safe: the methods keep no state. Loading goes through <see cref="Model.SetWeights"/> (refused while the model
/// trains, waits for inference calls) and saving through <see cref="Model.GetWeights"/> (the weights between two steps).
/// Layers are taken in the model's order, flat: a model that includes another model's layers is written as one model,
/// where Keras would nest a sub-model.
/// </remarks>
public static class KerasWeights
{
    /// <summary>What Keras names the weights inside a <c>.keras</c> archive.</summary>
    public const string ArchiveWeightsEntry = "model.weights.h5";

    /// <summary>What Keras names the model's configuration inside a <c>.keras</c> archive.</summary>
    public const string ArchiveConfigEntry = "config.json";

    /// <summary>The most a <c>config.json</c> may take when read; Keras' own configs are kilobytes.</summary>
    private const long MaxConfigBytes = 64L << 20;

    /// <summary>Keras' zip-bomb rule for extracting a member to disk: over 256 MiB and over 100× the stored size.</summary>
    private const long ZipBombFloorBytes = 1L << 28;
    private const long ZipMaxExpansion = 100;

    private static ReadOnlySpan<byte> HdfSignature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> ZipSignature => [(byte)'P', (byte)'K', 3, 4];

    /// <summary>
    /// Loads a Keras weights file into <paramref name="model"/>, matching layers as Keras' <c>load_weights</c> does. The
    /// layout is found from the file's content, not its name. Strict by default; all or nothing: on any failure the
    /// model keeps its weights.
    /// </summary>
    /// <param name="model">The model to load into.</param>
    /// <param name="path">A <c>.weights.h5</c>, <c>.keras</c> or legacy <c>.h5</c> file.</param>
    /// <param name="options">Matching rules; <see cref="KerasLoadOptions.Strict"/> when null.</param>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is neither HDF5 nor a zip, or is truncated or corrupt (the message names the file and the HDF5 object), or
    /// its layers, weights or (for <c>.keras</c>) configuration do not match the model (every mismatch is listed, with
    /// the layer, the variable, and the expected and found shapes).
    /// </exception>
    /// <exception cref="InvalidOperationException">The model is training; nothing was loaded.</exception>
    public static KerasLoadResult Load(Model model, string path, KerasLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= KerasLoadOptions.Strict;
        var reader = new H5Reader(path);
        var head = new byte[8];
        int read;
        bool hdf5;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            read = probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            hdf5 = HasHdf5Signature(probe);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Cannot load Keras weights from '{path}': the file does not exist.", path, e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new IOException($"Cannot load Keras weights from '{path}': it is a folder, not a file.", e);
        }
        if (read >= 4 && head.AsSpan(0, 4).SequenceEqual(ZipSignature)) return LoadArchive(model, path, options);
        if (!hdf5)
            throw new InvalidDataException($"'{path}' is neither an HDF5 file (.h5, .weights.h5) nor a zip (.keras): it starts with [{Convert.ToHexString(head, 0, read)}].");
        using var file = reader.Open();
        return LoadHdf5(model, file, reader, path, options, config: null);
    }

    /// <summary>Whether the HDF5 signature is where the format allows it: at 0, or after a user block of 512, 1024, 2048, … bytes.</summary>
    private static bool HasHdf5Signature(FileStream file)
    {
        Span<byte> signature = stackalloc byte[8];
        for (long at = 0; at + signature.Length <= file.Length; at = at == 0 ? 512 : at * 2)
        {
            file.Position = at;
            file.ReadExactly(signature);
            if (signature.SequenceEqual(HdfSignature)) return true;
        }
        return false;
    }

    private static KerasLoadResult LoadHdf5(Model model, NativeFile file, H5Reader reader, string path, KerasLoadOptions options, KerasConfig? config)
    {
        var matcher = new WeightMatcher(model, reader, options);
        KerasFileFormat format;
        if (config is null && LegacyH5Layout.WeightsGroup(file, reader) is var (group, groupPath))
        {
            format = KerasFileFormat.LegacyH5;
            matcher.PairInOrder(LegacyH5Layout.Read(group, groupPath, reader));
        }
        else if (Keras3Layout.Recognises(file, reader))
        {
            format = config is null ? KerasFileFormat.Keras3Weights : KerasFileFormat.KerasArchive;
            var layers = Keras3Layout.Read(file, reader);
            if (config is not null)
            {
                // The archive's config names the layers, so by-name works for files of Keras versions that did not.
                var names = config.NamesByPath();
                layers = layers.Select(l => l.Name is null && names.TryGetValue(l.Key, out var n) ? l with { Name = n } : l).ToList();
                matcher.AddProblems(config.Differences(model.Definition, options.ByName));
            }
            matcher.PairByPath(layers);
        }
        else
            throw new InvalidDataException($"'{path}' is HDF5 but not a Keras weights file: it has neither Keras 3's 'layers' group nor TF-Keras' 'layer_names' attribute (at the root or in 'model_weights').");

        var (staged, loaded, skipped) = matcher.Stage(path);
        model.SetWeights(staged);
        return new KerasLoadResult(format, loaded, skipped);
    }

    private static KerasLoadResult LoadArchive(Model model, string path, KerasLoadOptions options)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' starts like a zip (.keras) but is not a readable one: {e.Message}", e);
        }
        using (zip)
        {
            var configEntry = zip.GetEntry(ArchiveConfigEntry)
                ?? throw new InvalidDataException($"'{path}' is a zip without {ArchiveConfigEntry}: not a Keras 3 .keras file.");
            var weightsEntry = zip.GetEntry(ArchiveWeightsEntry)
                ?? throw new InvalidDataException($"'{path}' has no {ArchiveWeightsEntry} (a .keras saved with the npz weights format, or not a Keras archive); only HDF5 weights are read.");
            if (configEntry.Length > MaxConfigBytes)
                throw new InvalidDataException($"'{path}': {ArchiveConfigEntry} says it is {configEntry.Length:N0} bytes; a Keras config is far smaller, so it is refused.");
            string json;
            try
            {
                using var configStream = configEntry.Open();
                using var text = new StreamReader(configStream);
                json = text.ReadToEnd();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{path}': {ArchiveConfigEntry} is damaged: {e.Message}", e);
            }
            var config = KerasConfig.Parse(json, $"'{path}' {ArchiveConfigEntry}");

            // A decompression bomb (CWE-409) is refused by Keras' rule: large and over 100× its stored size.
            if (weightsEntry.Length > ZipBombFloorBytes && weightsEntry.Length > ZipMaxExpansion * weightsEntry.CompressedLength)
                throw new InvalidDataException($"'{path}': {ArchiveWeightsEntry} declares {weightsEntry.Length:N0} bytes but only {weightsEntry.CompressedLength:N0} are stored; refused as a potential decompression bomb.");

            // PureHDF needs to seek, a zip entry cannot: the weights go to a temporary file the size the zip declares.
            string temporary = Path.Combine(Path.GetTempPath(), $"convnetgen-keras-{Environment.ProcessId}-{Guid.NewGuid():N}.h5");
            using var copy = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            try
            {
                using var entry = weightsEntry.Open();
                var buffer = new byte[1 << 16];
                long copied = 0;
                for (int n; (n = entry.Read(buffer)) > 0; copied += n)
                {
                    if (copied + n > weightsEntry.Length)
                        throw new InvalidDataException($"'{path}': {ArchiveWeightsEntry} holds more than the {weightsEntry.Length:N0} bytes the zip declares.");
                    copy.Write(buffer, 0, n);
                }
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{path}': {ArchiveWeightsEntry} is damaged in the zip: {e.Message}", e);
            }
            copy.Position = 0;
            var reader = new H5Reader($"{path}!{ArchiveWeightsEntry}");
            using var file = reader.Open(copy);
            return LoadHdf5(model, file, reader, path, options, config);
        }
    }

    /// <summary>
    /// Writes every weight of <paramref name="model"/> as a Keras 3 <c>.weights.h5</c> that Keras 3's
    /// <c>model.load_weights</c> takes into the same architecture: <c>layers/&lt;class&gt;[_n]/vars/&lt;i&gt;</c> in Keras'
    /// order, float32, each <c>vars</c> group carrying the layer's name. Atomic: <paramref name="path"/> holds either the
    /// old or the new complete file, even if the process is killed (as <see cref="Model.SaveWeights"/>).
    /// </summary>
    /// <remarks>Keras requires the name to end in <c>.weights.h5</c>; any name is written here.</remarks>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written to.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or writing failed; the old file is unchanged.</exception>
    public static void Save(Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = Keras3Writer.Build(model.Definition, model.GetWeights());
        AtomicFile.Write(path, stream => file.Write(stream));
    }
}
