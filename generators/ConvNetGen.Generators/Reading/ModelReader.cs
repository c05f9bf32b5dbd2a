using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ConvNetGen.Generators.Diagnostics;
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

        // The transform runs once per declaration carrying [Input]; only the first one speaks for the model.
        var inputAttribute = context.Attributes[0];
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
            .Select(a => ReadLayer(a.Kind, a.Data, LocationInfo.From(a.Syntax)))
            .ToEquatableArray();

        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        string hintName = (ns is null ? "" : ns + ".") + type.Name + ".g.cs";
        return new ModelSpec(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ns,
            type.Name,
            hintName,
            canEmit,
            inputArguments.String("Name") ?? "input_layer",
            inputArguments.IntArray("shape").ToEquatableArray(),
            LocationInfo.From(inputAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
            layers,
            diagnostics.ToEquatableArray());
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
            if (name == AttributeNames.Input) kind = LayerKind.Input;
            else if (name is null || !AttributeNames.Layers.TryGetValue(name, out kind)) continue;
            var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            result.Add(new ModelAttribute(kind, data, syntax, syntax?.Parent?.Parent));
        }
        return result
            .OrderBy(a => a.Syntax?.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(a => a.Syntax?.SpanStart ?? 0)
            .ToList();
    }

    private static LayerSpec ReadLayer(LayerKind kind, AttributeData data, LocationInfo? location)
    {
        var args = new AttributeArguments(data);
        var spec = new LayerSpec(kind, args.String("Name"), location);
        switch (kind)
        {
            case LayerKind.Conv2D:
                return spec with
                {
                    Units = args.Int("filters", 0),
                    WindowHeight = args.Int("kernelHeight", args.Int("kernelSize", 0)),
                    WindowWidth = args.Int("kernelWidth", args.Int("kernelSize", 0)),
                    StrideHeight = Stride(args, "StrideHeight", 1, zeroStridesMeansDefault: false),
                    StrideWidth = Stride(args, "StrideWidth", 1, zeroStridesMeansDefault: false),
                    Padding = (PaddingKind)args.Int("Padding", 0),
                    Activation = (ActivationKind)args.Int("Activation", 0),
                    UseBias = args.Bool("UseBias", true),
                };
            case LayerKind.MaxPooling2D:
            case LayerKind.AveragePooling2D:
                int poolHeight = args.Int("poolHeight", args.Int("poolSize", 2));
                int poolWidth = args.Int("poolWidth", args.Int("poolSize", 2));
                return spec with
                {
                    WindowHeight = poolHeight,
                    WindowWidth = poolWidth,
                    StrideHeight = Stride(args, "StrideHeight", poolHeight),
                    StrideWidth = Stride(args, "StrideWidth", poolWidth),
                    Padding = (PaddingKind)args.Int("Padding", 0),
                };
            case LayerKind.Dense:
                return spec with
                {
                    Units = args.Int("units", 0),
                    Activation = (ActivationKind)args.Int("Activation", 0),
                    UseBias = args.Bool("UseBias", true),
                };
            case LayerKind.Dropout:
                return spec with { Rate = args.Double("rate", 0) };
            case LayerKind.BatchNormalization:
                return spec with { Momentum = args.Double("Momentum", 0.99), Epsilon = args.Double("Epsilon", 0.001) };
            case LayerKind.Rescaling:
                return spec with { Scale = args.Double("scale", 1), Offset = args.Double("offset", 0) };
            case LayerKind.Include:
                return spec with { Included = args.Type("model") };
            default:
                return spec;
        }
    }

    /// <summary>A per-axis stride wins over <c>Strides</c>; 0 or absent means the layer's default.</summary>
    /// <remarks>Conv2D documents no 0 default for <c>Strides</c>, so an explicit 0 there stays 0 and is reported.</remarks>
    private static int Stride(AttributeArguments args, string axisName, int fallback, bool zeroStridesMeansDefault = true)
    {
        int axis = args.Int(axisName, 0);
        if (axis != 0) return axis;
        int both = args.Int("Strides", 0);
        if (both == 0 && args.Has("Strides") && !zeroStridesMeansDefault) return 0;
        return both != 0 ? both : fallback;
    }
}
