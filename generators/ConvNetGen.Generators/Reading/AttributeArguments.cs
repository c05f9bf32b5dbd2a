using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Reading;

/// <summary>An attribute's constructor and named arguments by name, so readers need not care which overload was used.</summary>
internal sealed class AttributeArguments
{
    private readonly Dictionary<string, TypedConstant> _values = new();

    public AttributeArguments(AttributeData attribute)
    {
        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        for (int i = 0; !parameters.IsDefault && i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
            _values[parameters[i].Name] = attribute.ConstructorArguments[i];
        foreach (var named in attribute.NamedArguments)
            _values[named.Key] = named.Value;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var c) && c.Value is int v ? v : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var c) && c.Value is { } v ? System.Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool Bool(string name, bool fallback) =>
        _values.TryGetValue(name, out var c) && c.Value is bool v ? v : fallback;

    public string? String(string name) =>
        _values.TryGetValue(name, out var c) ? c.Value as string : null;

    /// <summary>A typeof(...) argument as its fully qualified name.</summary>
    public string? Type(string name) =>
        _values.TryGetValue(name, out var c) && c.Value is ITypeSymbol t ? t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;

    /// <summary>A per-axis stride wins over <c>Strides</c>; 0 or absent means the layer's default.</summary>
    /// <remarks>Conv2D documents no 0 default for <c>Strides</c>, so an explicit 0 there stays 0 and is reported.</remarks>
    public int Stride(string axisName, int fallback, bool zeroStridesMeansDefault = true)
    {
        int axis = Int(axisName, 0);
        if (axis != 0) return axis;
        int both = Int("Strides", 0);
        if (both == 0 && Has("Strides") && !zeroStridesMeansDefault) return 0;
        return both != 0 ? both : fallback;
    }

    public string[] StringArray(string name)
    {
        if (!_values.TryGetValue(name, out var c) || c.Kind != TypedConstantKind.Array || c.IsNull) return new string[0];
        var result = new string[c.Values.Length];
        for (int i = 0; i < result.Length; i++) result[i] = c.Values[i].Value as string ?? "";
        return result;
    }

    public int[] IntArray(string name)
    {
        if (!_values.TryGetValue(name, out var c) || c.Kind != TypedConstantKind.Array || c.IsNull) return new int[0];
        var result = new int[c.Values.Length];
        for (int i = 0; i < result.Length; i++) result[i] = c.Values[i].Value is int v ? v : 0;
        return result;
    }
}
