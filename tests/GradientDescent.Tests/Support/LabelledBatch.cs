namespace GradientDescent.Tests;

/// <summary>Inputs (rows, features) and their labels on one device, disposed together.</summary>
internal sealed record LabelledBatch(Tensor X, Labels Labels) : IDisposable
{
    public void Dispose()
    {
        X.Dispose();
        Labels.Dispose();
    }
}
