using System.Runtime.CompilerServices;
using System.Text;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions with Verify's file conventions, for generated C#:
/// <list type="bullet">
/// <item><c>Snapshots/&lt;TestClass&gt;.&lt;TestName&gt;.verified.cs</c> next to the test file is the accepted output and is
/// committed. The test class is the name of the calling file (one test class per file, named like the file).</item>
/// <item>On a mismatch <c>&lt;...&gt;.received.cs</c> is written next to it (git-ignored) and the test fails with a unified
/// line diff, verified → received.</item>
/// <item>When no verified file exists, the received file is written and the test fails, telling how to accept it.</item>
/// <item>To accept: copy the <c>.received.cs</c> over the <c>.verified.cs</c>, or run the tests with the environment
/// variable <c>CONVNETGEN_ACCEPT_SNAPSHOTS=1</c>, which overwrites every verified file that differs instead of failing
/// (<c>CONVNETGEN_ACCEPT_SNAPSHOTS=1 dotnet test tests/ConvNetGen.Generators.Tests</c>), then review the git diff.</item>
/// </list>
/// Line endings are normalised to '\n' on both sides, so a CRLF checkout compares equal. The folder is found through
/// [CallerFilePath], i.e. the test's source folder at compile time, so tests run from bin/ still read and write the
/// files in the source tree.
/// </summary>
public static class Snapshot
{
    /// <summary>Set to 1 to overwrite verified snapshots with the received output instead of failing.</summary>
    public const string AcceptVariable = "CONVNETGEN_ACCEPT_SNAPSHOTS";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Compares <paramref name="actual"/> with the caller's verified snapshot.</summary>
    /// <param name="actual">The received text.</param>
    /// <param name="name">An optional suffix when one test checks several snapshots: <c>Class.Test.name.verified.cs</c>.</param>
    /// <param name="extension">The snapshot's file extension, without the dot.</param>
    public static void Verify(string actual, string? name = null, string extension = "cs",
        [CallerFilePath] string sourceFile = "", [CallerMemberName] string testName = "")
    {
        string directory = Path.GetDirectoryName(sourceFile) ?? "";
        if (!Directory.Exists(directory))
            throw new InvalidOperationException(
                $"Snapshot: the test's source folder '{directory}' (from [CallerFilePath]) does not exist on this machine; " +
                "snapshots can only be checked where the sources are (no PathMap / ContinuousIntegrationBuild path mapping).");
        string className = Path.GetFileNameWithoutExtension(sourceFile);
        string baseName = className + "." + testName + (name is null ? "" : "." + name);
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        VerifyCore(actual, Path.Combine(directory, "Snapshots"), baseName, extension, accept);
    }

    /// <summary>The comparison itself, with the folder and the accept switch explicit (so it can be tested).</summary>
    internal static void VerifyCore(string actual, string snapshotDirectory, string baseName, string extension, bool accept)
    {
        string verifiedPath = Path.Combine(snapshotDirectory, $"{baseName}.verified.{extension}");
        string receivedPath = Path.Combine(snapshotDirectory, $"{baseName}.received.{extension}");
        string received = Normalize(actual);

        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (verified == received)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        if (accept)
        {
            Directory.CreateDirectory(snapshotDirectory);
            File.WriteAllText(verifiedPath, received, Utf8NoBom);
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(snapshotDirectory);
        File.WriteAllText(receivedPath, received, Utf8NoBom);
        string howToAccept =
            $"To accept the received output, copy it over the verified file:\n" +
            $"    cp \"{receivedPath}\" \"{verifiedPath}\"\n" +
            $"or rerun the tests with {AcceptVariable}=1 (overwrites every differing verified file), then review the git diff.";

        if (verified is null)
        {
            Assert.Fail($"Snapshot '{baseName}' has no verified file yet.\n" +
                        $"Received output written to: {receivedPath}\n{howToAccept}");
            return;
        }

        string diff = LineDiff.Unified(verified, received, Path.GetFileName(verifiedPath), Path.GetFileName(receivedPath));
        if (diff.Length == 0) diff = "(the texts have the same lines and differ only in a trailing newline)\n";
        Assert.Fail($"Snapshot '{baseName}' does not match.\n" +
                    $"Received output written to: {receivedPath}\n\n{diff}\n{howToAccept}");
    }

    /// <summary>'\r\n' and '\r' become '\n'.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');
}
