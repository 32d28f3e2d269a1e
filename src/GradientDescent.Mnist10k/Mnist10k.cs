namespace GradientDescent;

/// <summary>
/// The 10,000 real MNIST digits this package carries (two IDX files, 1.6 MB), copied next to the app that
/// references it: <c>Mnist10k.Load(device)</c> gives 8000 training and 2000 test examples on a device.
/// </summary>
/// <remarks>
/// The files are the MNIST database's digits (Yann LeCun, Corinna Cortes and Christopher J. C. Burges), in
/// the standard IDX format, shuffled once; <c>data/mnist-10k/README.md</c> beside them gives their provenance.
/// For the full 60,000 + 10,000 MNIST or Fashion-MNIST, use <see cref="Mnist.LoadFolder"/> on a folder of the
/// standard files.
/// </remarks>
public static class Mnist10k
{
    /// <summary>Where the files are: <c>data/mnist-10k</c> under the app's base directory.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k");

    /// <summary>Reads the 10,000 digits on the host.</summary>
    /// <returns>The digits, (10000, 28, 28) bytes and 10000 labels.</returns>
    /// <exception cref="DirectoryNotFoundException">The files are not beside the app (the message says where they were looked for).</exception>
    /// <exception cref="InvalidDataFormatException">A file is damaged.</exception>
    public static MnistData Read()
    {
        string folder = RequireFolder();
        return MnistData.Read(Path.Combine(folder, Mnist.SampleImagesFile), Path.Combine(folder, Mnist.SampleLabelsFile));
    }

    /// <summary>
    /// Loads the digits onto a device: the first <paramref name="trainCount"/> train, the last
    /// <paramref name="testCount"/> test (8000 and 2000 by default; smaller values take a quick slice).
    /// </summary>
    /// <param name="device">Where the tensors live.</param>
    /// <param name="trainCount">How many leading examples to train on, at least 1.</param>
    /// <param name="testCount">How many trailing examples to test on; null for all after the training examples.</param>
    /// <returns>The split, owned by the caller: Train.Images is (trainCount, 784), Test.Images is (testCount, 784).</returns>
    /// <exception cref="DirectoryNotFoundException">The files are not beside the app.</exception>
    /// <exception cref="InvalidDataFormatException">A file is damaged.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The counts are below 1 or overlap.</exception>
    public static MnistSplit Load(ComputeDevice device, int trainCount = Mnist.SampleTrainCount, int? testCount = null) =>
        Mnist.LoadSample(device, RequireFolder(), trainCount, testCount);

    private static string RequireFolder()
    {
        string folder = Folder;
        if (!File.Exists(Path.Combine(folder, Mnist.SampleImagesFile)))
        {
            throw new DirectoryNotFoundException(
                $"The MNIST sample is not in {folder}: the GradientDescent.Mnist10k package copies data/mnist-10k next to the app "
                + "when the app references it (PackageReference or ProjectReference); a published app must include that folder.");
        }

        return folder;
    }
}
