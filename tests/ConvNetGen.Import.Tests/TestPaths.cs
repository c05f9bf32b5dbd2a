using System.Reflection;

namespace ConvNetGen.Import.Tests;

static class TestPaths
{
    static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"no {key} in the test assembly's metadata");

    public static string ResNet18Onnx => Path.GetFullPath(Path.Combine(Metadata("ResNet18Models"), "ResNet18Onnx", "ResNet18.onnx"));

    public static string PreprocessOnnx => Path.GetFullPath(Path.Combine(Metadata("ResNet18Models"), "ResNetPrepOnnx", "ResNetPreprocess.onnx"));

    public static string CommittedClass => Path.GetFullPath(Metadata("CommittedClass"));
}
