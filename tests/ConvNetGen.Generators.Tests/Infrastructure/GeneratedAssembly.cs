using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>
/// The output of a generator run, emitted in memory and loaded into a collectible load context, so tests can execute
/// generated members. The runtime library resolves to the copy already loaded by the tests.
/// </summary>
public sealed class GeneratedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private GeneratedAssembly(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        Assembly = assembly;
    }

    public Assembly Assembly { get; }

    public static GeneratedAssembly Load(Compilation compilation)
    {
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, "Emitting the output compilation failed:\n" +
            GeneratorRun.Describe(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        image.Position = 0;
        var context = new AssemblyLoadContext("ConvNetGen.Generators.Tests." + compilation.AssemblyName, isCollectible: true);
        return new GeneratedAssembly(context, context.LoadFromStream(image));
    }

    public Type GetType(string fullName) =>
        Assembly.GetType(fullName, throwOnError: false)
        ?? throw new InvalidOperationException($"The generated assembly has no type '{fullName}'. Types: " +
                                               string.Join(", ", Assembly.GetTypes().Select(t => t.FullName)));

    /// <summary>The value of a public static property of a type in the generated assembly.</summary>
    public T GetStatic<T>(string typeName, string propertyName)
    {
        var property = GetType(typeName).GetProperty(propertyName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"'{typeName}' has no public static property '{propertyName}'.");
        return (T)property.GetValue(null)!;
    }

    public void Dispose() => _context.Unload();
}
