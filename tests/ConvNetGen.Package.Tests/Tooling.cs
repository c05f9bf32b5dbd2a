using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ConvNetGen.Package.Tests;

/// <summary>The repository root and a way to run the dotnet CLI the way a user's shell would.</summary>
internal static class Tooling
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot([CallerFilePath] string path = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(path)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ConvNetGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ConvNetGen.sln not found above " + path);
    }

    /// <summary>Runs <paramref name="fileName"/> and returns its stdout and stderr, waiting for it to end.</summary>
    public static string Run(string fileName, string workingDirectory, string arguments, out int exitCode)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Keep a child build out of this test host's MSBuild node and environment.
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

    public static string Dotnet(string workingDirectory, string arguments, out int exitCode) =>
        Run("dotnet", workingDirectory, arguments + " -nologo", out exitCode);

    /// <summary>A copy of a user project from tests/ in a temporary folder whose NuGet feed is <paramref name="feed"/>.</summary>
    public static string CopyProject(string name, string feed, string? program = null)
    {
        string dir = Directory.CreateTempSubdirectory("convnetgen-" + name.ToLowerInvariant() + "-").FullName;
        string source = Path.Combine(RepositoryRoot, "tests", name);
        File.Copy(Path.Combine(source, name + ".csproj"), Path.Combine(dir, name + ".csproj"));
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program ?? File.ReadAllText(Path.Combine(source, "Program.cs")));
        // The local feed first, then the usual sources for the package's own dependencies.
        File.WriteAllText(Path.Combine(dir, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="convnetgen-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        return dir;
    }
}
