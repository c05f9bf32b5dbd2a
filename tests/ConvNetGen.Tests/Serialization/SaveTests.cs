using System.Diagnostics;
using System.Runtime.Versioning;
using ConvNetGen.Tests.Training;

namespace ConvNetGen.Tests.Serialization;

/// <summary>Saving replaces the file atomically and keeps what the old file had: permissions, owner, a symbolic link.</summary>
[UnsupportedOSPlatform("windows")] // Unix permissions, owners, chattr
public sealed class SaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convnetgen-save-").FullName;

    public void Dispose()
    {
        Run("chattr", "-i", _dir); // in case a test made it immutable and failed before undoing it
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1C0);
        Directory.Delete(_dir, recursive: true);
    }

    private string PathFor(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Saving_into_a_missing_folder_names_the_path_not_a_temporary_file()
    {
        string path = PathFor("missing/w.safetensors");
        var error = Assert.Throws<DirectoryNotFoundException>(() => new SmallNet().SaveWeights(path));
        Assert.Contains($"Cannot save '{path}'", error.Message);
        Assert.Contains($"'{PathFor("missing")}' does not exist", error.Message);
        Assert.DoesNotContain("convnetgen-tmp", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Saving_onto_a_folder_names_the_path()
    {
        string path = PathFor("folder.safetensors");
        Directory.CreateDirectory(path);
        var error = Assert.Throws<IOException>(() => new SmallNet().SaveWeights(path));
        Assert.Equal($"Cannot save '{path}': it is a folder.", error.Message);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Saving_into_a_read_only_folder_names_the_path_and_leaves_the_old_file()
    {
        string folder = PathFor("locked");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "w.safetensors");
        var old = new SmallNet(seed: 1);
        old.SaveWeights(path);
        File.SetUnixFileMode(folder, (UnixFileMode)0x16D); // r-x r-x r-x
        Run("chattr", "+i", folder); // root ignores permissions but not the immutable flag
        try
        {
            if (FolderIsWritable(folder)) return; // root without CAP_LINUX_IMMUTABLE: cannot make a read-only folder here
            var error = Assert.Throws<UnauthorizedAccessException>(() => new SmallNet(seed: 2).SaveWeights(path));
            Assert.StartsWith($"Cannot save '{path}': permission to write in its folder was denied.", error.Message);
            Assert.NotNull(error.InnerException);
        }
        finally
        {
            Run("chattr", "-i", folder);
            File.SetUnixFileMode(folder, (UnixFileMode)0x1C0);
        }
        AssertHolds(path, old);
        Assert.Equal([path], Directory.GetFileSystemEntries(folder));
    }

    [Theory]
    [InlineData(0x180)] // rw-------
    [InlineData(0x1A0)] // rw-r-----
    [InlineData(0x1B6)] // rw-rw-rw-, wider than the umask would give a new file
    public void Saving_over_a_file_keeps_its_permissions(int mode)
    {
        string path = PathFor("w.safetensors");
        new SmallNet(seed: 1).SaveWeights(path);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var model = new SmallNet(seed: 2);
        model.SaveWeights(path);
        Assert.Equal((UnixFileMode)mode, File.GetUnixFileMode(path));
        AssertHolds(path, model);
    }

    [Fact]
    public void Saving_over_a_file_keeps_its_owner_and_group_when_we_may_set_them()
    {
        string path = PathFor("w.safetensors");
        new SmallNet(seed: 1).SaveWeights(path);
        bool root = Environment.UserName == "root" || Run("id", "-u").Trim() == "0";
        string owner = root ? "12345:23456" : OwnerOf(path); // only root may give a file away
        if (root) Assert.Equal("", Run("chown", owner, path));
        new SmallNet(seed: 2).SaveWeights(path);
        Assert.Equal(owner, OwnerOf(path));
    }

    [Fact]
    public void Saving_through_a_symbolic_link_replaces_the_file_it_points_to_and_keeps_the_link()
    {
        string realFolder = PathFor("real");
        string linkFolder = PathFor("links");
        Directory.CreateDirectory(realFolder);
        Directory.CreateDirectory(linkFolder);
        string target = Path.Combine(realFolder, "w.safetensors");
        new SmallNet(seed: 1).SaveWeights(target);
        File.SetUnixFileMode(target, (UnixFileMode)0x180);
        // A relative link to a relative link, as `ln -s` makes them.
        string middle = Path.Combine(linkFolder, "middle.safetensors");
        string link = Path.Combine(linkFolder, "latest.safetensors");
        File.CreateSymbolicLink(middle, "../real/w.safetensors");
        File.CreateSymbolicLink(link, "middle.safetensors");

        var model = new SmallNet(seed: 2);
        model.SaveWeights(link);

        Assert.Equal("middle.safetensors", new FileInfo(link).LinkTarget);
        Assert.Equal("../real/w.safetensors", new FileInfo(middle).LinkTarget);
        Assert.Null(new FileInfo(target).LinkTarget);
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(target));
        AssertHolds(target, model);
        Assert.Equal([target], Directory.GetFileSystemEntries(realFolder));
        Assert.Equal(2, Directory.GetFileSystemEntries(linkFolder).Length);
    }

    [Fact]
    public void Saving_through_a_dangling_link_creates_the_file_it_points_to()
    {
        string link = PathFor("latest.safetensors");
        File.CreateSymbolicLink(link, "w.safetensors");
        var model = new SmallNet(seed: 2);
        model.SaveWeights(link);
        Assert.Equal("w.safetensors", new FileInfo(link).LinkTarget);
        AssertHolds(PathFor("w.safetensors"), model);
    }

    [Fact]
    public void A_failure_while_writing_deletes_the_temporary_file_and_keeps_the_old_one()
    {
        string path = PathFor("w.safetensors");
        var old = new SmallNet(seed: 1);
        old.SaveWeights(path);

        // Any exception passes unchanged...
        var bug = new InvalidOperationException("a bug in the writer");
        Assert.Same(bug, Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, file =>
        {
            file.Write(new byte[1000]);
            throw bug;
        })));
        AssertHolds(path, old);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));

        // ...and an I/O failure such as a full disk names the user's file, with the original inside.
        var full = new IOException("No space left on device : '/somewhere/.w.safetensors.1.abc.convnetgen-tmp'");
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, file =>
        {
            file.Write(new byte[1000]);
            throw full;
        }));
        Assert.StartsWith($"Cannot save '{path}': No space left on device", error.Message);
        Assert.Same(full, error.InnerException);
        AssertHolds(path, old);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void The_next_save_deletes_temporary_files_that_dead_saves_to_the_same_file_left_and_nothing_else()
    {
        string path = PathFor("w.safetensors");
        int dead = DeadProcessId();
        string[] abandoned =
        [
            PathFor(AtomicFile.TemporaryName("w.safetensors", dead)),
            PathFor(AtomicFile.TemporaryName("w.safetensors", dead)),
        ];
        string[] notOurs =
        [
            PathFor(AtomicFile.TemporaryName("other.safetensors", dead)), // another target's
            PathFor($".w.safetensors.{dead}.tmp"),
            PathFor($"w.safetensors.{dead}.abcdef01.tmp"),
            PathFor($".w.safetensors.{dead}.convnetgen-tmp"), // not our full pattern
            PathFor("w.safetensors.convnetgen-tmp"),
        ];
        foreach (string file in abandoned.Concat(notOurs)) File.WriteAllBytes(file, new byte[100]);

        var model = new SmallNet(seed: 2);
        model.SaveWeights(path);

        Assert.All(abandoned, file => Assert.False(File.Exists(file), file));
        Assert.All(notOurs, file => Assert.True(File.Exists(file), file));
        AssertHolds(path, model);
    }

    [Fact]
    public void The_next_save_leaves_temporary_files_that_live_saves_are_writing()
    {
        string path = PathFor("w.safetensors");
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            // A live writer's process id: never deleted.
            string running = PathFor(AtomicFile.TemporaryName("w.safetensors", sleeper.Id));
            File.WriteAllBytes(running, new byte[100]);
            // Our own process id: another thread may be writing it.
            string ours = PathFor(AtomicFile.TemporaryName("w.safetensors", Environment.ProcessId));
            File.WriteAllBytes(ours, new byte[100]);
            // A process id that means nothing here (another container's), but its writer holds it open: never deleted.
            string locked = PathFor(AtomicFile.TemporaryName("w.safetensors", DeadProcessId()));
            using var writer = new FileStream(locked, FileMode.CreateNew, FileAccess.Write, FileShare.None);

            var model = new SmallNet(seed: 2);
            model.SaveWeights(path);

            Assert.True(File.Exists(running));
            Assert.True(File.Exists(ours));
            Assert.True(File.Exists(locked));
            AssertHolds(path, model);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    private static void AssertHolds(string path, Model expected)
    {
        var loaded = (Model)Activator.CreateInstance(expected.GetType(), 77)!;
        loaded.LoadWeights(path);
        Assert.Equal(expected.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    private static bool FolderIsWritable(string folder)
    {
        string probe = Path.Combine(folder, "probe");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The id of a process that has exited and been reaped, so nothing runs under it.</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private static string OwnerOf(string path) => Run("stat", "-c", "%u:%g", path).Trim();

    private static string Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return ""; // the tool is not installed
        }
    }
}
