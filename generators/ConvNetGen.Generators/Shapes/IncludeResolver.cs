using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvNetGen.Generators.Diagnostics;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Replaces each [Include(typeof(Other))] with Other's layers, named as they are in Other (so weights load by
/// name), reported at the [Include] line, and with Other's input shape to check where they land.
/// </summary>
internal static class IncludeResolver
{
    public static ImmutableArray<ModelSpec> Resolve(ImmutableArray<ModelSpec> models)
    {
        var byName = new Dictionary<string, ModelSpec>();
        foreach (var model in models) byName[model.FullName] = model;
        return models.Select(m => Expand(m, byName, new List<string>())).ToImmutableArray();
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
        including.Add(model.FullName);
        foreach (var layer in model.Layers)
        {
            if (layer.Kind != LayerKind.Include)
            {
                layers.Add(layer);
                continue;
            }
            string target = layer.Included ?? "?";
            string shortName = ShortName(target);
            if (!byName.TryGetValue(target, out var included))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelNotFound, layer.Location, shortName, model.ClassName,
                    "it is not a ConvNetGen model of this project (a partial class with [Input] and layers)"));
                continue;
            }
            if (including.Contains(target))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.IncludedModelNotFound, layer.Location, shortName, model.ClassName,
                    "models cannot include themselves, directly or through others (" + string.Join(" → ", including.Append(target).Select(ShortName)) + ")"));
                continue;
            }

            var expanded = Expand(included, byName, including);
            // A cycle found deeper down (A → B → A) is this model's problem too: report it here, at this [Include].
            foreach (var problem in expanded.Diagnostics.Skip(included.Diagnostics.Count))
                diagnostics.Add(problem with { Location = layer.Location });
            string[] names = LayerNames.Assign(expanded.Layers);
            for (int i = 0; i < expanded.Layers.Count; i++)
            {
                layers.Add(expanded.Layers[i] with
                {
                    Name = names[i],
                    Location = layer.Location,
                    IncludedFrom = i == 0 ? included.ClassName : null,
                    IncludedInput = i == 0 ? included.InputShape : default,
                });
            }
        }
        including.RemoveAt(including.Count - 1);
        return model with { Layers = layers.ToEquatableArray(), Diagnostics = diagnostics.ToEquatableArray() };
    }
}
