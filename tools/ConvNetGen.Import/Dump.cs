using System.Text;
using ConvNetGen.Import.Onnx;

namespace ConvNetGen.Import;

/// <summary>Prints an ONNX graph as text: opsets, inputs, outputs, initializers' shapes, and every node.</summary>
public static class Dump
{
    /// <summary>The model as text, one node a line.</summary>
    public static string Describe(OnnxModel model)
    {
        var graph = model.Graph;
        var text = new StringBuilder();
        text.AppendLine($"ir_version {model.IrVersion}, producer {model.ProducerName} {model.ProducerVersion}, opsets " +
                        string.Join(", ", model.Opsets.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}")));
        var initializers = graph.Initializers.ToDictionary(t => t.Name);
        foreach (var input in graph.Inputs.Where(i => !initializers.ContainsKey(i.Name)))
            text.AppendLine($"input  {input.Name} {Shape(input)}");
        foreach (var output in graph.Outputs)
            text.AppendLine($"output {output.Name} {Shape(output)}");
        text.AppendLine($"{graph.Initializers.Count} initializers, {graph.Initializers.Sum(t => t.ElementCount):N0} values");
        foreach (var node in graph.Nodes)
        {
            text.Append($"{node.OpType} '{node.Name}' ({string.Join(", ", node.Inputs.Select(i => initializers.TryGetValue(i, out var t) ? $"{i}[{string.Join("x", t.Dims)}]" : i))}) -> ({string.Join(", ", node.Outputs)})");
            foreach (var a in node.Attributes)
                text.Append($" {a.Name}={a}");
            text.AppendLine();
        }
        return text.ToString();
    }

    static string Shape(OnnxValueInfo v) =>
        "[" + string.Join(", ", v.Shape.Select((d, i) => d?.ToString() ?? (v.ShapeParams[i].Length > 0 ? v.ShapeParams[i] : "?"))) + "]";
}
