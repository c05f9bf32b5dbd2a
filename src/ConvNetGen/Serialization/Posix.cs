using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ConvNetGen;

/// <summary>
/// The few libc calls .NET has no API for: reading a file's owner (Linux <c>statx</c>, whose layout is the same on every
/// architecture), giving a file an owner (<c>fchown</c>), and flushing a folder's entries to disk (<c>fsync</c> on it).
/// Each is best effort: where libc or the call is missing, it does nothing.
/// </summary>
internal static unsafe class Posix
{
    private static readonly nint Libc = LoadLibc();

    private static readonly delegate* unmanaged<int, byte*, int, uint, byte*, int> Statx = (delegate* unmanaged<int, byte*, int, uint, byte*, int>)Export("statx");
    private static readonly delegate* unmanaged<int, uint, uint, int> Fchown = (delegate* unmanaged<int, uint, uint, int>)Export("fchown");
    private static readonly delegate* unmanaged<byte*, int, int> Open = (delegate* unmanaged<byte*, int, int>)Export("open");
    private static readonly delegate* unmanaged<int, int> Fsync = (delegate* unmanaged<int, int>)Export("fsync");
    private static readonly delegate* unmanaged<int, int> Close = (delegate* unmanaged<int, int>)Export("close");

    private const int AtCurrentDirectory = -100;
    private const uint StatxUid = 0x8, StatxGid = 0x10;
    private const int StatxSize = 256, StatxUidOffset = 20, StatxGidOffset = 24;
    private const int ReadOnly = 0;

    /// <summary>The owner and group of <paramref name="path"/> (following links), or null where that cannot be read.</summary>
    public static (uint Uid, uint Gid)? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux() || Statx == null) return null;
        byte* buffer = stackalloc byte[StatxSize];
        fixed (byte* name = NullTerminated(path))
        {
            if (Statx(AtCurrentDirectory, name, 0, StatxUid | StatxGid, buffer) != 0) return null;
        }
        uint filled = *(uint*)buffer;
        if ((filled & (StatxUid | StatxGid)) != (StatxUid | StatxGid)) return null;
        return (*(uint*)(buffer + StatxUidOffset), *(uint*)(buffer + StatxGidOffset));
    }

    /// <summary>
    /// Gives <paramref name="file"/> the owner and group (only root may give away a file), else just the group (which
    /// its owner may set to any group they belong to); a refusal leaves the file as it is.
    /// </summary>
    public static void TryChangeOwner(SafeFileHandle file, uint uid, uint gid)
    {
        if (Fchown == null) return;
        int descriptor = (int)file.DangerousGetHandle();
        if (Fchown(descriptor, uid, gid) != 0)
            Fchown(descriptor, uint.MaxValue, gid); // -1: keep the owner
    }

    /// <summary>Flushes <paramref name="folder"/>'s entries, so that a rename in it survives a power cut (Linux only).</summary>
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() || Open == null || Fsync == null || Close == null) return;
        int descriptor;
        fixed (byte* name = NullTerminated(folder))
            descriptor = Open(name, ReadOnly);
        if (descriptor < 0) return;
        Fsync(descriptor);
        Close(descriptor);
    }

    private static byte[] NullTerminated(string text) => Encoding.UTF8.GetBytes(text + "\0");

    private static nint LoadLibc()
    {
        if (OperatingSystem.IsWindows()) return 0;
        // "libc.so.6" is glibc's; plain "libc" finds macOS's and musl's.
        foreach (string name in new[] { "libc.so.6", "libc" })
            if (NativeLibrary.TryLoad(name, out nint handle)) return handle;
        return 0;
    }

    private static nint Export(string name) =>
        Libc != 0 && NativeLibrary.TryGetExport(Libc, name, out nint address) ? address : 0;
}
