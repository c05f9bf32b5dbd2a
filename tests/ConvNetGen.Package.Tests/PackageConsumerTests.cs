using Xunit.Abstractions;

namespace ConvNetGen.Package.Tests;

/// <summary>
/// Packs ConvNetGen and builds user projects from the .nupkg, not from project references: the runtime must come
/// from lib/net10.0 and the generator from analyzers/dotnet/cs, as users get them.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageConsumerTests
{
    private readonly ITestOutputHelper output;
    private readonly PackedPackages _package;

    public PackageConsumerTests(ITestOutputHelper output, PackedPackages package)
    {
        this.output = output;
        _package = package;
    }

    [Fact]
    public void Package_holds_runtime_in_lib_and_generator_in_analyzers()
    {
        _package.AssertPacked();
        string nupkg = _package.Nupkg("ConvNetGen");
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/ConvNetGen.dll", entries);
        Assert.Contains("lib/net10.0/ConvNetGen.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/ConvNetGen.Generators.dll", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
    }

    [Fact]
    public void Consumer_project_builds_and_runs_from_the_package()
    {
        _package.AssertPacked();
        string project = Tooling.CopyProject("PackageConsumer", _package.Feed);
        string log = Tooling.Dotnet(project, $"run -c Release -p:ConvNetGenVersion={_package.Version}", out int exit);
        output.WriteLine(log);
        Assert.True(exit == 0, log);
        Assert.Contains("Total params: 151 ", log); // conv2d 3·3·1·4 + 4 = 40, dense 36·3 + 3 = 111
        Assert.Contains("Predicted 3 class probabilities", log);
    }

    [Fact]
    public void Broken_model_fails_the_build_with_only_the_generator_error_on_its_line()
    {
        _package.AssertPacked();
        string project = Tooling.CopyProject("PackageConsumer", _package.Feed, program: """
            using ConvNetGen;

            System.Console.WriteLine("unreachable");

            [Input(28, 28, 1)]
            [Conv2D(32, 3, Activation = Activation.ReLU)]
            [MaxPooling2D(2)]
            [Conv2D(64, 3, Activation = Activation.ReLU)]
            [MaxPooling2D(2)]
            [Conv2D(128, 3, Activation = Activation.ReLU)]
            [Conv2D(10, 5)]
            [Flatten]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class BrokenNet;
            """);
        string log = Tooling.Dotnet(project, $"build -c Release -p:ConvNetGenVersion={_package.Version}", out int exit);
        output.WriteLine(log);
        Assert.NotEqual(0, exit);
        Assert.Contains("Program.cs(11,2): error CNG0003: Conv2D 'conv2d_3' needs an input of at least 5×5 but gets 3×3×128 from 'conv2d_2'", log);
        Assert.DoesNotContain("error CS", log);
    }
}
