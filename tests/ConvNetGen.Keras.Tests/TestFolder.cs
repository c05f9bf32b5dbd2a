namespace ConvNetGen.Keras.Tests;

/// <summary>A fresh temporary folder per test class instance, deleted afterwards.</summary>
public sealed class TestFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("convnetgen-keras-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public static class Samples
{
    /// <summary>A model whose every weight is seeded noise, BatchNormalization's variances positive, so no weight is a default.</summary>
    public static T Randomised<T>(T model, int seed) where T : Model
    {
        var random = new Random(seed);
        var values = new Dictionary<string, float[]>();
        foreach (var layer in model.Definition.Layers)
        foreach (var weight in layer.Weights)
        {
            var v = new float[weight.Length];
            for (int i = 0; i < v.Length; i++)
                v[i] = weight.Name == "moving_variance" ? 0.5f + (float)random.NextDouble() : (float)(random.NextDouble() - 0.5) * 0.6f;
            values[$"{layer.Name}/{weight.Name}"] = v;
        }
        model.SetWeights(values);
        return model;
    }

    public static float[] Inputs(Model model, int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * model.Definition.InputShape.ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        return x;
    }

    public static float[] Predictions(Model model, float[] x)
    {
        int count = x.Length / model.Definition.InputShape.ElementCount;
        var y = new float[count * model.Definition.OutputShape.ElementCount];
        model.Predict(x, y);
        return y;
    }
}
