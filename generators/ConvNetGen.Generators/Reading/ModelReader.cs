using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvNetGen.Generators.Reading;

/// <summary>
/// Turns a class carrying [Input] into a <see cref="ModelSpec"/>: plain data, read once, so no symbol or syntax node
/// outlives this stage.
/// </summary>
internal static class ModelReader
{
    /// <summary>Reads the model, or returns null when this node is not the declaration that should produce it.</summary>
    public static ModelSpec? Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax node)
            return null;

        // The transform runs once per declaration carrying [Input] (or [Block]); only the first one speaks for the model.
        var inputAttribute = context.Attributes[0];
        bool isBlock = inputAttribute.AttributeClass?.ToDisplayString() == AttributeNames.Block;
        var attributes = OrderedModelAttributes(type, cancellationToken);
        if (attributes.Any(a => a.Data.AttributeConstructor is null))
            return null; // the compiler reports the malformed attribute itself

        var diagnostics = new List<DiagnosticInfo>();
        var classLocation = LocationInfo.From(node.Identifier.GetLocation());
        bool canEmit = true;

        if (!type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotPartial, classLocation, type.Name));
            canEmit = false;
        }
        string? unsupported =
            type.IsRecord ? "a record; declare it as a partial class"
            : type.TypeKind != TypeKind.Class ? $"a {type.TypeKind.ToString().ToLowerInvariant()}; declare it as a partial class"
            : type.IsStatic ? "static; models are instantiated, so remove 'static'"
            : type.IsAbstract ? "abstract; models are instantiated, so remove 'abstract'"
            : GeneratedMemberNames.Contains(type.Name) ? $"named like a member the generator adds ({type.Name}); rename the class"
            : isBlock && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Input) ? "both a model ([Input]) and a [Block]; a block takes the shape it is included at, so remove one"
            : null;
        if (unsupported is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedModelDeclaration, classLocation, type.Name, unsupported));
            canEmit = false;
        }
        if (type.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelIsGeneric, classLocation, type.Name));
            canEmit = false;
        }
        if (type.ContainingType is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelIsNested, classLocation, type.Name, type.ContainingType.Name));
            canEmit = false;
        }
        if (type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && !IsConvNetGenModel(baseType))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelHasBaseClass, classLocation, type.Name, baseType.ToDisplayString()));
            canEmit = false;
        }

        var declarations = attributes.Select(a => a.Declaration).Distinct().ToList();
        if (declarations.Count > 1)
        {
            var stray = attributes.First(a => a.Declaration != declarations[0]);
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.LayersSplitAcrossDeclarations, LocationInfo.From(stray.Syntax), type.Name));
            canEmit = false;
        }

        var inputArguments = new AttributeArguments(inputAttribute);
        var layers = attributes
            .Where(a => a.Kind != LayerKind.Input)
            .Select(a => ReadLayer(a.Kind, a.Data, LocationInfo.From(a.Syntax), isBlock))
            .ToEquatableArray();

        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        string hintName = (ns is null ? "" : ns + ".") + type.Name + ".g.cs";
        return new ModelSpec(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ns,
            type.Name,
            hintName,
            canEmit,
            isBlock ? Shapes.IncludeResolver.BlockInputName : inputArguments.String("Name") ?? "input_layer",
            isBlock ? EquatableArray<int>.Empty : inputArguments.IntArray("shape").ToEquatableArray(),
            LocationInfo.From(inputAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
            layers,
            diagnostics.ToEquatableArray()) { IsBlock = isBlock };
    }

    /// <summary>Members every generated model declares; a class of the same name could not hold them (CS0542).</summary>
    private static readonly HashSet<string> GeneratedMemberNames =
        new(Shapes.LayerNames.GeneratedMemberNames.Concat(Shapes.LayerNames.OverriddenMemberNames));

    private static bool IsConvNetGenModel(INamedTypeSymbol type) =>
        type.Name == "Model" && type.ContainingNamespace.ToDisplayString() == AttributeNames.Namespace;

    private readonly record struct ModelAttribute(LayerKind Kind, AttributeData Data, AttributeSyntax? Syntax, SyntaxNode? Declaration);

    /// <summary>[Input] and the layer attributes in source order (file, then position).</summary>
    private static List<ModelAttribute> OrderedModelAttributes(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var result = new List<ModelAttribute>();
        foreach (var data in type.GetAttributes())
        {
            string? name = data.AttributeClass?.ToDisplayString();
            LayerKind kind;
            if (name == AttributeNames.Input || name == AttributeNames.Block) kind = LayerKind.Input;
            else if (name is null || !AttributeNames.Layers.TryGetValue(name, out kind)) continue;
            var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            result.Add(new ModelAttribute(kind, data, syntax, syntax?.Parent?.Parent));
        }
        return result
            .OrderBy(a => a.Syntax?.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(a => a.Syntax?.SpanStart ?? 0)
            .ToList();
    }

    /// <summary>
    /// One layer attribute: its kind's arguments (read by its definition), its name, and what it reads — a merge's
    /// names, or <c>Input</c>; in a block, <c>Block.Input</c> is the block's own input.
    /// </summary>
    private static LayerSpec ReadLayer(LayerKind kind, AttributeData data, LocationInfo? location, bool inBlock)
    {
        var args = new AttributeArguments(data);
        TensorRef Ref(string name) => inBlock && name == Shapes.IncludeResolver.BlockInputName ? TensorRef.ListInput : TensorRef.Named(name);
        if (kind == LayerKind.Include)
        {
            var include = new IncludeArguments(args.Type("model"), args.String("Name"), args.Int("Filters", 0), args.Int("Strides", 1));
            var from = args.String("Input");
            return new LayerSpec(kind, null, location, include) { Inputs = from is null ? EquatableArray<TensorRef>.Empty : new[] { Ref(from) }.ToEquatableArray() };
        }
        var definition = LayerDefinitions.For(kind);
        string[] inputs = definition.Merges ? args.StringArray("inputs") : args.String("Input") is { } one ? new[] { one } : new string[0];
        return new LayerSpec(kind, args.String("Name"), location, definition.Read(args))
        {
            Inputs = inputs.Select(Ref).ToEquatableArray(),
        };
    }
}
