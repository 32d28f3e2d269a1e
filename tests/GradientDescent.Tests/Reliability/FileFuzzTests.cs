using System.Buffers.Binary;
using System.IO.Compression;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Seeded random corruptions of valid IDX files and of a saved model: every load must either succeed
/// with a consistent result or throw <see cref="InvalidDataFormatException"/> naming the file, within a
/// time limit and an allocation bound (<see cref="FuzzRunner.AllocationBound"/>). Failures list the
/// seed and the corruption; <see cref="FoundBySeed_StaysFixed"/> replays single seeds.
/// </summary>
[TestFixture]
public sealed class FileFuzzTests
{
    private const int CasesPerFile = 1000;
    private const int ImagesSeeds = 100_000;
    private const int LabelsSeeds = 200_000;
    private const int ModelSeeds = 300_000;
    private const int SafetensorsSeeds = 400_000;
    private const int PairSize = 20;

    private string _dir = "";
    private string _imagesPath = "";
    private string _labelsPath = "";
    private FuzzTemplate _images = null!;
    private FuzzTemplate _labels = null!;
    private FuzzTemplate _model = null!;
    private ModelFileContents _modelContents = null!;
    private FuzzTemplate _safetensors = null!;

    private static ComputeDevice Device => TestDevices.Shared;

    [OneTimeSetUp]
    public void CreateValidFiles()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        string folder = Mnist10k.Folder;
        _images = IdxTemplate("images", ShippedSlice(Path.Combine(folder, Mnist.SampleImagesFile), 28 * 28));
        _labels = IdxTemplate("labels", ShippedSlice(Path.Combine(folder, Mnist.SampleLabelsFile), 1));
        _imagesPath = Path.Combine(_dir, "valid-images.idx");
        _labelsPath = Path.Combine(_dir, "valid-labels.idx");
        File.WriteAllBytes(_imagesPath, _images.Bytes);
        File.WriteAllBytes(_labelsPath, _labels.Bytes);

