using ConvNetGen.Import.Onnx;

namespace ConvNetGen.Import;

/// <summary>The command line: <c>convnetgen import</c> and <c>convnetgen dump</c>.</summary>
public static class Cli
{
    const string Usage = """
        usage: convnetgen import model.onnx --class NAME [--namespace NS] [--out DIR] [--block]
               convnetgen dump model.onnx
        import writes DIR/NAME.cs (the model in ConvNetGen's attributes) and DIR/NAME.safetensors (its weights).
        --block writes a [Block] (no [Input]): included with [Include(typeof(NAME))] it takes the shape that arrives there
                (the ONNX pads stay as they are; at a size where they no longer line up the build says so, CNG0022).
        """;

    /// <summary>Runs a command; returns the process exit code (0 ok, 1 import error, 2 usage).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2 || args[0] is not ("import" or "dump"))
        {
            error.WriteLine(Usage);
            return 2;
        }
        string model = args[1];
        string? className = null, ns = null, outDir = ".";
        bool block = false;
        for (int i = 2; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--class": className = Value(); break;
                case "--namespace": ns = Value(); break;
                case "--out": outDir = Value(); break;
                case "--block": block = true; break;
                default:
                    error.WriteLine($"unknown option '{args[i]}'");
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        try
        {
            var onnx = OnnxModel.Load(model);
            if (args[0] == "dump")
            {
                output.Write(Dump.Describe(onnx));
                return 0;
            }
            if (className is null || outDir is null)
            {
                error.WriteLine(Usage);
                return 2;
            }
            var result = Importer.Import(onnx, className, ns, Path.GetFileName(model), block);
            foreach (var warning in result.Warnings) error.WriteLine($"convnetgen: warning: {warning}");
            var (code, weights) = result.Write(outDir);
            output.WriteLine($"wrote {code} ({result.Layers.Count} layers) and {weights} ({result.ParameterCount:N0} values)");
            return 0;
        }
        catch (Exception e) when (e is ImportException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"convnetgen: {e.Message}");
            return 1;
        }
    }
}
