using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>The fuzz harness must be able to fail: each kind of finding, planted in a fake loader, is reported with its seed.</summary>
[TestFixture]
public sealed class FuzzRunnerTests
{
    private static readonly CorruptFile ThreeBytes = new([1, 2, 3], "three bytes");

    private string _dir = "";
    private string _path = "";

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-fuzz-runner-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "case.bin");
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_ReportsEveryKindOfFinding_WithSeedAndCorruption()
    {
        FuzzLoader[] loaders =
        [
            Loader("consistent", _ => 1),
            Loader<int>("documented", input => throw new InvalidDataFormatException(input.Path, "bad header")),
            Loader<int>("undocumented", _ => throw new OverflowException("dimension product")),
            Loader<int>("nameless", _ => throw new InvalidDataFormatException("elsewhere", "bad header")),
            Loader("greedy", _ => new byte[FuzzRunner.FixedAllowance + 4096]),
            Loader("slow", _ => Sleep(150)),
            FuzzLoader.Create("inconsistent", _ => 1, (_, _) => "one is not two"),
        ];

        var failures = new FuzzRunner(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30)).Run([42], _ => ThreeBytes, _path, loaders);

        Assert.That(failures, Has.Count.EqualTo(5).And.All.StartWith("seed 42 (three bytes), "), string.Join("\n", failures));
        Assert.That(string.Join("\n", failures), Does.Contain("undocumented: threw System.OverflowException")
            .And.Contain("nameless: the InvalidDataFormatException does not name the file")
            .And.Contain("greedy: allocated")
            .And.Contain("slow: took")
            .And.Contain("inconsistent: one is not two"));
    }

    [Test]
    public void Run_ReportsAHang_WithTheCaseThatHung()
    {
        // Not disposed: the abandoned worker may still be waiting on it when the test ends.
        var release = new ManualResetEventSlim();
        try
        {
            var failures = new FuzzRunner(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300))
                .Run([7], _ => ThreeBytes, _path, [Loader("hangs", _ => release.Wait(Timeout.Infinite))]);

            Assert.That(failures, Is.EqualTo(new[] { "seed 7 (three bytes), hangs: still running after 0.3 s, a hang" }));
        }
        finally
        {
            release.Set();
        }
    }

    private static FuzzLoader Loader<T>(string name, Func<FuzzInput, T> load)
        where T : notnull => FuzzLoader.Create(name, load, (_, _) => null);

    private static int Sleep(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }
}
