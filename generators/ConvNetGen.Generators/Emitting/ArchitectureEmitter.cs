using System.Linq;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Emitting;

/// <summary>Emits the static <c>Architecture</c> (typed layer descriptions) and the build-time <c>Summary</c>.</summary>
internal static class ArchitectureEmitter
{
    private const string Ns = "global::ConvNetGen.";

    public static void Emit(SourceWriter w, ModelPlan plan)
    {
        w.Line("/// <summary>The layers, shapes and parameter layout the generator inferred at build time.</summary>");
        w.Line($"public static {Ns}ModelArchitecture Architecture {{ get; }} = new(");
        w.Indent();
        w.Line($"{SourceWriter.Quote(plan.ClassName)}, {SourceWriter.Quote(plan.InputName)}, {Shape(plan.InputShape)},");
        w.Line("[");
        w.Indent();
        bool graph = !plan.IsSequential;
        foreach (var layer in plan.Layers)
        {
            string weights = string.Join(", ", layer.Weights.Select(x =>
                $"new({SourceWriter.Quote(x.Name)}, {Shape(x.Shape)}, {SourceWriter.Int(x.Offset)}, {(x.IsTrainableVariable ? "true" : "false")})"));
            // A stack's layers each read the one before (the record's default); a graph says what each reads.
            string inputs = graph ? $", Inputs: [{string.Join(", ", layer.Inputs.Select(i => SourceWriter.Int(i)))}]" : "";
            var settings = layer.Definition.Config(layer).ToList();
            string config = settings.Count == 0 ? "" : $", Config: new() {{ {string.Join(", ", settings.Select(p => $"{p.Property} = {p.Value}"))} }}";
            w.Line($"new({SourceWriter.Int(layer.Index)}, {SourceWriter.Quote(layer.Name)}, {Ns}LayerKind.{layer.Kind}, {Shape(layer.InputShape)}, {Shape(layer.OutputShape)}, {Ns}Activation.{layer.Spec.Activation}, [{weights}]{inputs}{config}),");
        }
        w.Unindent();
        w.Line("]);");
        w.Unindent();
        w.Line();
        w.Line("/// <summary>Keras' model summary, computed at build time.</summary>");
        w.Line($"public static string Summary => {SourceWriter.Verbatim(SummaryText(plan))};");
    }

    public static string SummaryText(ModelPlan plan)
    {
        var rows = new System.Collections.Generic.List<SummaryTable.Row>
        {
            new(plan.InputName + " (InputLayer)", SummaryTable.FormatShape(plan.InputShape.ToArray()), 0),
        };
        bool connected = !plan.IsSequential; // Keras shows "Connected to" for a functional model that is not a plain stack
        rows.AddRange(plan.Layers.Select(l =>
            new SummaryTable.Row($"{l.Name} ({l.Kind})", SummaryTable.FormatShape(l.OutputShape.ToArray()), l.ParameterCount,
                connections: connected ? l.InputNames.ToArray() : null)));
        int trainable = plan.TrainableVariableCount;
        return SummaryTable.Format(plan.ClassName, rows, trainable, plan.ParameterCount - trainable, connected);
    }

    private static string Shape(EquatableArray<int> shape) =>
        $"new {Ns}TensorShape({string.Join(", ", shape.Select(d => SourceWriter.Int(d)))})";
}
