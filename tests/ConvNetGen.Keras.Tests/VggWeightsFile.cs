namespace ConvNetGen.Keras.Tests;

/// <summary>
/// The test helper that stands in for a keras.applications download offline: a legacy .h5 laid out as
/// vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 is (every layer in layer_names, pools with no weight_names,
/// kernel then bias as <c>block1_conv1/kernel:0</c>), filled with seeded He-scaled noise instead of ImageNet's values.
/// </summary>
/// <remarks>
/// Set <c>CONVNETGEN_VGG16_WEIGHTS_OUT</c> to a path and run the test <c>WritesVgg16NoTopWeightsForTheSample</c> to get
/// such a file for <c>samples/FineTuning --weights PATH</c>.
/// </remarks>
public static class VggWeightsFile
{
    public static Dictionary<string, float[]> Write(string path, ModelArchitecture architecture, int seed)
    {
        var random = new Random(seed);
        var values = new Dictionary<string, float[]>();
        var layers = new List<(string, (string, Var)[])>();
        foreach (var layer in architecture.Layers)
        {
            var weights = new List<(string, Var)>();
            foreach (var weight in layer.Weights)
            {
                var v = new float[weight.Length];
                double scale = weight.Name == "kernel" ? Math.Sqrt(2.0 / (weight.Length / weight.Shape[weight.Shape.Rank - 1])) : 0.01;
                for (int i = 0; i < v.Length; i++) v[i] = (float)((random.NextDouble() * 2 - 1) * scale * Math.Sqrt(3));
                values[$"{layer.Name}/{weight.Name}"] = v;
                weights.Add(($"{layer.Name}/{weight.Name}:0", new Var(v, weight.Shape.ToArray())));
            }
            layers.Add((layer.Name, weights.ToArray()));
        }
        KerasFiles.WriteLegacy(path, layers);
        return values;
    }
}

public sealed class VggWeightsFileWriter
{
    [Fact]
    public void WritesVgg16NoTopWeightsForTheSample()
    {
        string? path = Environment.GetEnvironmentVariable("CONVNETGEN_VGG16_WEIGHTS_OUT");
        if (string.IsNullOrEmpty(path)) return; // only on request: 59 MB
        VggWeightsFile.Write(path, ConvNetGen.Keras.Applications.VGG16NoTop.Architecture, seed: 1);
        Assert.True(new FileInfo(path).Length > 14_714_688L * 4);
    }
}
