namespace ConvNetGen;

/// <summary>
/// One file of a downloadable dataset: its name, exact size in bytes and SHA-256 (lower-case hex); or, for a file whose
/// publisher lists only an MD5 sum (CIFAR), a null SHA-256 and that MD5.
/// </summary>
internal sealed record DatasetFile(string FileName, long Size, string? Sha256, string? Md5 = null);

/// <summary>Where a dataset lives and what its files must be.</summary>
/// <param name="Name">The folder name: <c>mnist</c>, <c>fashion-mnist</c>.</param>
/// <param name="DisplayName">The name in messages: <c>MNIST</c>.</param>
/// <param name="BaseUrl">The mirror folder, ending with '/', that serves every file of <paramref name="Files"/>.</param>
/// <param name="DebianPackage">The Debian package that installs the files under /usr/share/datasets, if there is one.</param>
/// <param name="Files">The four IDX .gz files.</param>
/// <param name="Classes">The number of classes, when known: loading checks every label is below it.</param>
internal sealed record DatasetSpec(string Name, string DisplayName, string BaseUrl, string? DebianPackage, IReadOnlyList<DatasetFile> Files, int? Classes = null)
{
    /// <summary>Where <paramref name="file"/> is downloaded from when the mirror is <paramref name="baseUrl"/> (by default <see cref="BaseUrl"/>).</summary>
    public Uri UrlOf(DatasetFile file, string? baseUrl = null)
    {
        string root = baseUrl ?? BaseUrl;
        return new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), file.FileName);
    }
}
