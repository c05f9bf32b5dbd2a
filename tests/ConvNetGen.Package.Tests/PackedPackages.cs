namespace ConvNetGen.Package.Tests;

/// <summary>
/// The packages as `dotnet pack` makes them, packed once per test run under a version no package cache has seen and
/// shared by every test class in <see cref="PackedPackagesCollection"/>.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    /// <summary>The packable libraries (the import tool is a separate program, packed as a tool).</summary>
    public static readonly string[] Ids = ["ConvNetGen", "ConvNetGen.Images", "ConvNetGen.Keras"];

    public PackedPackages()
    {
        Version = "0.1.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        Feed = Directory.CreateTempSubdirectory("convnetgen-feed-").FullName;
        var log = new System.Text.StringBuilder();
        foreach (string id in Ids)
        {
            log.Append(Tooling.Dotnet(Tooling.RepositoryRoot, $"pack src/{id}/{id}.csproj -c Release -o \"{Feed}\" -p:Version={Version}", out int exit));
            if (exit != 0) PackExitCode = exit;
        }
        PackLog = log.ToString();
    }

    public string Version { get; }
    public string Feed { get; }
    public string PackLog { get; }
    public int PackExitCode { get; }

    public string Nupkg(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");
    public string Snupkg(string id) => Path.Combine(Feed, $"{id}.{Version}.snupkg");

    /// <summary>Fails the calling test with the pack log if packing failed.</summary>
    public void AssertPacked() => Assert.True(PackExitCode == 0, PackLog);

    public void Dispose() => Directory.Delete(Feed, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "Packed packages";
}
