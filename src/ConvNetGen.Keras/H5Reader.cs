using System.Globalization;
using PureHDF;
using PureHDF.VOL.Native;

namespace ConvNetGen.Keras;

/// <summary>
/// PureHDF reads behind one door, so that whatever a truncated or corrupt file makes it throw becomes an
/// <see cref="InvalidDataException"/> naming the file and the HDF5 object being read.
/// </summary>
internal sealed class H5Reader(string path)
{
    public string Path { get; } = path;

    /// <summary>Runs one read of the object at <paramref name="where"/>, translating the library's failures.</summary>
    public T At<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw Corrupt(where, e);
        }
    }

    public InvalidDataException Corrupt(string where, Exception? inner = null) =>
        new($"'{Path}' is not a readable HDF5 file at '{where}'{(inner is null ? "" : ": " + inner.GetType().Name + ": " + inner.Message)} (a truncated download or a damaged file?).", inner);

    public InvalidDataException Invalid(string where, string what) => new($"'{Path}' at '{where}': {what}");

    /// <summary>Opens the file and reads its superblock, so a file that is not HDF5 at all fails here.</summary>
    public NativeFile Open(Stream? stream = null)
    {
        try
        {
            var file = stream is null ? H5File.OpenRead(Path) : H5File.Open(stream, leaveOpen: true);
            try
            {
                _ = file.Children().Count(); // touches the root group's header
                return file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Cannot load Keras weights from '{Path}': the file does not exist.", Path, e);
        }
        catch (Exception e) when (e is not UnauthorizedAccessException and not OutOfMemoryException)
        {
            throw Corrupt("/", e);
        }
    }

    /// <summary>A string-array attribute (Keras' <c>layer_names</c>, <c>weight_names</c>), including the chunked form <c>name0</c>, <c>name1</c>, … Keras writes when one would be too large.</summary>
    public string[]? StringsAttribute(IH5Object owner, string ownerPath, string name) => At($"{ownerPath}@{name}", () =>
    {
        if (owner.AttributeExists(name)) return ReadStrings(owner.Attribute(name));
        var chunks = new List<string>();
        for (int i = 0; owner.AttributeExists(name + i.ToString(CultureInfo.InvariantCulture)); i++)
            chunks.AddRange(ReadStrings(owner.Attribute(name + i.ToString(CultureInfo.InvariantCulture))));
        return chunks.Count == 0 && !owner.AttributeExists(name + "0") ? null : chunks.ToArray();
    });

    /// <summary>A scalar string attribute (Keras 3's <c>vars</c> group <c>name</c>), or null when there is none.</summary>
    public string? StringAttribute(IH5Object owner, string ownerPath, string name) => At($"{ownerPath}@{name}", () =>
    {
        if (!owner.AttributeExists(name)) return null;
        var attribute = owner.Attribute(name);
        // h5py and PureHDF write a Python / C# str as a variable-length string, older files as fixed-length.
        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return null;
        return attribute.Space.Rank == 0 ? attribute.Read<string>() : attribute.Read<string[]>().FirstOrDefault();
    });

    private string[] ReadStrings(IH5Attribute attribute)
    {
        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
        {
            // h5py stores Keras' empty list (a pooling layer's weight_names) as an empty float64 array.
            if (attribute.Space.Rank > 0 && attribute.Space.Dimensions.Any(d => d == 0)) return [];
            throw Invalid(attribute.Name, $"is {Describe(attribute.Type)}, not a list of strings");
        }
        return attribute.Space.Rank == 0 ? [attribute.Read<string>()] : attribute.Read<string[]>();
    }

    /// <summary>Describes a dataset without reading its values: its shape, and whether it is float32.</summary>
    public FileVariable Variable(IH5Group group, string groupPath, string name, string? kerasName)
    {
        string where = $"{groupPath}/{name}";
        return At(where, () =>
        {
            var dataset = group.Dataset(name);
            return new FileVariable(where, kerasName, dataset.Space.Dimensions, dataset);
        });
    }

    /// <summary>Reads a matched variable whose shape was checked: as many floats as the model's weight has, no more.</summary>
    public float[] ReadFloats(FileVariable variable, int expectedLength)
    {
        var type = At(variable.Path, () => variable.Dataset.Type);
        if (type.Class != H5DataTypeClass.FloatingPoint || type.Size != 4)
            throw Invalid(variable.Path, $"is {Describe(type)}; Keras weights are float32");
        var values = At(variable.Path, () => variable.Dataset.Read<float[]>());
        if (values.Length != expectedLength)
            throw Invalid(variable.Path, $"holds {values.Length} values where its shape says {expectedLength}");
        return values;
    }

    private static string Describe(IH5DataType type) =>
        $"{type.Class} of {type.Size.ToString(CultureInfo.InvariantCulture)} bytes";
}
