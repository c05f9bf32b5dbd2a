using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Layers;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Replaces each [Include(typeof(Other))] with Other's layers, reported at the [Include] line. A model's layers keep
/// the names they have there (so weights load by name) and carry its input shape, checked where they land; a named
/// [Include] scopes them (<c>layer1_0/conv1</c>) and its name stands for their output. A [Block] takes the Filters and
/// Strides its [Include] gives, and its <c>Block.Input</c> becomes what arrives there. What each layer reads is
/// rewritten into the including list: local names scoped, positions shifted, the included input made the
/// [Include]'s.
/// </summary>
internal static class IncludeResolver
{
    /// <summary>Every model expanded (blocks are returned as they are: they emit nothing, but their own problems are reported).</summary>
    public static ImmutableArray<ModelSpec> Resolve(ImmutableArray<ModelSpec> models)
    {
        var byName = new Dictionary<string, ModelSpec>();
        foreach (var model in models) byName[model.FullName] = model;
        return models.Select(m => m.IsBlock ? m : Expand(m, byName, new List<string>())).ToImmutableArray();
    }

    private static string ShortName(string fullName)
    {
        string name = fullName.StartsWith("global::", System.StringComparison.Ordinal) ? fullName.Substring(8) : fullName;
        return name.Substring(name.LastIndexOf('.') + 1);
    }

    private static ModelSpec Expand(ModelSpec model, Dictionary<string, ModelSpec> byName, List<string> including)
    {
        if (!model.Layers.Any(l => l.Kind == LayerKind.Include)) return model;

        var layers = new List<LayerSpec>();
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        // Where each of this list's own layers lands, so the positions its layers read by can be rewritten.
        var landed = new int[model.Layers.Count];
        including.Add(model.FullName);
        for (int index = 0; index < model.Layers.Count; index++)
        {
            var layer = model.Layers[index];
            if (layer.Kind != LayerKind.Include)
            {
                landed[index] = layers.Count;
                layers.Add(layer with { Inputs = layer.Inputs.Select(r => r.Name is null && r.Layer >= 0 ? TensorRef.At(landed[r.Layer]) : r).ToEquatableArray() });
                continue;
            }
            landed[index] = layers.Count - 1; // until the included layers land; an unresolved include reads as the layer above
            var include = layer.Args<IncludeArguments>();
            string target = include.Model ?? "?";
            string shortName = ShortName(target);
            if (!byName.TryGetValue(target, out var included))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelNotFound, layer.Location, shortName, model.ClassName,
                    "it is not a ConvNetGen model or block of this project (a partial class with [Input] or [Block], and layers)"));
                continue;
            }
            if (including.Contains(target))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelNotFound, layer.Location, shortName, model.ClassName,
                    "models cannot include themselves, directly or through others (" + string.Join(" → ", including.Append(target).Select(ShortName)) + ")"));
                continue;
            }

            var expanded = Expand(included, byName, including);
            // A problem found deeper down (a cycle A → B → A) is this model's too: report it here, at this [Include].
            foreach (var problem in expanded.Diagnostics.Skip(included.Diagnostics.Count))
                diagnostics.Add(problem with { Location = layer.Location });
            if (expanded.Layers.Count == 0) continue;

            int first = layers.Count;
            TensorRef arriving = layer.Inputs.Count > 0 ? Shift(layer.Inputs[0], landed) : TensorRef.At(first - 1);
            string[] names = LayerNames.Assign(expanded.Layers);
            var local = new HashSet<string>(names.Concat(expanded.Layers.SelectMany(l => l.Aliases)));
            string Scoped(string name) => include.Scope is null ? name : include.Scope + "/" + name;

            TensorRef Rewrite(TensorRef r)
            {
                if (r.Name is null) return r.Layer < 0 ? arriving : TensorRef.At(first + r.Layer);
                if (included.IsBlock && r.Name == BlockInputName) return arriving;
                return local.Contains(r.Name) ? TensorRef.Named(Scoped(r.Name)) : r;
            }

            for (int i = 0; i < expanded.Layers.Count; i++)
            {
                var l = expanded.Layers[i];
                var inputs = l.Inputs.Select(Rewrite).ToList();
                if (i == 0 && inputs.Count == 0 && layer.Inputs.Count > 0) inputs.Add(arriving);
                var arguments = included.IsBlock ? Substitute(l, include, shortName, layer.Location, diagnostics) : l.Arguments;
                var aliases = l.Aliases.Select(Scoped).ToList();
                if (include.Scope is not null && i == expanded.Layers.Count - 1) aliases.Add(include.Scope);
                layers.Add(l with
                {
                    Name = Scoped(names[i]),
                    IsScoped = l.IsScoped || include.Scope is not null,
                    Location = layer.Location,
                    Arguments = arguments,
                    Inputs = inputs.ToEquatableArray(),
                    Aliases = aliases.ToEquatableArray(),
                    IncludedFrom = i == 0 && !included.IsBlock ? included.ClassName : l.IncludedFrom,
                    IncludedInput = i == 0 && !included.IsBlock ? included.InputShape : l.IncludedInput,
                });
            }
            landed[index] = layers.Count - 1;
        }
        including.RemoveAt(including.Count - 1);
        return model with { Layers = layers.ToEquatableArray(), Diagnostics = diagnostics.ToEquatableArray() };
    }

    /// <summary>What <c>Block.Input</c> is (<c>ConvNetGen.Block.Input</c>).</summary>
    public const string BlockInputName = "block_input";

    private static TensorRef Shift(TensorRef r, int[] landed) => r.Name is null && r.Layer >= 0 ? TensorRef.At(landed[r.Layer]) : r;

    /// <summary>
    /// A block's layer with the [Include]'s numbers: a negative filter or unit count k·Block.Filters becomes k·Filters
    /// (or stays a multiple of an outer block's, when Filters is itself Block.Filters), a stride of Block.Strides the
    /// Strides given.
    /// </summary>
    private static LayerArguments Substitute(LayerSpec layer, IncludeArguments include, string block, LocationInfo? at, List<DiagnosticInfo> diagnostics)
    {
        int Count(int count, string name)
        {
            if (count >= 0) return count;
            if (include.Filters == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BlockArgumentMissing, at, block, "Filters", name));
                return -count; // as if Filters were 1: the error stops the build, and nothing else is reported for it
            }
            return include.Filters > 0 ? -count * include.Filters : -(-count * -include.Filters);
        }
        Window Strided(Window w) => w with
        {
            StrideHeight = w.StrideHeight == -1 ? include.Strides : w.StrideHeight,
            StrideWidth = w.StrideWidth == -1 ? include.Strides : w.StrideWidth,
        };
        string name = layer.Name ?? LayerDefinitions.For(layer.Kind).Prefix;
        return layer.Arguments switch
        {
            Conv2DArguments c => c with { Filters = Count(c.Filters, name), Window = Strided(c.Window) },
            DenseArguments d => d with { Units = Count(d.Units, name) },
            Pooling2DArguments p => p with { Window = Strided(p.Window) },
            IncludeArguments i => i with { Filters = i.Filters < 0 ? Count(i.Filters, name) : i.Filters, Strides = i.Strides == -1 ? include.Strides : i.Strides },
            var other => other,
        };
    }
}
