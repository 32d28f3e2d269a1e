namespace GradientDescent;

/// <summary>A training set and a held-out test set on one device, as <see cref="Mnist"/> loads them.</summary>
/// <remarks>Owns both sets; disposing the split frees them.</remarks>
public sealed class MnistSplit : IDisposable
{
    /// <summary>Pairs a training set with a test set; the split takes ownership of both.</summary>
    /// <param name="train">The examples to train on.</param>
    /// <param name="test">The held-out examples to measure accuracy on.</param>
    /// <param name="description">What was loaded, for example <c>data/mnist-10k: first 8000 train, last 2000 test</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public MnistSplit(MnistSet train, MnistSet test, string description)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(description);
        Train = train;
        Test = test;
        Description = description;
    }

    /// <summary>The training examples.</summary>
    public MnistSet Train { get; }

    /// <summary>The held-out test examples.</summary>
    public MnistSet Test { get; }

    /// <summary>What was loaded and how it was split.</summary>
    public string Description { get; }

    /// <summary>Frees both sets; harmless to call twice.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
