using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Reading;

/// <summary>The attributes the generator reads, by metadata name.</summary>
internal static class AttributeNames
{
    public const string Namespace = "ConvNetGen";
    public const string Input = "ConvNetGen.InputAttribute";
    public const string Block = "ConvNetGen.BlockAttribute";
    public const string Include = "ConvNetGen.IncludeAttribute";

    /// <summary>Layer attribute metadata names and the kind each declares: every definition's, and [Include].</summary>
    public static readonly IReadOnlyDictionary<string, LayerKind> Layers = LayerDefinitions.All
        .ToDictionary(d => d.AttributeName, d => d.Kind)
        .Concat(new[] { new KeyValuePair<string, LayerKind>(Include, LayerKind.Include) })
        .ToDictionary(p => p.Key, p => p.Value);
}
