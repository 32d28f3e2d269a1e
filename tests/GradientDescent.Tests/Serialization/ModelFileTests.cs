using System.Buffers.Binary;
using System.Security.Cryptography;
using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
[NonParallelizable] // BeforeCommitForTesting is a static hook.
public sealed class ModelFileTests
{
    private string _dir = "";
    private string _path = "";

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "model.gdm");
    }

    [TearDown]
    public void DeleteTempDir()
    {
        ModelFile.BeforeCommitForTesting = null;
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void SaveThenLoad_RoundTripsBitExactly()
    {
        float[] odd =
        [
            -0f, 0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC01234), BitConverter.Int32BitsToSingle(0x7F800001),
            BitConverter.Int32BitsToSingle(unchecked((int)0xFFFFFFFF)), float.PositiveInfinity, float.NegativeInfinity,
            float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1f / 3f, -123.456f,
        ];
        var arrays = Sample().Append(new NamedArray("odd", [2, 7], odd)).Append(new NamedArray("scalar", [], [42f]))
            .Append(new NamedArray("empty", [0, 5], [])).ToArray();

        ModelFile.Save(_path, arrays, "TwoLayerNet");
        var loaded = ModelFile.Load(_path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.Kind, Is.EqualTo("TwoLayerNet"));
            Assert.That(loaded.Version, Is.EqualTo(ModelFile.CurrentVersion));
            Assert.That(loaded.Arrays.Select(a => a.Name), Is.EqualTo(arrays.Select(a => a.Name)));
            foreach (var expected in arrays)
            {
                var actual = loaded.Get(expected.Name);
                Assert.That(actual.Shape, Is.EqualTo(expected.Shape), expected.Name);
                Assert.That(Bits(actual.Data), Is.EqualTo(Bits(expected.Data)), expected.Name);
            }
        }
    }

    [Test]
    public void Save_ReplacesExistingFile()
    {
        ModelFile.Save(_path, Sample(), "First");
        ModelFile.Save(_path, [new NamedArray("only", [1], [1f])], "Second");

        var loaded = ModelFile.Load(_path);

        Assert.That(loaded.Kind, Is.EqualTo("Second"));
        Assert.That(loaded.Arrays.Select(a => a.Name), Is.EqualTo(new[] { "only" }));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { _path }));
    }

    [Test]
    public void Get_UnknownName_ListsAvailableNames()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");

        var ex = Assert.Throws<KeyNotFoundException>(() => ModelFile.Load(_path).Get("w3"));

        Assert.That(ex.Message, Does.Contain("'w3'").And.Contain("'w1', 'b1'").And.Contain(_path));
    }

    [Test]
    public void Load_WrongMagic_NamesExpectedAndFound()
    {
        File.WriteAllBytes(_path, [.. "PK\u0003\u0004zzzz"u8, .. new byte[40]]);

        var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path));

        Assert.That(ex.FilePath, Is.EqualTo(_path));
        Assert.That(ex.Message, Does.StartWith(_path).And.Contain("47444D4F44454C00").And.Contain("504B03047A7A7A7A"));
    }

    [Test]
    public void Load_NewerVersion_SaysWrittenByNewerVersion()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        var bytes = File.ReadAllBytes(_path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        File.WriteAllBytes(_path, Rehash(bytes));

        var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path));

        Assert.That(ex.Message, Does.Contain(_path).And.Contain("format version 2").And.Contain("newer version"));
    }

    [Test]
    public void Load_TruncatedAnywhere_IsInvalidDataFormat()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        var bytes = File.ReadAllBytes(_path);
        int[] cuts = [0, 5, 8, 11, 12, 17, 20, 30, bytes.Length - 40, bytes.Length - 33, bytes.Length - 32, bytes.Length - 1];

        foreach (int cut in cuts)
        {
            File.WriteAllBytes(_path, bytes[..cut]);

            var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path), $"cut at {cut}");

            Assert.That(ex.Message, Does.Contain(_path), $"cut at {cut}");
        }
    }

    [Test]
    public void Load_TruncatedInsideData_SaysHowManyBytesWereNeeded()
    {
        ModelFile.Save(_path, [new NamedArray("w", [10], new float[10])], "K");
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..^20]); // 52 bytes follow the header; the last 32 must be taken for the checksum.

        var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path));

        Assert.That(ex.Message, Does.Contain("'w' with shape [10] needs 40 bytes but only 20 remain before the 32-byte checksum"));
    }

    [Test]
    public void Load_AnySingleFlippedByte_IsInvalidDataFormat()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        var good = File.ReadAllBytes(_path);

        for (int i = 0; i < good.Length; i++)
        {
            var bad = (byte[])good.Clone();
            bad[i] ^= 0x10;
            File.WriteAllBytes(_path, bad);

            var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path), $"flipped byte {i}");

            Assert.That(ex.FilePath, Is.EqualTo(_path), $"flipped byte {i}");
        }
    }

    [Test]
    public void Load_FlippedDataByte_ReportsChecksumMismatch()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        var bytes = File.ReadAllBytes(_path);
        bytes[^40] ^= 0x01;
        File.WriteAllBytes(_path, bytes);

        var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path));

        Assert.That(ex.Message, Does.Contain(_path).And.Contain("checksum mismatch"));
    }

    [Test]
    public void Load_TrailingBytes_AreRejected()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        File.AppendAllText(_path, "extra");

        var ex = Assert.Throws<InvalidDataFormatException>(() => ModelFile.Load(_path));

        Assert.That(ex.Message, Does.Contain(_path).And.Contain("5 trailing bytes"));
    }

    [Test]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(_path));
    }

    [Test]
    public void NamedArray_ShapeDataMismatch_NamesBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new NamedArray("w1", [3, 4], new float[11]));

        Assert.That(ex.Message, Does.Contain("'w1'").And.Contain("[3, 4] holds 12 elements but Data has 11"));
    }

    [Test]
    public void Save_ShapeMutatedAfterConstruction_IsRejectedAndWritesNothing()
    {
        var array = new NamedArray("w1", [3, 4], new float[12]);
        array.Shape[1] = 5;

        var ex = Assert.Throws<ArgumentException>(() => ModelFile.Save(_path, [array], "TwoLayerNet"));

        Assert.That(ex.Message, Does.Contain("[3, 5] holds 15 elements but Data has 12"));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void Save_DuplicateNames_IsRejected()
    {
        NamedArray[] arrays = [new("w", [1], [1f]), new("w", [1], [2f])];

        var ex = Assert.Throws<ArgumentException>(() => ModelFile.Save(_path, arrays, "TwoLayerNet"));

        Assert.That(ex.Message, Does.Contain("'w'"));
    }

    [Test]
    public void Save_FailureBeforeCommit_LeavesPreviousFileAndNoTempFiles()
    {
        ModelFile.Save(_path, Sample(), "TwoLayerNet");
        var before = File.ReadAllBytes(_path);
        string? seenTemp = null;
        ModelFile.BeforeCommitForTesting = temp =>
        {
            seenTemp = temp;
            Assert.That(File.Exists(temp), Is.True, "the temp file is complete and flushed before the rename");
            throw new IOException("simulated crash before rename");
        };

        var ex = Assert.Throws<IOException>(() => ModelFile.Save(_path, [new NamedArray("x", [1], [9f])], "Other"));

        Assert.That(ex.Message, Is.EqualTo("simulated crash before rename"));
        Assert.That(seenTemp, Does.StartWith(_path + ".tmp-"));
        Assert.That(File.ReadAllBytes(_path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { _path }));
    }

    private static NamedArray[] Sample() =>
    [
        new("w1", [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.25f - 1f).ToArray()),
        new("b1", [4], [0.5f, -0.5f, 1e-8f, 3e8f]),
    ];

    private static int[] Bits(float[] data) => Array.ConvertAll(data, BitConverter.SingleToInt32Bits);

    private static byte[] Rehash(byte[] bytes)
    {
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }
}
