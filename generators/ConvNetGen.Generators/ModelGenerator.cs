using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Emitting;
using ConvNetGen.Generators.Model;
using ConvNetGen.Generators.Reading;
using ConvNetGen.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvNetGen.Generators;

/// <summary>
/// Reads attributed model classes, checks every shape, and emits each model's code:
/// attributes → <see cref="ModelSpec"/> (Reading) → <see cref="ModelResult"/> (Shapes) → source (Emitting).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Input,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ModelReader.Read(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ReadModels);
        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Block,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ModelReader.Read(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ReadBlocks);
        var results = models.Collect().Combine(blocks.Collect())
            // [Include(typeof(Other))] needs Other's spec; each model's expanded spec compares equal when nothing it
            // uses changed, so the steps after this one stay cached.
            .SelectMany(static (all, _) => IncludeResolver.Resolve(all.Left.AddRange(all.Right)))
            .WithTrackingName(TrackingNames.ResolveIncludes)
            .Select(static (spec, _) => ShapeInference.Infer(spec))
            .WithTrackingName(TrackingNames.PlanModels);

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            if (result.Plan is not null)
                spc.AddSource(result.Plan.HintName, ModelEmitter.Emit(result.Plan));
        });
        ReportDiagnostics(context, results.Select(static (result, _) => result.Diagnostics));

        // A class with layers but no [Input] is never seen above; one provider per layer attribute finds it. The
        // per-attribute results are collected and joined as values: chaining Collect/Combine/SelectMany over values
        // providers made the driver's work grow exponentially with the number of layer kinds.
        IncrementalValueProvider<ImmutableArray<DiagnosticInfo>>? missing = null;
        foreach (var attributeName in AttributeNames.Layers.Keys)
        {
            var found = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, _) => MissingInput(ctx))
                .Where(static d => d is not null)
                .Select(static (d, _) => d!)
                .Collect();
            missing = missing is null ? found : missing.Value.Combine(found)
                .Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        }
        var distinct = missing!.Value
            .Select(static (all, _) => all.Distinct().ToImmutableArray())
            .WithTrackingName(TrackingNames.FindModelsWithoutInput);
        ReportDiagnostics(context, distinct.Select(static (all, _) => all.ToEquatableArray()));
    }

    /// <summary>
    /// Reports diagnostics against the compilation's own syntax trees: a location made from a path alone is never
    /// checked against #pragma warning disable or [SuppressMessage] (dotnet/roslyn#68291). Only this reporting step
    /// sees the compilation; the models and the emitted source stay cached.
    /// </summary>
    private static void ReportDiagnostics<TSource>(IncrementalGeneratorInitializationContext context, TSource diagnostics)
    {
        void Report(SourceProductionContext spc, (EquatableArray<DiagnosticInfo> Diagnostics, Compilation Compilation) input)
        {
            foreach (var diagnostic in input.Diagnostics)
                spc.ReportDiagnostic(diagnostic.ToDiagnostic(input.Compilation));
        }
        switch (diagnostics)
        {
            case IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> many:
                context.RegisterSourceOutput(many.Combine(context.CompilationProvider), Report);
                break;
            case IncrementalValueProvider<EquatableArray<DiagnosticInfo>> one:
                context.RegisterSourceOutput(one.Combine(context.CompilationProvider), Report);
                break;
        }
    }

    private static DiagnosticInfo? MissingInput(GeneratorAttributeSyntaxContext ctx)
    {
        if (ctx.TargetSymbol is not INamedTypeSymbol type) return null;
        if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is AttributeNames.Input or AttributeNames.Block)) return null;
        // Report once, on the first declaration that carries a layer attribute.
        var first = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && AttributeNames.Layers.ContainsKey(c.ToDisplayString()))
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax().Parent?.Parent)
            .OfType<TypeDeclarationSyntax>()
            .OrderBy(d => d.SyntaxTree.FilePath, System.StringComparer.Ordinal).ThenBy(d => d.SpanStart)
            .FirstOrDefault();
        if (first is null) return null;
        return DiagnosticInfo.Create(Descriptors.MissingInput, LocationInfo.From(first.Identifier.GetLocation()), type.Name);
    }
}
