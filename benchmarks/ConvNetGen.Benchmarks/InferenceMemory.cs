using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// Inference memory against ONNX Runtime's (issue 13: "inference RSS ≤ 2× ONNX Runtime's for the same batch"): each
/// runtime predicts one model at one batch in a process of its own (this program again, <c>memory-child</c>), both
/// .NET processes alike, and reports its peak resident set (VmHWM) after a few calls; ONNX Runtime runs our export of
/// the same network (NCHW, its default arena and graph optimisations, 2 threads). The baseline of a .NET process that
/// loads both libraries and does nothing is printed too, since it is in both figures.
/// </summary>
internal static class InferenceMemory
{
    public static int Run(string[] args)
    {
        string models = GemmQuick.Option(args, "--model") ?? "all";
        var batches = (GemmQuick.Option(args, "--batch") ?? "1,32").Split(',').Select(int.Parse).ToArray();
        Console.WriteLine($"baseline_mb={Child("none", "cifar", 1, ""):F0} (a .NET process with both runtimes' assemblies loaded, nothing run)");
        foreach (string model in models == "all" ? new[] { "cifar", "big128", "resnet18" } : models.Split(','))
        {
            // The export is written here, so ONNX Runtime's process only loads the file (its peak is its own).
            string path = Path.Combine(Path.GetTempPath(), $"convnetgen-memory-{model}-{Environment.ProcessId}.onnx");
            PredictLoop.Create(model).ExportOnnx(path, OnnxLayout.Nchw);
            try
            {
                foreach (int batch in batches)
                {
                    double ours = Child("convnetgen", model, batch, path), ort = Child("ort", model, batch, path);
                    Console.WriteLine($"model={model} batch={batch} convnetgen_peak_rss_mb={ours:F0} ort_peak_rss_mb={ort:F0} ratio={ours / ort:F2} (target <= 2)");
                }
            }
            finally
            {
                File.Delete(path);
            }
        }
        return 0;
    }

    /// <summary>Runs one contender in a fresh process and returns its peak RSS in MB.</summary>
    private static double Child(string runtime, string model, int batch, string onnxPath)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") // run as `dotnet ConvNetGen.Benchmarks.dll`, not by its apphost
            start.ArgumentList.Add(typeof(InferenceMemory).Assembly.Location);
        foreach (string a in new[] { "memory-child", runtime, model, batch.ToString(CultureInfo.InvariantCulture), onnxPath }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"memory-child {runtime} {model} {batch} failed: {output}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>In the child: load (our model, or ONNX Runtime's session on the export), predict five times at <c>batch</c>, print the peak RSS in MB.</summary>
    public static int RunChild(string[] args)
    {
        string runtime = args[0], model = args[1], path = args[3];
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        var shape = model switch { "big128" => Big128.Architecture.InputShape, "resnet18" => Pretrained.ResNet18Base.Architecture.InputShape, _ => CifarVgg.Architecture.InputShape };
        var x = new float[batch * shape.ElementCount];
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        _ = typeof(InferenceSession).Assembly; // both libraries' assemblies in every child, so the baseline is the same
        if (runtime == "convnetgen")
        {
            var ours = PredictLoop.Create(model);
            var y = new float[batch * ours.Definition.OutputShape.ElementCount];
            for (int i = 0; i < 5; i++) ours.Predict(x, y);
        }
        else if (runtime == "ort")
        {
            using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(path, options);
            var tensor = new DenseTensor<float>(x, [batch, shape[2], shape[0], shape[1]]);
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor) };
            for (int i = 0; i < 5; i++) { using var r = session.Run(inputs); }
        }
        Console.WriteLine(PeakRssMb().ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>VmHWM from /proc/self/status: the most this process has had resident, in MB.</summary>
    private static double PeakRssMb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        throw new InvalidOperationException("/proc/self/status has no VmHWM");
    }
}
