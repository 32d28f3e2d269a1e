namespace GradientDescent;

/// <summary>Opens the files the readers read, with errors that say what is wrong with the path.</summary>
internal static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there, or a folder is (.NET would say "access denied" for a folder).</exception>
    internal static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path} is a folder, not a file.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }
}
