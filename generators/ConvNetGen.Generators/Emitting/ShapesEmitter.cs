using System.Linq;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Emitting;

/// <summary>Emits the nested <c>Shapes</c> class: every dimension, window and parameter offset as a constant.</summary>
internal static class ShapesEmitter
{
    public static void Emit(SourceWriter w, ModelPlan plan)
    {
        w.Line($"/// <summary>Every dimension of {plan.ClassName}, as compile-time constants (one sample, channels last).</summary>");
        using (w.Block("public static class Shapes"))
        {
            w.Line("/// <summary>Elements of one input sample.</summary>");
            w.Line($"public const int InputSize = {Product(plan.InputShape)};");
            w.Line("/// <summary>Elements of one output sample (the number of classes for a classifier).</summary>");
            w.Line($"public const int OutputSize = {Product(plan.Output.OutputShape)};");
            w.Line("/// <summary>All parameters, as Keras' \"Total params\".</summary>");
            w.Line($"public const int ParameterCount = {plan.ParameterCount};");
            w.Line("/// <summary>Parameters a gradient updates when every layer is trainable.</summary>");
            w.Line($"public const int TrainableParameterCount = {plan.TrainableVariableCount};");

            foreach (var layer in plan.Layers)
            {
                w.Line();
                w.Line($"/// <summary>{SourceWriter.Xml(layer.Name)} ({layer.Kind}): {ShapeInference.Format(layer.InputShape)} → {ShapeInference.Format(layer.OutputShape)}, {layer.ParameterCount} parameters.</summary>");
                using (w.Block($"public static class {layer.Identifier}"))
                {
                    Dimensions(w, "Input", layer.InputShape);
                    Dimensions(w, "Output", layer.OutputShape);
                    layer.Definition.ShapeConstants(w, layer);
                    foreach (var weight in layer.Weights)
                    {
                        string name = Pascal(weight.Name);
                        w.Line($"public const int {name}Offset = {weight.Offset}, {name}Length = {weight.Length};");
                    }
                    w.Line($"public const int ParameterOffset = {layer.ParameterOffset}, ParameterCount = {layer.ParameterCount};");
                }
            }
        }
    }

    private static void Dimensions(SourceWriter w, string prefix, EquatableArray<int> shape)
    {
        string[] axes = shape.Count switch
        {
            3 => new[] { "Height", "Width", "Channels" },
            2 => new[] { "Rows", "Columns" },
            _ => new[] { "Features" },
        };
        string list = string.Join(", ", axes.Select((a, i) => $"{prefix}{a} = {SourceWriter.Int(shape[i])}"));
        w.Line($"public const int {list}, {prefix}Size = {Product(shape)};");
    }

    public static int Product(EquatableArray<int> shape) => shape.Aggregate(1, (n, d) => n * d);

    /// <summary><c>moving_mean</c> → <c>MovingMean</c>.</summary>
    public static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p.Substring(1)));
}
