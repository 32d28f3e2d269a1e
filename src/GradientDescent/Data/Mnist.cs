namespace GradientDescent;

/// <summary>
/// Loads MNIST-format digits into tensors: images (n, 784) with pixels scaled to [0, 1], labels 0..9.
/// Reads a folder with the four standard files (MNIST or Fashion-MNIST: 60,000 train + 10,000 test), raw
/// or gzip-compressed, or the two files of the 10,000-digit sample (first 8000 train, last 2000 test) that
/// the <c>GradientDescent.Mnist10k</c> package carries.
/// </summary>
public static class Mnist
{
    /// <summary>The number of classes (digits 0..9).</summary>
    public const int Classes = 10;

    /// <summary>Pixels per 28×28 image: the input size of a network.</summary>
    public const int Features = 784;

    /// <summary>The sample's images file: (10000, 28, 28).</summary>
    public const string SampleImagesFile = "mnist-10k-images-idx3-ubyte.gz";

    /// <summary>The sample's labels file: (10000).</summary>
    public const string SampleLabelsFile = "mnist-10k-labels-idx1-ubyte.gz";

    /// <summary>How many of the sample's digits train by default; the rest (2000) are the test set.</summary>
    public const int SampleTrainCount = 8000;

    /// <summary>The standard training images file name (without <c>.gz</c>).</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte";

    /// <summary>The standard training labels file name (without <c>.gz</c>).</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";

    /// <summary>The standard test images file name (without <c>.gz</c>).</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte";

    /// <summary>The standard test labels file name (without <c>.gz</c>).</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";

    /// <summary>
    /// Loads the 10,000-digit sample: the first <paramref name="trainCount"/> train, the last
    /// <paramref name="testCount"/> test (8000 and 2000 by default; smaller values take a quick slice).
    /// </summary>
    /// <param name="device">Where the tensors live.</param>
    /// <param name="folder">The folder holding <see cref="SampleImagesFile"/> and <see cref="SampleLabelsFile"/> (<c>Mnist10k.Folder</c> where the sample package is referenced).</param>
    /// <param name="trainCount">How many leading examples to train on, at least 1.</param>
    /// <param name="testCount">How many trailing examples to test on; null for all after the training examples.</param>
    /// <returns>The split, owned by the caller: Train.Images is (trainCount, 784), Test.Images is (testCount, 784).</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A sample file is missing.</exception>
    /// <exception cref="InvalidDataFormatException">A file is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The counts are below 1 or overlap (trainCount + testCount exceeds the examples).</exception>
    public static MnistSplit LoadSample(ComputeDevice device, string folder, int trainCount = SampleTrainCount, int? testCount = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var all = MnistData.Read(Path.Combine(folder, SampleImagesFile), Path.Combine(folder, SampleLabelsFile));
        int tests = testCount ?? all.Count - trainCount;
        if (trainCount < 1 || tests < 1 || trainCount > all.Count - tests)
        {
            throw new ArgumentOutOfRangeException(nameof(trainCount),
                $"Cannot take {trainCount} training and {tests} test examples from the {all.Count} in {folder}: each needs at least 1 and together at most {all.Count}.");
        }

        return Split(device, all.Slice(0, trainCount), all.Slice(all.Count - tests, tests),
            $"{folder}: first {trainCount} train, last {tests} test (of {all.Count})");
    }

    /// <summary>
    /// Loads a folder with the standard MNIST files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each raw or with <c>.gz</c>), or, when those are
    /// absent, the shipped 10k files with the 8000/2000 split.
    /// </summary>
    /// <param name="device">Where the tensors live.</param>
    /// <param name="folder">The folder.</param>
    /// <returns>The split, owned by the caller: train and test images are (n, 784).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds neither set of files; the message lists the names looked for.</exception>
    /// <exception cref="InvalidDataFormatException">A file is malformed.</exception>
    public static MnistSplit LoadFolder(ComputeDevice device, string folder)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The MNIST folder '{folder}' does not exist.");
        }

        string[] names = [TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile];
        var found = names.Select(name => FindFile(folder, name)).ToArray();
        if (found.All(path => path is not null))
        {
            var train = MnistData.Read(found[0]!, found[1]!);
            var test = MnistData.Read(found[2]!, found[3]!);
            return Split(device, train, test, $"{folder}: {train.Count} train ({TrainImagesFile}), {test.Count} test ({TestImagesFile})");
        }

        if (File.Exists(Path.Combine(folder, SampleImagesFile)))
        {
            return LoadSample(device, folder);
        }

        var missing = names.Where((_, i) => found[i] is null).Select(name => $"{name}[.gz]");
        throw new FileNotFoundException(
            $"The folder '{folder}' does not hold the standard MNIST files: missing {string.Join(", ", missing)} "
            + $"(nor the shipped {SampleImagesFile}).");
    }

    /// <summary>The path of <paramref name="name"/> in <paramref name="folder"/>, raw or with <c>.gz</c>; also accepts the <c>train-images.idx3-ubyte</c> spelling some copies use.</summary>
    private static string? FindFile(string folder, string name)
    {
        string dotted = name.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { name, name + ".gz", dotted, dotted + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static MnistSplit Split(ComputeDevice device, MnistData train, MnistData test, string description)
    {
        if (train.Features != test.Features)
        {
            throw new InvalidDataFormatException(test.Source,
                $"test images are {test.ImageRows}×{test.ImageColumns} but training images are {train.ImageRows}×{train.ImageColumns}.");
        }

        var trainSet = train.ToDevice(device);
        try
        {
            return new MnistSplit(trainSet, test.ToDevice(device), description);
        }
        catch
        {
            trainSet.Dispose();
            throw;
        }
    }
}
