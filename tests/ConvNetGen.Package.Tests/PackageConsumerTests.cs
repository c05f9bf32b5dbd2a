using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace ConvNetGen.Package.Tests;

/// <summary>
/// Packs ConvNetGen and builds user projects from the .nupkg, not from project references: the runtime must come
/// from lib/net10.0 and the generator from analyzers/dotnet/cs, as users get them.
/// </summary>
public sealed class PackageConsumerTests : IClassFixture<PackageConsumerTests.PackedPackage>
{
    /// <summary>Packs once per test run, under a version no package cache has seen.</summary>
    public sealed class PackedPackage : IDisposable
    {
        public PackedPackage()
        {
            Version = "0.1.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            Feed = Directory.CreateTempSubdirectory("convnetgen-feed-").FullName;
            PackLog = Dotnet(RepositoryRoot, $"pack src/ConvNetGen/ConvNetGen.csproj -c Release -o \"{Feed}\" -p:Version={Version}", out int exit);
            PackExitCode = exit;
        }

        public string Version { get; }
        public string Feed { get; }
        public string PackLog { get; }
        public int PackExitCode { get; }

        public void Dispose() => Directory.Delete(Feed, recursive: true);
    }

    private readonly ITestOutputHelper output;
    private readonly PackedPackage _package;

    public PackageConsumerTests(ITestOutputHelper output, PackedPackage package)
    {
        this.output = output;
        _package = package;
    }

    [Fact]
    public void Package_holds_runtime_in_lib_and_generator_in_analyzers()
    {
        Assert.True(_package.PackExitCode == 0, _package.PackLog);
        string nupkg = Path.Combine(_package.Feed, $"ConvNetGen.{_package.Version}.nupkg");
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
        Assert.True(_package.PackExitCode == 0, _package.PackLog);
        string project = CopyConsumer(program: null);
        string log = Dotnet(project, $"run -c Release -p:ConvNetGenVersion={_package.Version}", out int exit);
        output.WriteLine(log);
        Assert.True(exit == 0, log);
        Assert.Contains("Total params: 151 ", log); // conv2d 3·3·1·4 + 4 = 40, dense 36·3 + 3 = 111
        Assert.Contains("Predicted 3 class probabilities", log);
    }

    [Fact]
    public void Broken_model_fails_the_build_with_only_the_generator_error_on_its_line()
    {
        Assert.True(_package.PackExitCode == 0, _package.PackLog);
        string project = CopyConsumer(program: """
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
        string log = Dotnet(project, $"build -c Release -p:ConvNetGenVersion={_package.Version}", out int exit);
        output.WriteLine(log);
        Assert.NotEqual(0, exit);
        Assert.Contains("Program.cs(11,2): error CNG0003: Conv2D 'conv2d_3' needs an input of at least 5×5 but gets 3×3×128 from 'conv2d_2'", log);
        Assert.DoesNotContain("error CS", log);
    }

    private string CopyConsumer(string? program)
    {
        string dir = Directory.CreateTempSubdirectory("convnetgen-consumer-").FullName;
        string source = Path.Combine(RepositoryRoot, "tests", "PackageConsumer");
        File.Copy(Path.Combine(source, "PackageConsumer.csproj"), Path.Combine(dir, "PackageConsumer.csproj"));
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program ?? File.ReadAllText(Path.Combine(source, "Program.cs")));
        // The local feed first, then the usual sources for the package's own dependencies.
        File.WriteAllText(Path.Combine(dir, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="convnetgen-local" value="{_package.Feed}" />
              </packageSources>
            </configuration>
            """);
        return dir;
    }

    private static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot([CallerFilePath] string path = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(path)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ConvNetGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ConvNetGen.sln not found above " + path);
    }

    private static string Dotnet(string workingDirectory, string arguments, out int exitCode)
    {
        var start = new ProcessStartInfo("dotnet", arguments + " -nologo")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Keep the child build out of this test host's MSBuild node and environment.
        start.Environment["MSBUILDNOINPROCNODE"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        exitCode = process.ExitCode;
        return stdout.Result + stderr.Result;
    }
}
