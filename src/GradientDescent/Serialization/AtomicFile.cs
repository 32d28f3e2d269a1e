using System.Security.Cryptography;

namespace GradientDescent;

/// <summary>
/// Replaces a file so that a crash or error leaves either the old file or the new one, never a mix:
/// the content goes to a temporary file in the same folder (so the rename stays on one file system),
/// is flushed to disk, then renamed over the target. Every writer of the library saves through here.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Called with the temporary file's path after it is flushed and right before the rename; tests throw here to simulate a crash.</summary>
    internal static Action<string>? BeforeCommitForTesting;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the temporary file is deleted and the old file is untouched.</summary>
    /// <exception cref="IOException">Creating, writing, flushing or renaming failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the existing file is not writable.</exception>
    internal static void Write(string path, Action<FileStream> write)
    {
        string temp = $"{path}.tmp-{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            BeforeCommitForTesting?.Invoke(temp);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original error matters more; a stray temp file is harmless and says what happened.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
