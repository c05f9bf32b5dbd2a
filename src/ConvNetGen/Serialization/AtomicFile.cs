using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConvNetGen;

/// <summary>
/// Replaces a file so that it is always either the old or the new complete file: the new content goes to a temporary
/// file of our own naming in the same folder, is flushed to disk, and is renamed over the target.
/// </summary>
/// <remarks>
/// A temporary file is named <c>.{name}.{pid}.{random}.convnetgen-tmp</c>. A process killed mid-save leaves one behind;
/// the next save to the same target deletes those whose writer is gone: the process id is not running (or the file is
/// over a day old, in case the id was reused) and no one holds the file's lock (.NET locks files opened with
/// <see cref="FileShare.None"/>, which also protects a writer whose process id means nothing here, e.g. in another container).
/// </remarks>
internal static class AtomicFile
{
    internal const string TemporarySuffix = ".convnetgen-tmp";

    /// <summary>Temporary-name prefixes are cut to this many characters so that long names still fit in 255 bytes.</summary>
    private const int MaxNameInTemporary = 120;

    private static readonly TimeSpan AssumedAbandonedAfter = TimeSpan.FromDays(1);

    /// <summary>Writes <paramref name="path"/> (through a symbolic link, if it is one) with what <paramref name="write"/> writes.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written to.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or writing failed; the old file is unchanged.</exception>
    public static void Write(string path, Action<FileStream> write)
    {
        string target = ResolveTarget(path);
        string folder = Path.GetDirectoryName(target)!;
        string name = Path.GetFileName(target);
        DeleteAbandonedTemporaries(folder, name);

        string temporary = Path.Combine(folder, TemporaryName(name, Environment.ProcessId));
        var existing = ExistingFile.Of(target);
        try
        {
            // ReadWrite: a writer may seek back and read what it wrote (an HDF5 writer patches its object headers).
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
            // Created no more open than the old file (the umask can only narrow it), so the data is never more exposed.
            if (existing is not null && !OperatingSystem.IsWindows())
                options.UnixCreateMode = existing.Mode & (UnixFileMode)0x1FF;
            using (var file = new FileStream(temporary, options))
            {
                existing?.ApplyTo(file.SafeFileHandle);
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
            Posix.SyncFolder(folder);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (Describe(e, path) is { } described) throw described;
            throw;
        }
    }

    /// <summary>Names the user's path in an I/O failure instead of the temporary file's; other exceptions pass unchanged.</summary>
    private static Exception? Describe(Exception e, string path) => e switch
    {
        DirectoryNotFoundException => new DirectoryNotFoundException($"Cannot save '{path}': its folder does not exist.", e),
        UnauthorizedAccessException => new UnauthorizedAccessException($"Cannot save '{path}': permission to write in its folder was denied.", e),
        IOException => new IOException($"Cannot save '{path}': {e.Message}", e),
        _ => null,
    };

    /// <summary>The file to replace: <paramref name="path"/>, or the file its chain of symbolic links ends at.</summary>
    private static string ResolveTarget(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new IOException($"Cannot save '{path}': it is a folder.");
        if (Path.EndsInDirectorySeparator(full))
            throw new IOException($"Cannot save '{path}': it ends with a separator, so it names a folder, not a file.");
        string target = full;
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            }
            catch (IOException e)
            {
                throw new IOException($"Cannot save '{path}': its symbolic link cannot be followed ({e.Message}).", e);
            }
            if (Directory.Exists(target))
                throw new IOException($"Cannot save '{path}': it is a link to the folder '{target}'.");
        }
        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(target == full
                ? $"Cannot save '{path}': the folder '{folder}' does not exist."
                : $"Cannot save '{path}': it links to '{target}', whose folder does not exist.");
        return target;
    }

    internal static string TemporaryName(string name, int processId) =>
        $"{TemporaryPrefix(name)}{processId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid().ToString("N")[..8]}{TemporarySuffix}";

    private static string TemporaryPrefix(string name) => $".{(name.Length > MaxNameInTemporary ? name[..MaxNameInTemporary] : name)}.";

    /// <summary>Deletes the temporaries of saves to <paramref name="name"/> whose writer is gone; never one being written.</summary>
    private static void DeleteAbandonedTemporaries(string folder, string name)
    {
        string prefix = TemporaryPrefix(name);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, "*" + TemporarySuffix).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // cleaning up is a courtesy; the save itself reports real problems
        }
        foreach (string candidate in candidates)
        {
            string file = Path.GetFileName(candidate);
            if (!file.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // What is left is "{pid}.{random}"; anything else is not ours.
            string[] parts = file[prefix.Length..^TemporarySuffix.Length].Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int writer)) continue;
            if (writer == Environment.ProcessId) continue; // another thread of ours may be writing it
            try
            {
                if (IsRunning(writer) && File.GetLastWriteTimeUtc(candidate) > DateTime.UtcNow - AssumedAbandonedAfter) continue;
                // A live writer holds the file open with FileShare.None; if we get it, no one is writing it.
                using var probe = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None);
                File.Delete(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Locked (being written), already gone, or not ours to delete: leave it.
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is what the caller needs to hear about.
        }
    }

    /// <summary>The permissions (and on Linux the owner) of the file being replaced, to give the new file.</summary>
    private sealed record ExistingFile(UnixFileMode Mode, uint? Owner, uint? Group)
    {
        public static ExistingFile? Of(string target)
        {
            if (OperatingSystem.IsWindows() || !File.Exists(target)) return null;
            try
            {
                var mode = File.GetUnixFileMode(target);
                var owner = Posix.OwnerOf(target);
                return new ExistingFile(mode, owner?.Uid, owner?.Gid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null; // gone meanwhile: the new file gets default permissions, as a new file would
            }
        }

        public void ApplyTo(SafeFileHandle file)
        {
            if (OperatingSystem.IsWindows()) return;
            // Owner before mode: chown clears the set-user-id and set-group-id bits.
            if (Owner is uint uid && Group is uint gid)
                Posix.TryChangeOwner(file, uid, gid);
            try
            {
                File.SetUnixFileMode(file, Mode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file system without Unix permissions; the file was created no more open than the old one anyway.
            }
        }
    }
}
