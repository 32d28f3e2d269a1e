using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
public sealed class TwoLayerNetPersistenceTests
{
    private string _dir = "";
    private string _path = "";

    private static ComputeDevice Device => TestDevices.Shared;

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-net-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "net.gdm");
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [TestCase(true)]
    [TestCase(false)]
    public void SaveThenLoad_RestoresEveryParameterBitForBit_AndPredictsTheSame(bool useBias)
    {
        using var net = Trained(new TwoLayerNetOptions { Inputs = 12, Hidden = 7, Classes = 5, UseBias = useBias, Seed = 3 });
        using var x = Tensor.RandomNormal(Device, [9, 12], seed: 4);

        net.Save(_path);
        using var loaded = TwoLayerNet.Load(Device, _path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((loaded.Options.Inputs, loaded.Options.Hidden, loaded.Options.Classes, loaded.Options.UseBias),
                Is.EqualTo((12, 7, 5, useBias)));
            Assert.That(loaded.Parameters, Has.Count.EqualTo(net.Parameters.Count));
            for (int k = 0; k < net.Parameters.Count; k++)
            {
                Assert.That(loaded.Parameters[k].Shape, Is.EqualTo(net.Parameters[k].Shape), $"parameter {k}");
                Assert.That(Bits(loaded.Parameters[k]), Is.EqualTo(Bits(net.Parameters[k])), $"parameter {k}");
            }

            Assert.That(loaded.Predict(x), Is.EqualTo(net.Predict(x)));
            using var before = net.Forward(x);
            using var after = loaded.Forward(x);
            Assert.That(Bits(after), Is.EqualTo(Bits(before)), "logits");
        }
    }

    [Test]
    public void Load_WithMatchingExpectation_Succeeds_AndMismatchSaysBoth()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 6, Hidden = 4, Classes = 3 });
        net.Save(_path);

        using var ok = TwoLayerNet.Load(Device, _path, new TwoLayerNetOptions { Inputs = 6, Hidden = 4, Classes = 3 });
        var e = Assert.Throws<ArgumentException>(() => TwoLayerNet.Load(Device, _path, new TwoLayerNetOptions()));

        Assert.That(e!.Message, Does.Contain("6 → 4 → 3 with biases").And.Contain("784 → 100 → 10 with biases").And.Contain(_path));
    }

    [Test]
    public void Load_CorruptByte_FailsTheChecksum()
    {
        SaveSmall();
        var bytes = File.ReadAllBytes(_path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(_path, bytes);

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.Load(Device, _path));

        Assert.That(e!.Message, Does.Contain(_path).And.Contain("checksum mismatch"));
    }

    [Test]
    public void Load_TruncatedFile_SaysTruncated()
    {
        SaveSmall();
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..(bytes.Length - 50)]);

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.Load(Device, _path));

        Assert.That(e!.Message, Does.Contain(_path).And.Contain("truncated"));
    }

    [Test]
    public void Load_NotAModelFile_SaysSo()
    {
        File.WriteAllText(_path, "epoch,loss\n1,0.5\n");

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.Load(Device, _path));

        Assert.That(e!.Message, Does.Contain("not a GradientDescent model file"));
    }

    [Test]
    public void Load_OtherKind_NamesTheKind()
    {
        ModelFile.Save(_path, [new NamedArray("w1", [2, 2], new float[4]), new NamedArray("w2", [2, 2], new float[4])], "ConvNet");

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.Load(Device, _path));

        Assert.That(e!.Message, Does.Contain("'ConvNet' model, not a TwoLayerNet").And.Contain(_path));
    }

    [TestCaseSource(nameof(BadShapes))]
    public void Load_InconsistentArrays_SayWhatIsWrong(NamedArray[] arrays, string expected)
    {
        ModelFile.Save(_path, arrays, TwoLayerNet.ModelKind);

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.Load(Device, _path));

        Assert.That(e!.Message, Does.Contain(expected).And.Contain(_path).And.Contain("arrays: "));
    }

    [Test]
    public void Save_IntoMissingFolder_Throws()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 3, Hidden = 2, Classes = 2 });

        Assert.Throws<DirectoryNotFoundException>(() => net.Save(Path.Combine(_dir, "missing", "net.gdm")));
    }

    private static IEnumerable<TestCaseData> BadShapes()
    {
        static NamedArray A(string name, params int[] shape) => new(name, shape, new float[shape.Aggregate(1, (a, b) => a * b)]);

        yield return new TestCaseData(new[] { A("w1", 4, 3) }, "needs arrays 'w1' and 'w2'").SetName("missing w2");
        yield return new TestCaseData(new[] { A("w1", 4, 3), A("w2", 5, 2) }, "'w2' must have 3 rows").SetName("w2 rows differ");
        yield return new TestCaseData(new[] { A("w1", 12), A("w2", 3, 2) }, "must be non-empty matrices").SetName("w1 not a matrix");
        yield return new TestCaseData(new[] { A("w1", 4, 3), A("b1", 3), A("w2", 3, 2) }, "both biases").SetName("one bias");
        yield return new TestCaseData(new[] { A("w1", 4, 3), A("b1", 4), A("w2", 3, 2), A("b2", 2) }, "'b1' must be [3] and 'b2' [2]").SetName("b1 wrong length");
        yield return new TestCaseData(new[] { A("w1", 4, 3), A("w2", 3, 2), A("w3", 2, 2) }, "unknown arrays 'w3'").SetName("unknown array");
    }

    private static TwoLayerNet Trained(TwoLayerNetOptions options)
    {
        // One step moves the biases off zero, so every saved value is non-trivial.
        var net = new TwoLayerNet(Device, options);
        using var x = Tensor.RandomNormal(Device, [8, options.Inputs], seed: 5);
        using var labels = Labels.FromArray(Device, Enumerable.Range(0, 8).Select(i => i % options.Classes).ToArray(), options.Classes);
        net.TrainStep(x, labels, new SgdStep(0.3f));
        return net;
    }

    private void SaveSmall()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 10, Hidden = 6, Classes = 4 });
        net.Save(_path);
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
