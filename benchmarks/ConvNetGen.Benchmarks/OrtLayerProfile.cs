using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// ONNX Runtime's side of <see cref="LayerProfile"/>: the model exported by ConvNetGen (NCHW), run at a batch by ONNX
/// Runtime with its profiler on, and each node's median kernel time printed, so a layer where it beats us stands out.
/// ONNX Runtime fuses (Conv + ReLU, the layout transposes), so its nodes are not always our layers one for one.
/// </summary>
internal static class OrtLayerProfile
{
    public static int Run(string[] args)
    {
        int batch = args.Length > 0 && int.TryParse(args[0], out int b) ? b : 1;
        int threads = int.TryParse(GemmQuick.Option(args, "--threads"), out int t) ? t : 2;
        Model model = GemmQuick.Option(args, "--model") switch
        {
            "big128" => new Big128(seed: 42),
            "resnet18" => new Pretrained.ResNet18Base(seed: 42),
            _ => new CifarVgg(seed: 42),
        };
        string path = Path.Combine(Path.GetTempPath(), $"convnetgen-ort-layers-{Environment.ProcessId}.onnx");
        model.ExportOnnx(path, OnnxLayout.Nchw);
        string? profile = null;
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), $"convnetgen-ort-profile-{Environment.ProcessId}");
            using var session = new InferenceSession(path, options);
            var shape = model.Definition.InputShape;
            var random = new Random(1);
            var x = new float[batch * shape.ElementCount];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), new DenseTensor<float>(x, [batch, shape[2], shape[0], shape[1]])) };
            for (int i = 0; i < 300; i++) { using var r = session.Run(inputs); }
            profile = session.EndProfiling();
        }
        finally
        {
            File.Delete(path);
        }

        var times = new Dictionary<string, List<double>>();
        using (var document = JsonDocument.Parse(File.ReadAllText(profile)))
            foreach (var e in document.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node") continue;
                string name = e.GetProperty("name").GetString()!;
                if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                string op = e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var o) ? o.GetString()! : "";
                string key = $"{name[..^"_kernel_time".Length]} ({op})";
                if (!times.TryGetValue(key, out var list)) times[key] = list = [];
                list.Add(e.GetProperty("dur").GetDouble());
            }
        File.Delete(profile);
        Console.WriteLine($"model={model.GetType().Name} batch={batch} onnxruntime threads={threads}: each node's median kernel time (µs) over the last 200 runs");
        double total = 0;
        foreach (var (key, list) in times)
        {
            var last = list.Skip(Math.Max(0, list.Count - 200)).Order().ToArray();
            double median = last[last.Length / 2];
            total += median;
            Console.WriteLine($"{key,-48} {median,9:0.0}");
        }
        Console.WriteLine($"total_us={total:0}");
        return 0;
    }
}
