using ILGPU.Runtime;

namespace GradientDescent;

public sealed partial class Tensor
{
    /// <summary>Copies host floats to a new tensor of the given shape.</summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="data">Row-major values; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The shape; empty for a scalar.</param>
    /// <returns>A tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">A non-positive extent, or a length that does not match the shape.</exception>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public static Tensor FromArray(ComputeDevice device, ReadOnlySpan<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ShapeMath.Validate(shape);
        RequireLength(data.Length, shape, nameof(data));
        return Created(nameof(FromArray), device, data, shape);
    }

    /// <summary>Copies host floats to a new vector.</summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="data">The values; at least one.</param>
    /// <returns>A (data.Length,) tensor the caller owns.</returns>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty.</exception>
    public static Tensor FromArray(ComputeDevice device, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromArray(device, data, data.Length);
    }

    /// <summary>
    /// Casts bytes to floats, multiplied by <paramref name="scale"/> (MNIST pixels: <c>scale = 1/255f</c>),
    /// like <c>tf.cast(x, tf.float32) / 255</c>.
    /// </summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="data">Row-major bytes; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="scale">The factor applied to every byte.</param>
    /// <returns>A tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">A non-positive extent, or a length that does not match the shape.</exception>
    public static Tensor FromBytes(ComputeDevice device, ReadOnlySpan<byte> data, int[] shape, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(device);
        ShapeMath.Validate(shape);
        RequireLength(data.Length, shape, nameof(data));
        var floats = new float[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            floats[i] = data[i] * scale;
        }

        return FromArray(device, floats, shape);
    }

    /// <summary>A tensor of zeros.</summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="shape">The shape.</param>
    /// <returns>A tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">A non-positive extent.</exception>
    public static Tensor Zeros(ComputeDevice device, params int[] shape)
    {
        var tensor = Uninitialized(device, shape);
        using var scope = device.Lock();
        tensor.View.MemSetToZero();
        return tensor;
    }

    /// <summary>A tensor whose every element is <paramref name="value"/>.</summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="value">The value.</param>
    /// <param name="shape">The shape.</param>
    /// <returns>A tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">A non-positive extent.</exception>
    /// <remarks>Filled from the host (a device memset only writes bytes): for zeros, <see cref="Zeros"/> is cheaper.</remarks>
    public static Tensor Constant(ComputeDevice device, float value, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ShapeMath.Validate(shape);
        var values = new float[ShapeMath.Product(shape)];
        Array.Fill(values, value);
        return Created(nameof(Constant), device, values, shape);
    }

    /// <summary>A scalar (shape <c>()</c>).</summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="value">The value.</param>
    /// <returns>A tensor the caller owns.</returns>
    public static Tensor Scalar(ComputeDevice device, float value) => FromArray(device, [value], []);

    /// <summary>
    /// Seeded normal samples <c>mean + std·N(0, 1)</c>, like <c>tf.random.normal</c>. The same seed gives
    /// the same values on every device (they are drawn on the host with SplitMix64 and Box–Muller).
    /// The tutorial's <c>tf.Variable(tf.random.normal(shape) * 0.0001)</c> is
    /// <c>RandomNormal(device, shape, std: 1e-4f)</c>.
    /// </summary>
    /// <param name="device">Where the tensor lives.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation; not negative.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>A tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">A non-positive extent.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite, or <paramref name="mean"/> is not finite.</exception>
    public static Tensor RandomNormal(ComputeDevice device, int[] shape, float mean = 0f, float std = 1f, ulong seed = 0)
    {
        if (!float.IsFinite(std) || std < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be finite and not negative.");
        }

        if (!float.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be finite.");
        }

        ShapeMath.Validate(shape);
        var values = new float[ShapeMath.Product(shape)];
        var random = new NormalSampler(seed);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(mean + (std * random.Next()));
        }

        return FromArray(device, values, shape);
    }

    /// <summary>A new tensor holding <paramref name="data"/>, checked when numeric checks are on (and freed if the check fails).</summary>
    private static Tensor Created(string factory, ComputeDevice device, ReadOnlySpan<float> data, int[] shape)
    {
        var tensor = Uninitialized(device, shape);
        try
        {
            using (device.Lock())
            {
                tensor.View.CopyFromCPU(data);
            }
        }
        catch
        {
            tensor.Release();
            throw;
        }

        return NumericsCheck.VerifyNew(factory, tensor);
    }

    private static void RequireLength(int length, int[] shape, string parameter)
    {
        int expected = ShapeMath.Product(shape);
        if (length != expected)
        {
            throw new ArgumentException(
                $"{length} values cannot fill shape {ShapeMath.Format(shape)}, which holds {expected}.", parameter);
        }
    }
}
