using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>
/// Walks an object graph by reflection and lists every reachable value that would pin a compilation in an incremental
/// pipeline's cache (and break its equality): symbols, syntax, locations, semantic models, compilations.
/// </summary>
public static class ForbiddenReferences
{
    /// <summary>The types no pipeline model may hold (SyntaxTree and AttributeData pin the same things, so they count too).</summary>
    public static readonly Type[] Forbidden =
    [
        typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(SemanticModel), typeof(Compilation),
        typeof(SyntaxTree), typeof(AttributeData),
    ];

    private const BindingFlags InstanceMembers = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private const int MaxDepth = 64;

    /// <summary>Paths (e.g. <c>root.Spec.Layers._items[0].Location</c>) to every forbidden value under <paramref name="root"/>.</summary>
    public static List<string> Find(object? root, string rootName = "root")
    {
        var found = new List<string>();
        Walk(root, rootName, new HashSet<object>(ReferenceEqualityComparer.Instance), found, 0);
        return found;
    }

    private static void Walk(object? value, string path, HashSet<object> visited, List<string> found, int depth)
    {
        if (value is null) return;
        var type = value.GetType();
        if (Forbidden.FirstOrDefault(f => f.IsInstanceOfType(value)) is { } forbidden)
        {
            found.Add($"{path}: {type.FullName} (a {forbidden.Name})");
            return;
        }
        if (IsLeaf(type)) return;
        if (!type.IsValueType && !visited.Add(value)) return; // cycles and shared objects are walked once
        if (depth > MaxDepth)
        {
            found.Add($"{path}: deeper than {MaxDepth} levels, not walked further");
            return;
        }

        if (value is Array array)
        {
            int i = 0;
            foreach (var item in array) Walk(item, $"{path}[{i++}]", visited, found, depth + 1);
            return;
        }

        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(InstanceMembers))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                Walk(field.GetValue(value), $"{path}.{field.Name}", visited, found, depth + 1);
            }
            // Properties too, but only on the generator's own types: their getters are plain computations over the
            // record's fields, while a framework type's getters may do anything.
            if (t.Assembly != typeof(ModelGenerator).Assembly) continue;
            foreach (var property in t.GetProperties(InstanceMembers))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is null) continue;
                if (property.PropertyType.IsByRefLike || property.PropertyType.IsPointer) continue;
                if (property.GetCustomAttribute<CompilerGeneratedAttribute>() is not null) continue;
                object? propertyValue;
                try { propertyValue = property.GetValue(value); }
                catch (TargetInvocationException) { continue; } // e.g. Output on an empty layer list
                Walk(propertyValue, $"{path}.{property.Name}", visited, found, depth + 1);
            }
        }
    }

    /// <summary>Values that cannot hold a forbidden reference.</summary>
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer
        || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(TimeSpan)
        || typeof(Type).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(Delegate).IsAssignableFrom(type)
        // Descriptors are static metadata shared by every run; they are meant to be in the models.
        || type == typeof(DiagnosticDescriptor) || typeof(LocalizableString).IsAssignableFrom(type);
}
