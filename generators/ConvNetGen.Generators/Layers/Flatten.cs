using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;

namespace ConvNetGen.Generators.Layers;

/// <summary>Flatten: channels-last data is already laid out flat, so the output and its gradient are the input's buffers.</summary>
internal sealed class Flatten : LayerDefinition
{
    public override LayerKind Kind => LayerKind.Flatten;

    public override string Prefix => "flatten";

    /// <summary>The input's size, already checked to fit in an int.</summary>
    public override int[]? OutputShape(ShapeContext c) => new[] { c.Input.Aggregate(1, (n, d) => n * d) };

    public override bool AliasesInput => true;

    public override void Forward(SourceWriter w, LayerContext c) =>
        w.Line("// Nothing to do: the output is the input's buffer, read as (batch, features).");

    public override void Backward(SourceWriter w, LayerContext c) =>
        w.Line("// Nothing to do: the gradient is the input gradient's buffer.");
}
