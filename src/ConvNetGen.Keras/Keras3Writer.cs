using System.Globalization;
using PureHDF;

namespace ConvNetGen.Keras;

/// <summary>Lays a model's weights out as Keras 3's saving_lib writes them (see <see cref="Keras3Layout"/>).</summary>
internal static class Keras3Writer
{
    public static H5File Build(ModelArchitecture architecture, IReadOnlyDictionary<string, float[]> weights)
    {
        var layers = new H5Group();
        var paths = Keras3Layout.PathsOf(architecture);
        for (int i = 0; i < architecture.Layers.Count; i++)
        {
            var layer = architecture.Layers[i];
            // Keras writes a vars group for every layer, weightless ones too, because it carries the name.
            var vars = new H5Group { Attributes = new() { ["name"] = layer.Name } };
            for (int w = 0; w < layer.Weights.Count; w++)
            {
                var weight = layer.Weights[w];
                vars[w.ToString(CultureInfo.InvariantCulture)] =
                    new H5Dataset(weights[$"{layer.Name}/{weight.Name}"], fileDims: weight.Shape.Select(d => (ulong)d).ToArray());
            }
            layers[paths[i][(Keras3Layout.LayersGroup.Length + 1)..]] = new H5Group { ["vars"] = vars };
        }
        return new H5File
        {
            [Keras3Layout.LayersGroup] = layers,
            // The model's own (empty) variables, as Keras saves them for the model object itself.
            ["vars"] = new H5Group { Attributes = new() { ["name"] = architecture.Name } },
        };
    }
}
