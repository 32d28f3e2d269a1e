using System.Buffers.Binary;
using System.IO.Compression;
using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
public sealed class IdxFileTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [TestCase(false)]
    [TestCase(true)]
    public void ReadImages_GoodFile_ReturnsDimensionsAndPayload(bool gzip)
    {
        var payload = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        string path = Write("images.idx", Idx(0x08, [2, 3, 4], payload), gzip);

        var images = IdxFile.ReadImages(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(images.Path, Is.EqualTo(path));
            Assert.That(images.Dimensions, Is.EqualTo(new[] { 2, 3, 4 }));
            Assert.That(images.Data, Is.EqualTo(payload));
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadLabels_GoodFile_ReturnsLabels(bool gzip)
    {
        byte[] labels = [3, 1, 4, 1, 5];
        string path = Write("labels.idx", Idx(0x08, [5], labels), gzip);

        var read = IdxFile.ReadLabels(path);

        Assert.That(read.Dimensions, Is.EqualTo(new[] { 5 }));
        Assert.That(read.Data, Is.EqualTo(labels));
    }

    [Test]
    public void ReadBytes_DetectsGzipByContentNotName()
    {
        byte[] payload = [9, 8, 7, 6];
        string gzipNamedRaw = Write("plain.idx", Idx(0x08, [2, 2], payload), gzip: true);
        string rawNamedGzip = Write("looks.gz", Idx(0x08, [4], payload), gzip: false);

        Assert.That(IdxFile.ReadBytes(gzipNamedRaw).Data, Is.EqualTo(payload));
        Assert.That(IdxFile.ReadBytes(rawNamedGzip).Data, Is.EqualTo(payload));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadBytes_Stream_ReadsFromCurrentPosition(bool gzip)
    {
        byte[] idx = Idx(0x08, [3], [1, 2, 3]);
        using var stream = new MemoryStream([0xAA, .. (gzip ? Gzip(idx) : idx)]);
        stream.Position = 1;

        var read = IdxFile.ReadBytes(stream, "memory");

        Assert.That(read.Path, Is.EqualTo("memory"));
        Assert.That(read.Data, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void ReadBytes_NonSeekableStream_ThrowsArgumentException()
    {
        using var inner = new MemoryStream(Gzip(Idx(0x08, [1], [1])));
        using var unseekable = new GZipStream(inner, CompressionMode.Decompress);

        var ex = Assert.Throws<ArgumentException>(() => IdxFile.ReadBytes(unseekable, "pipe"));

        Assert.That(ex.Message, Does.Contain("pipe").And.Contain("CanSeek = False"));
    }

    [Test]
    public void ReadPair_ShippedMnist10k_HasExpectedShapeAndClassCounts()
    {
        string folder = Mnist10k.Folder;

        var (images, labels) = IdxFile.ReadPair(
            Path.Combine(folder, "mnist-10k-images-idx3-ubyte.gz"),
            Path.Combine(folder, "mnist-10k-labels-idx1-ubyte.gz"));

        // Class counts from data/mnist-10k/README.md: a wrong byte order or offset would not reproduce them.
        int[] perClass = new int[10];
        foreach (byte label in labels.Data)
            perClass[label]++;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(images.Dimensions, Is.EqualTo(new[] { 10000, 28, 28 }));
            Assert.That(images.Data, Has.Length.EqualTo(10000 * 28 * 28));
            Assert.That(images.Data.Max(), Is.EqualTo(255));
            Assert.That(labels.Dimensions, Is.EqualTo(new[] { 10000 }));
            Assert.That(perClass, Is.EqualTo(new[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }));
        }
    }

    [Test]
    public void ReadImages_WrongMagic_NamesExpectedAndFound()
    {
        string path = Write("labels-as-images.gz", Idx(0x08, [4], [1, 2, 3, 4]), gzip: true);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(ex.FilePath, Is.EqualTo(path));
        Assert.That(ex.Message, Does.StartWith(path).And.Contain("expected magic 0x00000803 (images) but found 0x00000801"));
    }

    [Test]
    public void ReadBytes_NonZeroLeadingBytes_SaysNotIdx()
    {
        string path = Write("png.idx", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1], gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0x89504E47"));
    }

    [Test]
    public void ReadBytes_FloatTypeByte_IsRejectedByName()
    {
        string path = Write("floats.idx", Idx(0x0D, [1], [0, 0, 0, 0]), gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0x0D (float32)").And.Contain("0x00000D01"));
    }

    [Test]
    public void ReadLabels_RankTwo_NamesExpectedAndFound()
    {
        string path = Write("labels2d.idx", Idx(0x08, [2, 2], [1, 2, 3, 4]), gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadLabels(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("expected magic 0x00000801 (labels) but found 0x00000802"));
    }

    [Test]
    public void ReadBytes_RankZero_IsRejected()
    {
        string path = Write("scalar.idx", [0, 0, 0x08, 0, 42], gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("rank 0"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void ReadImages_NonPositiveDimension_NamesIt(int dim)
    {
        string path = Write("zero.idx", Idx(0x08, [3, dim, 28], []), gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain($"dimension 1 of [3, {dim}, 28] is {dim}"));
    }

    [TestCase(0, 0)]
    [TestCase(3, 3)]
    [TestCase(9, 9)]
    public void ReadImages_TruncatedHeader_SaysHowFarItGot(int keep, int expectedEnd)
    {
        byte[] full = Idx(0x08, [1, 1, 1], [5]);
        string path = Write("short.idx", full[..keep], gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("truncated header").And.Contain($"ends after {expectedEnd}"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadImages_TruncatedPayload_NamesNeededAndPresent(bool gzip)
    {
        string path = Write("cut.idx", Idx(0x08, [2, 28, 28], new byte[1000]), gzip);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("[2, 28, 28] need 1568 bytes but only 1000 are present"));
    }

    [TestCase(false, "3 bytes of trailing data after the 4-byte payload")]
    [TestCase(true, "trailing data after the 4-byte payload")]
    public void ReadBytes_TrailingBytes_AreRejected(bool gzip, string expected)
    {
        string path = Write("long.idx", Idx(0x08, [4], [1, 2, 3, 4, 5, 6, 7]), gzip);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain(expected));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadImages_HugeDeclaredSizeInTinyFile_FailsWithoutAllocatingIt(bool gzip)
    {
        string path = Write("liar.idx", Idx(0x08, [1 << 20, 32, 32], new byte[16]), gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(ex.Message, Does.Contain(path).And.Contain("need 1073741824 bytes but only 16 are present"));
        Assert.That(allocated, Is.LessThan(1 << 20), "a lying header must not cause a header-sized allocation");
    }

    [Test]
    public void ReadImages_DimensionProductBeyondArrayLimit_IsRejected()
    {
        string path = Write("overflow.idx", Idx(0x08, [65536, 65536, 2], []), gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("[65536, 65536, 2] describe more than"));
    }

    [Test]
    public void ReadBytes_GzipWithBadCompressionMethod_IsInvalidDataFormat()
    {
        string path = Write("bad.gz", [0x1f, 0x8b, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6], gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("corrupt gzip stream"));
        Assert.That(ex.InnerException, Is.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void ReadBytes_GzipWithCorruptDeflateData_IsInvalidDataFormat()
    {
        var payload = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251)).ToArray();
        byte[] gz = Gzip(Idx(0x08, [4096], payload));
        for (int i = 12; i < gz.Length - 8; i += 5)
            gz[i] ^= 0x5A;
        string path = Write("scrambled.gz", gz, gzip: false);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadBytes(path));

        Assert.That(ex.FilePath, Is.EqualTo(path));
    }

    [Test]
    public void ReadPair_CountMismatch_NamesBothFilesAndCounts()
    {
        string images = Write("img.idx", Idx(0x08, [3, 2, 2], new byte[12]), gzip: true);
        string labels = Write("lbl.idx", Idx(0x08, [2], [0, 1]), gzip: true);

        var ex = Assert.Throws<InvalidDataFormatException>(() => IdxFile.ReadPair(images, labels));

        Assert.That(ex.FilePath, Is.EqualTo(labels));
        Assert.That(ex.Message, Does.Contain(labels).And.Contain(images)
            .And.Contain("holds 2 labels").And.Contain("holds 3 images"));
    }

    [Test]
    public void ReadBytes_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.ReadBytes(Path.Combine(_dir, "absent.idx")));
    }

    private static byte[] Idx(byte type, int[] dims, byte[] payload)
    {
        var bytes = new byte[4 + (4 * dims.Length) + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        payload.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(bytes);
        return output.ToArray();
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }
}
