using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ConvNetGen.Package.Tests;

/// <summary>
/// A NativeAOT app built from the package (tests/AotConsumer) publishes with no trim or AOT warning and its native
/// binary trains, evaluates, saves, reloads and predicts.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed partial class AotPublishTests(ITestOutputHelper output, PackedPackages package)
{
    [Fact]
    public void Aot_published_app_has_no_warnings_and_trains_and_predicts()
    {
        package.AssertPacked();
        string project = Tooling.CopyProject("AotConsumer", package.Feed);
        try
        {
            PublishAndRun(project);
        }
        finally
        {
            Directory.Delete(project, recursive: true); // the native build leaves some 100 MB of objects
        }
    }

    private void PublishAndRun(string project)
    {
        string publish = Path.Combine(project, "out");
        string log = Tooling.Dotnet(project, $"publish -c Release -r linux-x64 -o \"{publish}\" -p:ConvNetGenVersion={package.Version}", out int exit);
        output.WriteLine(log);
        Assert.True(exit == 0, log);
        Assert.False(Warning().IsMatch(log), "publish warned:\n" + string.Join('\n', log.Split('\n').Where(l => Warning().IsMatch(l))));

        // Native: one executable, no managed entry assembly to fall back on.
        string binary = Path.Combine(publish, "AotConsumer");
        Assert.True(File.Exists(binary), $"no native binary at {binary}");
        Assert.False(File.Exists(Path.Combine(publish, "AotConsumer.dll")), "the publish is not native (AotConsumer.dll is there)");

        string run = Tooling.Run(binary, project, "--steps 20", out int runExit);
        output.WriteLine(run);
        Assert.True(runExit == 0, run);
        Assert.Contains("Total params: 104,202", run);
        Assert.Matches(@"Trained 20 steps: test loss \d+\.\d{4} -> \d+\.\d{4}", run);
        Assert.Matches(@"Predicted class \d for a test image of class \d", run);
    }

    // MSBuild's and ILC's warnings: "…: warning IL3050: …", "warning NETSDK1…".
    [GeneratedRegex(@"\bwarning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex Warning();
}
