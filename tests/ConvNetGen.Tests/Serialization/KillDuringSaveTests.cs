using System.Diagnostics;
using System.Reflection;
using ConvNetGen.SaveVictim;

namespace ConvNetGen.Tests.Serialization;

/// <summary>
/// A child process saves a 31 MB model over and over; the test kills it with SIGKILL at random points of a save
/// and checks that the file is always one complete save and that the temporaries the kills leave are cleaned up.
/// </summary>
public sealed class KillDuringSaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_save_killed_at_any_point_leaves_the_old_or_the_new_complete_file_and_the_next_save_cleans_up()
    {
        string path = Path.Combine(_dir, "big.safetensors");
        long dataSize = BigNet.Architecture.ParameterCount * 4L; // the file's size but for the header; picks kill points
        var random = new Random(20240611);
        var loaded = new BigNet(seed: 2);
        var leftBehind = new List<string>();
        int roundsThatLeftATemporary = 0;
        const int Rounds = 4;
        for (int round = 0; round < Rounds; round++)
        {
            int firstSave = 1000 * (round + 1);
            // Kill while the temporary holds between none and all of the data (then it is flushing or renaming).
            long killAt = round == 0 ? 0 : (long)(random.NextDouble() * dataSize);
            var (lastSaved, temporaries) = RunAndKill(path, firstSave, killAt);

            // Whatever the moment, the file is exactly the last completed save or the one in progress.
            loaded.LoadWeights(path);
            int? save = SavePattern.SaveOf(loaded.Parameters);
            Assert.True(save == lastSaved || save == lastSaved + 1, $"round {round}: the file holds save {save?.ToString() ?? "(none: mixed data)"}, the last completed was {lastSaved}");

            // The child's first save deleted what the previous child left.
            Assert.All(leftBehind, file => Assert.False(File.Exists(file), $"{file} survived the next save"));
            leftBehind = temporaries;
            Assert.All(leftBehind, file => Assert.True(File.Exists(file)));
            if (temporaries.Count > 0) roundsThatLeftATemporary++;
        }
        Assert.True(roundsThatLeftATemporary > 0, "no kill landed inside a save, so nothing about cleaning up was tested");

        // A save in this process cleans up after the last child too, and writes a complete file.
        SavePattern.Fill(loaded.Parameters, 7);
        loaded.SaveWeights(path);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
        var check = new BigNet(seed: 3);
        check.LoadWeights(path);
        Assert.Equal(7, SavePattern.SaveOf(check.Parameters));
    }

    /// <summary>
    /// Starts the saver, lets it complete one save, then kills it once a temporary of its own holds
    /// <paramref name="killAt"/> bytes; returns the last save it reported complete and the temporaries it left.
    /// </summary>
    private (int LastSaved, List<string> Temporaries) RunAndKill(string path, int firstSave, long killAt)
    {
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(VictimAssembly());
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(firstSave.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var victim = Process.Start(start)!;
        int lastSaved = firstSave - 1;
        var firstSaveDone = new ManualResetEventSlim();
        victim.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("saved ", StringComparison.Ordinal))
            {
                Volatile.Write(ref lastSaved, int.Parse(line["saved ".Length..], System.Globalization.CultureInfo.InvariantCulture));
                firstSaveDone.Set();
            }
        };
        var errors = new System.Text.StringBuilder();
        victim.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        victim.BeginOutputReadLine();
        victim.BeginErrorReadLine();
        try
        {
            Assert.True(firstSaveDone.Wait(TimeSpan.FromSeconds(30)), $"the saver did not complete a save: {errors}");
            string ours = $".{Path.GetFileName(path)}.{victim.Id}.";
            var deadline = Stopwatch.StartNew();
            while (!victim.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                bool reached = new DirectoryInfo(_dir).EnumerateFiles("*" + AtomicFile.TemporarySuffix)
                    .Any(f => f.Name.StartsWith(ours, StringComparison.Ordinal) && f.Length >= killAt);
                if (reached) break;
                Thread.Yield();
            }
            Assert.False(victim.HasExited, $"the saver stopped by itself: {errors}");
        }
        finally
        {
            victim.Kill(); // SIGKILL: no finally blocks, no cleanup in the child
            victim.WaitForExit();
        }
        var temporaries = Directory.GetFiles(_dir, "*" + AtomicFile.TemporarySuffix).ToList();
        return (Volatile.Read(ref lastSaved), temporaries);
    }

    private static string VictimAssembly()
    {
        string? path = typeof(KillDuringSaveTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SaveVictim")?.Value;
        Assert.True(path is not null && File.Exists(path), $"ConvNetGen.SaveVictim was not built where the build said: '{path}'");
        return path!;
    }

    /// <summary>The dotnet host running these tests (the SDK tells child processes where it is), else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
