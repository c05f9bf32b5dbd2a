using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ConvNetGen.Package.Tests;

/// <summary>
/// What a package page and a debugger see: metadata, icon and readme; symbols in the .snupkg with SourceLink to the
/// commit on the repository; the analyzer's layout; and no path of the machine that built them.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed partial class PackageContentsTests(PackedPackages package)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly string RepositoryUrl = Metadata("ConvNetGenRepositoryUrl");
    private static readonly string Branch = Metadata("ConvNetGenRepositoryBranch");

    public static TheoryData<string> Ids => new(PackedPackages.Ids);

    [Theory, MemberData(nameof(Ids))]
    public void Nuspec_has_full_metadata_pointing_at_the_repository(string id)
    {
        package.AssertPacked();
        using var zip = ZipFile.OpenRead(package.Nupkg(id));
        var m = Nuspec(zip);
        Assert.Equal(id, Text(m, "id"));
        Assert.Equal(package.Version, Text(m, "version"));
        Assert.False(string.IsNullOrWhiteSpace(Text(m, "authors")));
        Assert.True(Text(m, "description").Length > 40, "description too short");
        Assert.NotEmpty(Text(m, "tags").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(RepositoryUrl, Text(m, "projectUrl"));
        var license = Element(m, "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));

        var repository = Element(m, "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");

        // Release notes: a link to a file of this repository that exists.
        AssertRepositoryLinkResolves(Text(m, "releaseNotes"));

        // The icon: a PNG in the package, of a size package pages show (64×64 or more).
        byte[] icon = Read(zip, Text(m, "icon"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, icon[..8]);
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(16));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(icon.AsSpan(20));
        Assert.True(width >= 64 && width == height, $"icon is {width}×{height}");

        Assert.Equal("README.md", Text(m, "readme"));
        Assert.NotNull(zip.GetEntry("README.md"));
    }

    [Fact]
    public void Readme_links_work_on_a_package_page()
    {
        package.AssertPacked();
        using var zip = ZipFile.OpenRead(package.Nupkg("ConvNetGen"));
        string readme = Encoding.UTF8.GetString(Read(zip, "README.md"));
        var links = MarkdownLink().Matches(readme).Select(l => l.Groups[1].Value).ToList();
        Assert.NotEmpty(links);
        string readmeSource = File.ReadAllText(Path.Combine(Tooling.RepositoryRoot, "README.md"));
        var anchors = Heading().Matches(readmeSource).Select(h => Slug(h.Groups[1].Value)).ToHashSet();
        foreach (string link in links)
        {
            Assert.True(Uri.IsWellFormedUriString(link, UriKind.Absolute), $"relative link '{link}' would break on a package page");
            if (link.StartsWith(RepositoryUrl + "#", StringComparison.Ordinal))
                Assert.True(anchors.Contains(link[(RepositoryUrl.Length + 1)..]), $"'{link}' names no heading of README.md");
            else if (link.StartsWith(RepositoryUrl + "/", StringComparison.Ordinal))
                AssertRepositoryLinkResolves(link);
        }
        // Nothing but the links changed.
        Assert.Equal(MarkdownLink().Replace(readmeSource.TrimEnd(), "]()"), MarkdownLink().Replace(readme.TrimEnd(), "]()"));
    }

    [Theory, MemberData(nameof(Ids))]
    public void Symbols_package_has_the_pdb_of_the_dll_with_sourcelink_to_the_commit(string id)
    {
        package.AssertPacked();
        Assert.True(File.Exists(package.Snupkg(id)), $"no {Path.GetFileName(package.Snupkg(id))}");
        using var nupkg = ZipFile.OpenRead(package.Nupkg(id));
        using var snupkg = ZipFile.OpenRead(package.Snupkg(id));
        string commit = (string)Element(Nuspec(nupkg), "repository").Attribute("commit")!;

        using var pe = new PEReader(new MemoryStream(Read(nupkg, $"lib/net10.0/{id}.dll")));
        var codeView = pe.ReadCodeViewDebugDirectoryData(pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView));
        Assert.StartsWith("/_/", codeView.Path); // deterministic build: the PDB path is mapped, not this machine's

        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(Read(snupkg, $"lib/net10.0/{id}.pdb")));
        var pdb = pdbProvider.GetMetadataReader();
        Assert.Equal(codeView.Guid, new Guid(pdb.DebugMetadataHeader!.Id.AsSpan(0, 16)));
        AssertSourceLink(pdb, commit);
    }

    [Fact]
    public void Generator_is_the_only_analyzer_and_carries_its_pdb_with_sourcelink()
    {
        package.AssertPacked();
        using var zip = ZipFile.OpenRead(package.Nupkg("ConvNetGen"));
        var entries = zip.Entries.Select(e => e.FullName).Where(e => !e.EndsWith('/')).ToList();
        Assert.Equal(["analyzers/dotnet/cs/ConvNetGen.Generators.dll"], entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));
        Assert.Equal(["lib/net10.0/ConvNetGen.dll", "lib/net10.0/ConvNetGen.xml"], entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        foreach (string id in PackedPackages.Ids.Skip(1))
        {
            using var companion = ZipFile.OpenRead(package.Nupkg(id));
            Assert.DoesNotContain(companion.Entries, e => e.FullName.StartsWith("analyzers/", StringComparison.Ordinal));
        }

        using var pe = new PEReader(new MemoryStream(Read(zip, "analyzers/dotnet/cs/ConvNetGen.Generators.dll")));
        var embedded = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using var pdbProvider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        AssertSourceLink(pdbProvider.GetMetadataReader(), (string)Element(Nuspec(zip), "repository").Attribute("commit")!);
    }

    [Theory, MemberData(nameof(Ids))]
    public void No_path_of_the_build_machine_in_any_binary(string id)
    {
        package.AssertPacked();
        string[] local = [Tooling.RepositoryRoot, Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget")];
        foreach (string path in new[] { package.Nupkg(id), package.Snupkg(id) })
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".dll", StringComparison.Ordinal) || e.FullName.EndsWith(".pdb", StringComparison.Ordinal)))
            {
                byte[] bytes = Read(zip, entry.FullName);
                foreach (string p in local)
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(p)) < 0, $"{entry.FullName} in {Path.GetFileName(path)} holds '{p}'");
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(p)) < 0, $"{entry.FullName} in {Path.GetFileName(path)} holds '{p}' (UTF-16)");
                }
            }
        }
    }

    /// <summary>
    /// The PDB's SourceLink maps "/_/*" to the commit's files on the repository, and every document is under "/_/"
    /// (paths as the PDB stores them are split into parts, so a byte search alone would not find a local one).
    /// </summary>
    private static void AssertSourceLink(MetadataReader pdb, string commit)
    {
        var blob = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation)
            .Single(c => pdb.GetGuid(c.Kind) == SourceLinkKind).Value;
        using var json = JsonDocument.Parse(pdb.GetBlobBytes(blob));
        var documents = json.RootElement.GetProperty("documents").EnumerateObject().ToList();
        string raw = RepositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        Assert.Equal([("/_/*", $"{raw}/{commit}/*")], documents.Select(d => (d.Name, d.Value.GetString()!)));

        var names = pdb.Documents.Select(d => pdb.GetString(pdb.GetDocument(d).Name)).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.StartsWith("/_/", n));
    }

    /// <summary>A link to RepositoryUrl/blob/branch/path names a file or folder that exists in this repository.</summary>
    private static void AssertRepositoryLinkResolves(string link)
    {
        string prefix = $"{RepositoryUrl}/blob/{Branch}/";
        Assert.True(link.StartsWith(prefix, StringComparison.Ordinal), $"'{link}' is not a file of {RepositoryUrl} on {Branch}");
        string path = Path.Combine(Tooling.RepositoryRoot, Uri.UnescapeDataString(link[prefix.Length..].Split('#')[0]));
        Assert.True(File.Exists(path) || Directory.Exists(path), $"'{link}' points at {path}, which does not exist");
    }

    // GitHub's heading anchors: lower case, punctuation dropped (but '-' and '_'), spaces to '-'.
    private static string Slug(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant(), @"[^\p{L}\p{Nd}\- _]", "").Replace(' ', '-');

    private static XElement Nuspec(ZipArchive zip)
    {
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static XElement Element(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name) ?? throw new Xunit.Sdk.XunitException($"nuspec has no <{name}>");

    private static string Text(XElement metadata, string name) => Element(metadata, name).Value;

    private static byte[] Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"no {name} in the package");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Metadata(string key) =>
        typeof(PackageContentsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6} +(.+?) *$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
