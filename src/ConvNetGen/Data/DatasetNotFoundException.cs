namespace ConvNetGen;

/// <summary>
/// A dataset is in none of the folders searched and could not be downloaded. The message lists the folders and
/// says how to get the files; <see cref="Exception.InnerException"/> is the download failure, if one was tried.
/// </summary>
public sealed class DatasetNotFoundException : Exception
{
    /// <summary>An exception with the given explanation.</summary>
    public DatasetNotFoundException(string message) : base(message) { }

    /// <summary>An exception with the given explanation and the download failure behind it.</summary>
    public DatasetNotFoundException(string message, Exception? innerException) : base(message, innerException) { }
}
