using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// BenchmarkDotNet with its MemoryDiagnoser for the reference model: a whole training step (batch 64, both cores),
/// Predict on one image and on a batch, and each generated layer method forward and backward (one thread, 32 samples).
/// </summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private MnistConvNet _model = null!;
    private float[] _x = null!, _outputs = null!;
    private int[] _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = Enumerable.Range(0, 64 * 784).Select(_ => random.NextSingle()).ToArray();
        _y = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        _outputs = new float[64 * 10];
        _model = new MnistConvNet(seed: 42);
        _model.Compile(new RMSprop(0.001f), Losses.SparseCategoricalCrossentropy);
    }

    [Benchmark]
    public float TrainStepBatch64() => _model.TrainOnBatch(_x, _y);

    [Benchmark]
    public void PredictOneImage() => _model.Predict(_x.AsSpan(0, 784), _outputs.AsSpan(0, 10));

    [Benchmark]
    public void Predict64Images() => _model.Predict(_x, _outputs);
}

/// <summary>Each generated layer method alone (the per-layer table of the README comes from the `layers` runner).</summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    private const int Batch = 32;
    private MnistConvNet _model = null!;
    private object?[] _arguments = null!;
    private MethodInfo _method = null!;

    public static IEnumerable<string> Methods =>
        MnistConvNet.Architecture.Layers
            .Where(l => l.Kind != LayerKind.Flatten)
            .SelectMany(l => new[] { Identifier(l.Name) + "Forward", Identifier(l.Name) + "Backward" });

    [ParamsSource(nameof(Methods))]
    public string Method { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _model = new MnistConvNet(seed: 42) { ThreadCount = 1 };
        var ws = (ModelWorkspace)typeof(MnistConvNet).GetMethod("CreateWorkspace", BindingFlags.NonPublic | BindingFlags.Instance)!
            .Invoke(_model, [Batch, true])!;
        var random = new Random(1);
        for (int i = 0; i < ws.Input.Length; i++) ws.Input[i] = random.NextSingle();
        for (int i = 0; i < ws.OutputGradient.Length; i++) ws.OutputGradient[i] = (random.NextSingle() - 0.5f) * 0.01f;
        // Fill every layer's buffers once, so each method below runs on real intermediate values.
        typeof(Model).GetMethod("Forward", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(_model, [ws, Batch, true]);
        _method = typeof(MnistConvNet).GetMethod(Method, BindingFlags.NonPublic | BindingFlags.Instance)!;
        _arguments = Method.EndsWith("Forward", StringComparison.Ordinal) ? [ws, Batch, true] : [ws, Batch];
    }

    [Benchmark]
    public object? Run() => _method.Invoke(_model, _arguments);

    private static string Identifier(string name) =>
        string.Concat(name.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