        string modelPath = Path.Combine(_dir, "valid.gdm");
        using (var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 8, Hidden = 5, Classes = 3, Seed = 7 }))
            net.Save(modelPath);
        _model = ModelFileFuzz.Template(File.ReadAllBytes(modelPath));
        _modelContents = ModelFile.Load(modelPath);

        string safetensorsPath = Path.Combine(_dir, "valid.safetensors");
        using (var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 8, Hidden = 5, Classes = 3, Seed = 7 }))
            net.SaveSafetensors(safetensorsPath, SafetensorsLayout.PyTorchSequential);
        _safetensors = SafetensorsFuzz.Template(File.ReadAllBytes(safetensorsPath));

        // The valid files must pass their own checks, and loading them once first keeps one-time costs
        // (static initialisers, first kernel use) out of the measured cases.
        var failures = FuzzRunner.Default().Run([0], _ => new CorruptFile(_images.Bytes, "valid images"), Scratch("warmup"), IdxLoaders(isImages: true));
        failures = [.. failures, .. FuzzRunner.Default().Run([0], _ => new CorruptFile(_model.Bytes, "valid model"), Scratch("warmup.gdm"), ModelLoaders())];
        failures = [.. failures, .. FuzzRunner.Default().Run([0], _ => new CorruptFile(_safetensors.Bytes, "valid safetensors"), Scratch("warmup.safetensors"), SafetensorsFuzzLoaders.For(Device))];
        Assert.That(failures, Is.Empty, "the uncorrupted files must load");
    }

    [OneTimeTearDown]
    public void DeleteFiles() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void IdxImages_SeededCorruptions_LoadConsistentlyOrThrowTheDocumentedException() =>
        AssertSurvives("images", Enumerable.Range(ImagesSeeds, CasesPerFile));

    [Test]
    public void IdxLabels_SeededCorruptions_LoadConsistentlyOrThrowTheDocumentedException() =>
        AssertSurvives("labels", Enumerable.Range(LabelsSeeds, CasesPerFile));

    [Test]
    public void ModelFile_SeededCorruptions_LoadConsistentlyOrThrowTheDocumentedException() =>
        AssertSurvives("model", Enumerable.Range(ModelSeeds, CasesPerFile));

    [Test]
    public void Safetensors_SeededCorruptions_LoadConsistentlyOrThrowTheDocumentedException() =>
        AssertSurvives("safetensors", Enumerable.Range(SafetensorsSeeds, CasesPerFile));

    /// <summary>Seeds that once found a bug, replayed alone; add a failing seed here to debug it.</summary>
    [TestCase("model", 300_017, Description = "an array renamed to \"\" (checksum valid): NamedArray threw ArgumentException")]
    [TestCase("model", 300_232, Description = "w1 dimension 8 → 9: a zero data word read as a name length gave an empty name")]
    public void FoundBySeed_StaysFixed(string target, int seed) => AssertSurvives(target, [seed]);

    private void AssertSurvives(string target, IEnumerable<int> seeds)
    {
        var (corrupt, loaders) = target switch
        {
            "images" => (random => CorruptIdx(_images, random), IdxLoaders(isImages: true)),
            "labels" => (random => CorruptIdx(_labels, random), IdxLoaders(isImages: false)),
            "model" => ((Func<Random, CorruptFile>)CorruptModel, ModelLoaders()),
            "safetensors" => (CorruptSafetensors, SafetensorsFuzzLoaders.For(Device)),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "images, labels, model or safetensors"),
        };

        var failures = FuzzRunner.Default().Run(seeds, corrupt, Scratch(target), loaders);

        if (failures.Count > 0)
            Assert.Fail($"{failures.Count} failures; the first ones:\n{string.Join("\n", failures.Take(20))}");
    }

    private string Scratch(string name) => Path.Combine(_dir, "corrupt-" + name);

    // Raw half the time; otherwise the corruption is gzipped (the reader's inflating path sees the bad
    // header) or the gzipped file is corrupted (the gzip layer must fail cleanly).
    private static CorruptFile CorruptIdx(FuzzTemplate valid, Random random)
    {
        switch (random.Next(4))
        {
            case 2:
                var inner = Corruptions.Apply(valid, random);
                return new CorruptFile(Gzip(inner.Bytes), $"gzip of ({inner.Description})");
            case 3:
                return Corruptions.Apply(GzipTemplate(valid), random);
            default:
                return Corruptions.Apply(valid, random);
        }
    }

    private CorruptFile CorruptModel(Random random)
    {
        // A corruption that leaves the structure readable is caught only by the checksum; recomputing it
        // half the time lets such files through to what follows: TwoLayerNet's checks of names and
        // shapes, or a load that succeeds and must then match the file.
        if (random.Next(5) < 2)
            return ModelFileFuzz.Mutate(_modelContents, random);
        var corrupt = Corruptions.Apply(_model, random);
        return random.Next(2) == 0 ? ModelFileFuzz.Resign(corrupt) : corrupt;
    }

    // 60% structural, 40% byte-level: a JSON header survives few byte flips intact, and the structural
    // mutations keep it parseable so the checks behind the parser (sizes, offsets, the net's shapes) are reached.
    private CorruptFile CorruptSafetensors(Random random)
    {
        random = SafetensorsFuzz.Decorrelated(random);
        return random.Next(5) < 3 ? SafetensorsFuzz.Mutate(_safetensors.Bytes, random) : Corruptions.Apply(_safetensors, random);
    }

    private FuzzLoader[] IdxLoaders(bool isImages) =>
    [
        FuzzLoader.Create(
            "MnistData.Read",
            input => isImages ? MnistData.Read(input.Path, _labelsPath) : MnistData.Read(_imagesPath, input.Path),
            (_, data) => CheckMnist(data),
            otherFilesLength: (isImages ? _labels : _images).Bytes.Length),
        FuzzLoader.Create(
            "IdxFile.ReadBytes(stream)",
            input => IdxFile.ReadBytes(new MemoryStream(input.Bytes, writable: false), input.Path),
            (_, data) => CheckIdx(data)),
    ];

    private static FuzzLoader[] ModelLoaders() =>
    [
        FuzzLoader.Create("ModelFile.Load", input => ModelFile.Load(input.Path), (_, contents) => CheckModel(contents)),
        FuzzLoader.Create("TwoLayerNet.Load", input => TwoLayerNet.Load(Device, input.Path), CheckNet),
    ];

    private static string? CheckMnist(MnistData data)
    {
        if (data.Pixels.Length != (long)data.Count * data.Features || data.Labels.Length != data.Count)
            return $"{data.Count} examples of {data.ImageRows}×{data.ImageColumns} but {data.Pixels.Length} pixels and {data.Labels.Length} labels";
        int label = data.Labels.IndexOfAnyInRange((byte)Mnist.Classes, byte.MaxValue);
        return label < 0 ? null : $"label {data.Labels[label]} at index {label} is not a digit";
    }

    private static string? CheckIdx(IdxData data)
    {
        long product = data.Dimensions.Aggregate(1L, (p, d) => p * d);
        return data.Dimensions.Count > 0 && data.Dimensions.All(d => d > 0) && product == data.Data.Length
            ? null
            : $"dimensions [{string.Join(", ", data.Dimensions)}] with {data.Data.Length} bytes of data";
    }

    private static string? CheckModel(ModelFileContents contents)
    {
        foreach (var array in contents.Arrays)
        {
            long product = array.Shape.Aggregate(1L, (p, d) => p * d);
            if (array.Name.Length == 0 || array.Shape.Any(d => d < 0) || product != array.Data.Length)
                return $"array '{array.Name}' of shape [{string.Join(", ", array.Shape)}] holds {array.Data.Length} values";
        }

        int distinct = contents.Arrays.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count();
        return distinct == contents.Arrays.Count ? null : "repeated array names";
    }

    private static string? CheckNet(FuzzInput input, TwoLayerNet net)
    {
        var contents = ModelFile.Load(input.Path);
        var w1 = contents.Get("w1");
        var w2 = contents.Get("w2");
        var o = net.Options;
        if ((o.Inputs, o.Hidden, o.Classes) != (w1.Shape[0], w1.Shape[1], w2.Shape[1]))
            return $"net {o.Inputs} → {o.Hidden} → {o.Classes} from w1 [{string.Join(", ", w1.Shape)}], w2 [{string.Join(", ", w2.Shape)}]";

        string[] order = o.UseBias ? ["w1", "b1", "w2", "b2"] : ["w1", "w2"];
        var saved = order.SelectMany(name => contents.Get(name).Data).Select(BitConverter.SingleToInt32Bits);
        var loaded = net.Parameters.SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits);
        return saved.SequenceEqual(loaded) ? null : "the parameters differ from the file's arrays";
    }

    // The first n items of a shipped file, as a raw IDX file: the header with the count patched, then n items.
    private static byte[] ShippedSlice(string gzipPath, int itemSize)
    {
        using var input = new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        input.CopyTo(raw);
        int header = 4 + (4 * raw.GetBuffer()[3]);
        var bytes = raw.GetBuffer()[..(header + (PairSize * itemSize))];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), PairSize);
        return bytes;
    }

    private static FuzzTemplate IdxTemplate(string name, byte[] bytes)
    {
        int rank = bytes[3];
        var dims = Enumerable.Range(0, rank).Select(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * i)))).ToArray();
        long elements = dims.Aggregate(1L, (p, d) => p * d);
        var fields = new List<HeaderField>
        {
            new("magic", 0, 4, BigEndian: true, BinaryPrimitives.ReadInt32BigEndian(bytes)),
            new("type byte", 2, 1, BigEndian: true, bytes[2]),
            new("rank byte", 3, 1, BigEndian: true, rank),
        };
        for (int i = 0; i < rank; i++)
            fields.Add(new($"dimension {i}", 4 + (4 * i), 4, BigEndian: true, dims[i], elements / dims[i]));
        return new FuzzTemplate($"IDX {name}", bytes, fields);
    }

    // RFC 1952: ID1 ID2 CM FLG at 0..3; the trailer is CRC32 and ISIZE, little-endian.
    private static FuzzTemplate GzipTemplate(FuzzTemplate raw)
    {
        var bytes = Gzip(raw.Bytes);
        int Le(int offset) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        HeaderField[] fields =
        [
            new("gzip ID2 byte", 1, 1, BigEndian: false, bytes[1]),
            new("gzip compression method", 2, 1, BigEndian: false, bytes[2]),
            new("gzip flags", 3, 1, BigEndian: false, bytes[3]),
            new("gzip CRC32", bytes.Length - 8, 4, BigEndian: false, Le(bytes.Length - 8)),
            new("gzip ISIZE", bytes.Length - 4, 4, BigEndian: false, Le(bytes.Length - 4)),
        ];
        return new FuzzTemplate($"gzipped {raw.Name}", bytes, fields);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(bytes);
        return output.ToArray();
    }
}
