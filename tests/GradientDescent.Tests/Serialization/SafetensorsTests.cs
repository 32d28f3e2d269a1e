using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using static GradientDescent.Tests.HandWrittenSafetensors;

namespace GradientDescent.Tests;

/// <summary>
/// The safetensors writer and reader on valid files: bit-exact round trips, byte-exact agreement with a
/// minimal writer built from the format's description (and with the reference implementation's own
/// test vectors), and files written by hand that use what the format allows.
/// </summary>
[TestFixture]
[NonParallelizable] // The atomic-write test sets a static hook.
public sealed class SafetensorsTests
{
    private string _dir = "";
    private string _path = "";

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "model.safetensors");
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
        NamedArray[] arrays =
        [
            new("w1", [3, 4], [.. Enumerable.Range(0, 12).Select(i => (i * 0.25f) - 1f)]),
            new("odd", [2, 7], odd),
            new("scalar", [], [42f]),
            new("empty", [0, 5], []),
            new("cube", [2, 1, 3], [1, 2, 3, 4, 5, 6]),
            new("naïve \"name\"\n\u0001✓", [1], [7f]),
        ];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "quote \" backslash \\ tab \t é 🙂" };

        Safetensors.Save(_path, arrays, metadata);
        var loaded = Safetensors.Load(_path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.Arrays.Select(a => a.Name), Is.EquivalentTo(arrays.Select(a => a.Name)));
            foreach (var expected in arrays)
            {
                var actual = loaded.Get(expected.Name);
                Assert.That(actual.Shape, Is.EqualTo(expected.Shape), expected.Name);
                Assert.That(Bits(actual.Data), Is.EqualTo(Bits(expected.Data)), expected.Name);
            }

            Assert.That(loaded.Metadata, Is.EquivalentTo(metadata));
        }
    }

    [Test]
    public void Save_WritesExactlyTheBytesOfAMinimalWriter()
    {
        // Given out of order: both writers must sort by name and pack the data in that order.
        Entry[] tensors =
        [
            new("layer.2", [3, 2], [1, 2, 3, 4, 5, 6]),
            new("Layer.10", [4], [-1, -2, -3, -4]),
            new("bias", [], [0.5f]),
            new("layer.1", [1, 0], []),
        ];
        (string, string)[] metadata = [("producer", "tests"), ("format", "pt")];

        Safetensors.Save(_path, [.. tensors.Select(t => new NamedArray(t.Name, t.Shape, t.Values))], metadata.ToDictionary(m => m.Item1, m => m.Item2));

        Assert.That(File.ReadAllBytes(_path), Is.EqualTo(Write(tensors, metadata)));
    }

    /// <summary>The cases of the reference implementation's own serialisation tests (test_serialization, test_empty, ...).</summary>
    [TestCase("attn.0", new[] { 1, 2, 3 }, null, "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}")]
    [TestCase("attn0", new[] { 1, 1, 2, 3 }, null, "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ")]
    [TestCase(null, null, null, "{}      ")]
    [TestCase(null, null, "pt", "{\"__metadata__\":{\"framework\":\"pt\"}}     ")]
    public void Save_MatchesTheReferenceTestVectors(string? name, int[]? shape, string? framework, string header)
    {
        NamedArray[] arrays = name is null ? [] : [new(name, shape!, [0, 1, 2, 3, 4, 5])];
        var metadata = framework is null ? null : new Dictionary<string, string> { ["framework"] = framework };

        Safetensors.Save(_path, arrays, metadata);

        byte[] data = name is null ? [] : F32(0, 1, 2, 3, 4, 5);
        Assert.That(File.ReadAllBytes(_path), Is.EqualTo(Build(header, data)));
    }

    [Test]
    public void Load_ReadsAHandWrittenFile_WithEverythingTheFormatAllows()
    {
        // Keys out of offset order, whitespace between tokens, escapes, metadata after a tensor, a
        // zero-size tensor sharing its offset, a scalar, trailing spaces; F64, F16 and BF16 widen exactly.
        string header = """
            { "half": {"shape": [2], "dtype": "F16", "data_offsets": [24, 28]},
              "scalar": {"dtype":"F32","shape":[],"data_offsets":[28,32]},
              "__metadata__": {"k\u00e9y": "v\"1\"", "empty": ""},
              "double": {"dtype": "F64", "shape": [1, 2], "data_offsets": [8, 24]},
              "none": {"dtype": "F32", "shape": [0, 3], "data_offsets": [8, 8]},
              "brain": {"dtype": "BF16", "shape": [2, 1, 2], "data_offsets": [0, 8]},
              "\u00e9\ud83d\ude42": {"dtype": "F32", "shape": [1], "data_offsets": [32, 36]} }
            """ + "   \n\t ";
        var buffer = new List<byte>();
        float[] brain = [1.5f, -2.25f, BitConverter.Int32BitsToSingle(0x7F7F0000), -0f]; // the last two: BF16's largest finite, and -0
        foreach (float v in brain)
            buffer.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >>> 16)));
        buffer.AddRange(BitConverter.GetBytes(0.1));
        buffer.AddRange(BitConverter.GetBytes(-1e300));
        buffer.AddRange(BitConverter.GetBytes((Half)65504));
        buffer.AddRange(BitConverter.GetBytes((Half)(-0.5)));
        buffer.AddRange(F32(42f, -7f));
        File.WriteAllBytes(_path, Build(header, [.. buffer]));

        var loaded = Safetensors.Load(_path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.Arrays.Select(a => a.Name), Is.EqualTo(new[] { "brain", "none", "double", "half", "scalar", "é🙂" }), "in the order of the data");
            Assert.That(loaded.Get("brain").Shape, Is.EqualTo(new[] { 2, 1, 2 }));
            Assert.That(Bits(loaded.Get("brain").Data), Is.EqualTo(Bits(brain)));
            Assert.That(loaded.Get("none").Shape, Is.EqualTo(new[] { 0, 3 }));
            Assert.That(loaded.Get("none").Data, Is.Empty);
            Assert.That(loaded.Get("double").Data, Is.EqualTo(new[] { 0.1f, float.NegativeInfinity }), "F64 rounds to nearest, overflow to ∞");
            Assert.That(loaded.Get("half").Data, Is.EqualTo(new[] { 65504f, -0.5f }));
            Assert.That(loaded.Get("scalar").Shape, Is.Empty);
            Assert.That(loaded.Get("scalar").Data, Is.EqualTo(new[] { 42f }));
            Assert.That(loaded.Get("é🙂").Data, Is.EqualTo(new[] { -7f }));
            Assert.That(loaded.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["kéy"] = "v\"1\"", ["empty"] = "" }));
        }
    }

    [Test]
    public void Load_WhatTheMinimalWriterWrites_GivesItsTensors()
    {
        Entry[] tensors = [new("b", [2], [3, 4]), new("a", [1, 2], [1, 2])];
        File.WriteAllBytes(_path, Write(tensors, [("framework", "pt")]));

        var loaded = Safetensors.Load(_path);

        Assert.That(loaded.Arrays.Select(a => (a.Name, a.Shape, a.Data)),
            Is.EqualTo(new[] { ("a", new[] { 1, 2 }, new[] { 1f, 2f }), ("b", new[] { 2 }, new[] { 3f, 4f }) }));
        Assert.That(loaded.Metadata["framework"], Is.EqualTo("pt"));
    }

    [Test]
    public void Get_UnknownName_ListsTheNamesAndTheFile()
    {
        Safetensors.Save(_path, [new NamedArray("w1", [1], [1f]), new NamedArray("b1", [1], [2f])]);

        var e = Assert.Throws<KeyNotFoundException>(() => Safetensors.Load(_path).Get("w3"));

        Assert.That(e!.Message, Does.StartWith(_path).And.Contain("'w3'").And.Contain("'b1', 'w1'"));
    }

    [TestCaseSource(nameof(BadArguments))]
    public void Save_BadArguments_AreRejectedAndWriteNothing(NamedArray[] arrays, Dictionary<string, string>? metadata, string expected)
    {
        var e = Assert.Catch<ArgumentException>(() => Safetensors.Save(_path, arrays, metadata));

        Assert.That(e!.Message, Does.Contain(expected));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void Save_FailureBeforeCommit_LeavesPreviousFileAndNoTempFiles()
    {
        Safetensors.Save(_path, [new NamedArray("w", [2], [1f, 2f])]);
        var before = File.ReadAllBytes(_path);
        ModelFile.BeforeCommitForTesting = temp =>
        {
            Assert.That(File.ReadAllBytes(temp), Has.Length.GreaterThan(8), "the temp file is complete and flushed before the rename");
            throw new IOException("simulated crash before rename");
        };

        Assert.Throws<IOException>(() => Safetensors.Save(_path, [new NamedArray("x", [1], [9f])]));

        Assert.That(File.ReadAllBytes(_path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { _path }));
    }

    [Test]
    public void Save_WritesTheHeaderLengthAsLittleEndianUInt64_AndAMultipleOfEight()
    {
        Safetensors.Save(_path, [new NamedArray("abc", [1], [1f])]);
        var bytes = File.ReadAllBytes(_path);

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)length);

        Assert.That(length % 8, Is.Zero);
        Assert.That((long)length, Is.EqualTo(bytes.Length - 8 - 4));
        Assert.That(header.TrimEnd(' '), Is.EqualTo("{\"abc\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"));
    }

    private static IEnumerable<TestCaseData> BadArguments()
    {
        NamedArray W(string name) => new(name, [1], [1f]);
        yield return new TestCaseData(new[] { W("w"), W("w") }, null, "Two arrays are named 'w'").SetName("duplicate names");
        yield return new TestCaseData(new[] { W("__metadata__") }, null, "reserves that key").SetName("reserved name");
        yield return new TestCaseData(new[] { W("bad\ud800") }, null, "lone surrogate").SetName("lone surrogate in a name");
        yield return new TestCaseData(new[] { W("w") }, new Dictionary<string, string> { ["k"] = "\udc00" }, "lone surrogate").SetName("lone surrogate in metadata");
        yield return new TestCaseData(new[] { W("w") }, new Dictionary<string, string> { ["k"] = null! }, "value of 'k' is null").SetName("null metadata value");
    }

    private static int[] Bits(float[] data) => Array.ConvertAll(data, BitConverter.SingleToInt32Bits);
}
