using System.Buffers.Binary;
using System.IO.Compression;
using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
public sealed class MnistTests
{
    private static readonly string s_shipped = Mnist10k.Folder;

    private string _dir = "";

    private static ComputeDevice Device => TestDevices.Shared;

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-mnist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void LoadSample_Defaults_SplitsFirst8000AndLast2000()
    {
        var raw = ShippedRaw();
        using var split = Mnist10k.Load(Device);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(split.Train.Images.Shape, Is.EqualTo(new[] { 8000, 784 }));
            Assert.That(split.Test.Images.Shape, Is.EqualTo(new[] { 2000, 784 }));
            Assert.That(split.Train.Labels.ToArray(), Is.EqualTo(raw.Labels[..8000].Select(b => (int)b)));
            Assert.That(split.Test.Labels.ToArray(), Is.EqualTo(raw.Labels[8000..].Select(b => (int)b)));
            Assert.That(split.Train.Labels.Classes, Is.EqualTo(10));
            Assert.That(split.Description, Does.Contain("first 8000 train, last 2000 test"));
        }

        // Pixels are byte · (1/255) exactly, image r in row r: check the first training image and the last test image.
        using var first = split.Train.Images.Rows(0, 1);
        using var last = split.Test.Images.Rows(1999, 1);
        Assert.That(first.ToArray(), Is.EqualTo(raw.Pixels[..784].Select(b => b * (1f / 255))));
        Assert.That(last.ToArray(), Is.EqualTo(raw.Pixels[(9999 * 784)..].Select(b => b * (1f / 255))));
    }

    [Test]
    public void LoadSample_PixelsLieInUnitInterval()
    {
        using var split = Mnist.LoadSample(Device, s_shipped, trainCount: 300, testCount: 100);
        var pixels = split.Train.Images.ToArray();

        Assert.That(pixels.Min(), Is.Zero);
        Assert.That(pixels.Max(), Is.EqualTo(1f));
    }

    [Test]
    public void LoadSample_Slice_TakesLeadingTrainAndTrailingTest()
    {
        var raw = ShippedRaw();
        using var split = Mnist.LoadSample(Device, s_shipped, trainCount: 100, testCount: 50);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(split.Train.Count, Is.EqualTo(100));
            Assert.That(split.Test.Images.Shape, Is.EqualTo(new[] { 50, 784 }));
            Assert.That(split.Test.Labels.ToArray(), Is.EqualTo(raw.Labels[9950..].Select(b => (int)b)));
            Assert.That(split.Test.Source, Does.Contain("[9950, 10000)"));
        }
    }

    [TestCase(0, 10)]
    [TestCase(10, 0)]
    [TestCase(9000, 1001)]
    public void LoadSample_ImpossibleCounts_Throw(int train, int test)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mnist.LoadSample(Device, s_shipped, train, test));
        Assert.That(e!.Message, Does.Contain($"{train} training and {test} test"));
    }

    [Test]
    public void MnistData_SliceOutOfRange_Throws()
    {
        var data = MnistData.Read(Path.Combine(s_shipped, Mnist.SampleImagesFile), Path.Combine(s_shipped, Mnist.SampleLabelsFile));

        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(9990, 11));
        Assert.That(data.Slice(9990, 10).Labels.Length, Is.EqualTo(10));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void LoadFolder_StandardFiles_LoadsTrainAndTest(bool gzip)
    {
        WriteStandard(_dir, trainCount: 6, testCount: 4, gzip);

        using var split = Mnist.LoadFolder(Device, _dir);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(split.Train.Images.Shape, Is.EqualTo(new[] { 6, 784 }));
            Assert.That(split.Test.Images.Shape, Is.EqualTo(new[] { 4, 784 }));
            Assert.That(split.Train.Labels.ToArray(), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5 }));
            Assert.That(split.Test.Labels.ToArray(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
            Assert.That(split.Test.Images.ToArray()[784], Is.EqualTo(1 / 255f), "image 1 is filled with its index");
        }
    }

    [Test]
    public void LoadFolder_SampleFolder_UsesThe8000To2000Split()
    {
        using var split = Mnist.LoadFolder(Device, s_shipped);

        Assert.That((split.Train.Count, split.Test.Count), Is.EqualTo((8000, 2000)));
    }

    [Test]
    public void LoadFolder_MissingFiles_ListsWhatIsMissing()
    {
        WriteStandard(_dir, 2, 2, gzip: true);
        File.Delete(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<FileNotFoundException>(() => Mnist.LoadFolder(Device, _dir));

        Assert.That(e!.Message, Does.Contain("t10k-labels-idx1-ubyte[.gz]").And.Contain(_dir).And.Not.Contain("train-images"));
    }

    [Test]
    public void LoadFolder_NoSuchFolder_SaysSo()
    {
        string missing = Path.Combine(_dir, "nope");

        var e = Assert.Throws<DirectoryNotFoundException>(() => Mnist.LoadFolder(Device, missing));

        Assert.That(e!.Message, Does.Contain(missing).And.Contain("does not exist"));
    }

    [Test]
    public void Read_LabelAboveNine_IsRejectedWithIndexAndValue()
    {
        string images = Write("img.idx", Idx(0x0803, [3, 28, 28], new byte[3 * 784]), gzip: false);
        string labels = Write("lab.idx", Idx(0x0801, [3], [1, 12, 3]), gzip: false);

        var e = Assert.Throws<InvalidDataFormatException>(() => MnistData.Read(images, labels));

        Assert.That(e!.Message, Does.Contain("label 12 at index 1").And.Contain(labels));
    }

    [Test]
    public void Read_LabelsFileAsImages_IsRejected()
    {
        string labels = Write("lab.idx", Idx(0x0801, [3], [1, 2, 3]), gzip: false);

        var e = Assert.Throws<InvalidDataFormatException>(() => MnistData.Read(labels, labels));

        Assert.That(e!.Message, Does.Contain("expected magic 0x00000803 (images)"));
    }

    [Test]
    public void Mnist10k_FilesTravelBesideTheApp_WithTheirChecksums()
    {
        // The sample package copies its files next to every app that references it, so a published test
        // app or sample finds them wherever it runs; SHA256SUMS travels with them.
        var sums = File.ReadAllLines(Path.Combine(Mnist10k.Folder, "SHA256SUMS"))
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1].Trim(), parts => parts[0]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Mnist10k.Folder, Does.StartWith(AppContext.BaseDirectory));
            foreach (var file in new[] { Mnist.SampleImagesFile, Mnist.SampleLabelsFile })
            {
                var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Mnist10k.Folder, file))));
                Assert.That(hash, Is.EqualTo(sums[file]), file);
            }
        }
    }

    [Test]
    public void Mnist10k_Load_GivesThe8000To2000Split()
    {
        using var split = Mnist10k.Load(Device);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(split.Train.Images.Shape, Is.EqualTo(new[] { 8000, 784 }));
            Assert.That(split.Test.Images.Shape, Is.EqualTo(new[] { 2000, 784 }));
            Assert.That(split.Test.Labels.Classes, Is.EqualTo(10));
        }
    }

    private static (byte[] Pixels, byte[] Labels) ShippedRaw()
    {
        var images = IdxFile.ReadImages(Path.Combine(s_shipped, Mnist.SampleImagesFile));
        var labels = IdxFile.ReadLabels(Path.Combine(s_shipped, Mnist.SampleLabelsFile));
        return (images.Data, labels.Data);
    }

    /// <summary>Standard MNIST files whose image i is filled with the byte i and whose label i is i.</summary>
    private static void WriteStandard(string dir, int trainCount, int testCount, bool gzip)
    {
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var pixels = new byte[count * 784];
            for (int i = 0; i < count; i++)
            {
                pixels.AsSpan(i * 784, 784).Fill((byte)i);
            }

            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            string suffix = gzip ? ".gz" : "";
            WriteTo(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{suffix}"), Idx(0x0803, [count, 28, 28], pixels), gzip);
            WriteTo(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{suffix}"), Idx(0x0801, [count], labels), gzip);
        }
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        WriteTo(path, bytes, gzip);
        return path;
    }

    private static void WriteTo(string path, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }

        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
    }

    private static byte[] Idx(int magic, int[] dims, byte[] payload)
    {
        var bytes = new byte[4 + (4 * dims.Length) + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        payload.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }
}
