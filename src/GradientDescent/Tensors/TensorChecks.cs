namespace GradientDescent;

/// <summary>Validation at the public boundary: every message names the operation, the shapes and the values.</summary>
internal static class TensorChecks
{
    internal static void Live(string op, Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.IsDisposed)
        {
            throw new ObjectDisposedException(nameof(Tensor), $"{op}: {name} (shape {tensor.ShapeText}) has been disposed.");
        }
    }

    internal static void Rank(string op, Tensor tensor, string name, int rank)
    {
        Live(op, tensor, name);
        if (tensor.Rank != rank)
        {
            string what = rank switch { 0 => "a scalar", 1 => "a vector", _ => "a matrix" };
            throw new ArgumentException($"{op}: {name} must be {what} (rank {rank}), but has shape {tensor.ShapeText}.", name);
        }
    }

    internal static void SameShape(string op, Tensor a, string aName, Tensor b, string bName)
    {
        Live(op, a, aName);
        Live(op, b, bName);
        SameDevice(op, a, b);
        if (!a.Shape.SequenceEqual(b.Shape))
        {
            throw new ArgumentException($"{op}: {aName} has shape {a.ShapeText} but {bName} has shape {b.ShapeText}; they must match.", bName);
        }
    }

    internal static void SameDevice(string op, Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Device, b.Device))
        {
            throw new ArgumentException(
                $"{op}: tensors live on different devices ({a.Device} and {b.Device}); move one with ToArray and FromArray.");
        }
    }

    internal static void Labels(string op, Tensor logits, Labels labels) =>
        Labels(op, logits.Device, logits.Shape[0], logits.Shape[1], labels);

    internal static void Labels(string op, ComputeDevice device, int rows, int classes, Labels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ObjectDisposedException.ThrowIf(labels.IsDisposed, labels);
        if (!ReferenceEquals(device, labels.Device))
        {
            throw new ArgumentException($"{op}: tensors live on {device} but labels on {labels.Device}.", nameof(labels));
        }

        if (labels.Count != rows || labels.Classes != classes)
        {
            throw new ArgumentException(
                $"{op}: {rows} rows of {classes} classes need {rows} labels in 0..{classes - 1}, "
                + $"but got {labels.Count} labels for {labels.Classes} classes.", nameof(labels));
        }
    }

    internal static void Finite(string op, float value, string name)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{op}: {name} must be finite, but is {value}.");
        }
    }
}
