using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Model;

/// <summary>A diagnostic as plain data (descriptor ID, location, message arguments), made into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());

    /// <summary>The diagnostic located in <paramref name="compilation"/>'s own syntax tree, so suppressions apply.</summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        var tree = Location is null ? null : compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == Location.FilePath);
        var location = tree is null ? Location?.ToLocation() : Microsoft.CodeAnalysis.Location.Create(tree, Location!.Span);
        return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
    }

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;
}
