using System.Security.Cryptography;

namespace GradientDescent;

/// <summary>
/// Replaces a file so that a crash or error leaves either the old file or the new one, never a mix:
/// the content goes to a temporary file in the same folder (so the rename stays on one file system),
/// is flushed to disk, then renamed over the target. Every writer of the library saves through here.
/// </summary>
/// <remarks>
/// A symbolic link is followed: the file it points to is replaced and the link stays a link. Errors name
/// the caller's path (the temporary file's name means nothing to the caller) and keep their .NET type.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>Called with the temporary file's path after it is flushed and right before the rename; tests throw here to simulate a crash.</summary>
    internal static Action<string>? BeforeCommitForTesting;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the temporary file is deleted and the old file is untouched.</summary>
    /// <exception cref="IOException">Creating, writing, flushing or renaming failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the existing file is not writable.</exception>
    internal static void Write(string path, Action<FileStream> write)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"Cannot save {path}: it is a folder, not a file.");
        }

        string target = FinalTarget(path);
        string temp = $"{target}.tmp-{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            BeforeCommitForTesting?.Invoke(temp);
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            var named = Named(e, path, temp);
            if (ReferenceEquals(named, e))
            {
                throw;
            }

            throw named;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The file a path finally names: itself, or the end of its chain of symbolic links.</summary>
    private static string FinalTarget(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is null)
        {
            return path;
        }

        return file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }

    /// <summary>The same kind of error, its message naming the caller's path rather than the temporary file.</summary>
    private static Exception Named(Exception e, string path, string temp)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string reason = e.Message.Replace(temp, path, StringComparison.Ordinal);
        return e switch
        {
            DirectoryNotFoundException => new DirectoryNotFoundException($"Cannot save {path}: the folder {folder} does not exist.", e),
            UnauthorizedAccessException => new UnauthorizedAccessException($"Cannot save {path}: {reason}", e),
            // Only the file system's own messages name the temporary file; anything else (a failed write
            // callback, a full disk) already says what it means.
            _ when e.GetType() == typeof(IOException) && e.Message.Contains(temp, StringComparison.Ordinal) =>
                new IOException($"Cannot save {path}: {reason}", e),
            _ => e,
        };
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
