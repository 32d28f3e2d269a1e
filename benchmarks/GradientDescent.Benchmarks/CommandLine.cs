namespace GradientDescent.Benchmarks;

/// <summary>What the app's commands (<c>report</c>, <c>phases</c>, <c>ptx</c>) share in reading their arguments.</summary>
internal static class CommandLine
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null when the option or its value is absent.</summary>
    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
