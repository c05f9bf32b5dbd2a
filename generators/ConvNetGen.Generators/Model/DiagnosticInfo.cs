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

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;
}
