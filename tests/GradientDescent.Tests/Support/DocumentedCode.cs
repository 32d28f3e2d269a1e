using System.Text.RegularExpressions;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Keeps documentation's C# honest: every ```csharp block of a Markdown file must appear, line by line
/// and in order (comments, blank lines and using directives aside), in one of the given source files
/// that the build compiles and the tests run.
/// </summary>
public static partial class DocumentedCode
{
    /// <summary>The environment variable naming the repository root, for test apps run outside their build tree.</summary>
    public const string RepositoryVariable = "GRADIENTDESCENT_REPO";

    /// <summary>
    /// The repository root: the folder holding GradientDescent.sln, found from GRADIENTDESCENT_REPO or by
    /// walking up from the test app and from the current directory.
    /// </summary>
    public static string RepositoryRoot
    {
        get
        {
            var starts = new[] { Environment.GetEnvironmentVariable(RepositoryVariable), AppContext.BaseDirectory, Environment.CurrentDirectory };
            foreach (var start in starts.Where(s => !string.IsNullOrWhiteSpace(s)))
            {
                for (var dir = new DirectoryInfo(Path.GetFullPath(start!)); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "GradientDescent.sln")))
                    {
                        return dir.FullName;
                    }
                }
            }

            throw new InvalidOperationException(
                $"The repository (GradientDescent.sln) was not found above {AppContext.BaseDirectory}; set {RepositoryVariable}.");
        }
    }

    /// <summary>Asserts that each code block of <paramref name="markdown"/> is in one of <paramref name="sources"/>.</summary>
    /// <param name="markdown">The document, relative to the repository root.</param>
    /// <param name="minimumBlocks">How many code blocks the document must have (so an emptied document fails).</param>
    /// <param name="sources">Source files, absolute or relative to the repository root.</param>
    public static void AssertEveryBlockIsCompiled(string markdown, int minimumBlocks, params string[] sources)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot, markdown));
        var compiled = sources.Select(s => Normalize(File.ReadAllLines(Locate(s)))).ToList();
        var blocks = CodeBlock().Matches(text).Select(m => Normalize(m.Groups[1].Value.Split('\n'))).ToList();
        Assert.That(blocks, Has.Count.GreaterThanOrEqualTo(minimumBlocks), $"{markdown} should hold at least {minimumBlocks} C# blocks");
        for (int b = 0; b < blocks.Count; b++)
        {
            var missing = compiled.Select(source => FirstMissing(blocks[b], source)).ToList();
            Assert.That(missing.Any(m => m is null), Is.True,
                $"{markdown}, C# block {b + 1}: the line `{missing[0]}` is not in {string.Join(" or ", sources.Select(Path.GetFileName))} "
                + "(in this order), so no build compiles it.");
        }
    }

    /// <summary>
    /// Resolves a path against the repository root. A CI build (ContinuousIntegrationBuild) maps source
    /// paths to <c>/_/</c>, so a <c>[CallerFilePath]</c> there is rebased onto the real root.
    /// </summary>
    private static string Locate(string path) =>
        path.StartsWith("/_/", StringComparison.Ordinal) ? Path.Combine(RepositoryRoot, path[3..]) : Path.Combine(RepositoryRoot, path);

    private static string? FirstMissing(List<string> block, List<string> source)
    {
        int at = 0;
        foreach (var line in block)
        {
            int found = source.IndexOf(line, at);
            if (found < 0)
            {
                return line;
            }

            at = found + 1;
        }

        return null;
    }

    private static List<string> Normalize(IEnumerable<string> lines) =>
    [
        .. lines
            .Select(line => (line.Contains("//", StringComparison.Ordinal) ? line[..line.IndexOf("//", StringComparison.Ordinal)] : line).Trim())
            .Where(line => line.Length > 0 && !UsingDirective().IsMatch(line)),
    ];

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^using [A-Za-z.]+;$")]
    private static partial Regex UsingDirective();
}
