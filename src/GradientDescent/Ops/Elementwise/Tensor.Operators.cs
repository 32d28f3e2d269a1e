namespace GradientDescent;

// C# operators must be declared in the type, so the operations layer contributes this part of Tensor; each
// operator is the Ops method it names, recorded by tapes like any other call (see docs/architecture.md).
#pragma warning disable CA2225 // The named alternates are the Ops methods each operator calls (Ops.Add, Ops.Subtract, …).
public sealed partial class Tensor
{
    /// <summary><c>a + b</c>, broadcasting; see <see cref="Ops.Add(Tensor, Tensor)"/>.</summary>
    /// <param name="a">Rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary><c>x + s</c>; see <see cref="Ops.Add(Tensor, float)"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator +(Tensor x, float s) => Ops.Add(x, s);

    /// <summary><c>s + x</c>; see <see cref="Ops.Add(Tensor, float)"/>.</summary>
    /// <param name="s">A finite scalar.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator +(float s, Tensor x) => Ops.Add(x, s);

    /// <summary><c>a − b</c>, broadcasting; see <see cref="Ops.Subtract(Tensor, Tensor)"/>.</summary>
    /// <param name="a">Rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Subtract(a, b);

    /// <summary><c>x − s</c>; see <see cref="Ops.Subtract(Tensor, float)"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator -(Tensor x, float s) => Ops.Subtract(x, s);

    /// <summary><c>s − x</c>; see <see cref="Ops.Subtract(float, Tensor)"/>.</summary>
    /// <param name="s">A finite scalar.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator -(float s, Tensor x) => Ops.Subtract(s, x);

    /// <summary><c>−x</c>; see <see cref="Ops.Negate"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator -(Tensor x) => Ops.Negate(x);

    /// <summary><c>a·b</c> elementwise, broadcasting; see <see cref="Ops.Multiply(Tensor, Tensor)"/> (for the matrix product, <see cref="Ops.MatMul"/>).</summary>
    /// <param name="a">Rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Multiply(a, b);

    /// <summary><c>x·s</c>; see <see cref="Ops.Multiply(Tensor, float)"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite factor.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator *(Tensor x, float s) => Ops.Multiply(x, s);

    /// <summary><c>s·x</c>, as in <c>learning_rate * dw</c>; see <see cref="Ops.Multiply(Tensor, float)"/>.</summary>
    /// <param name="s">A finite factor.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator *(float s, Tensor x) => Ops.Multiply(x, s);

    /// <summary><c>a / b</c> elementwise, broadcasting; see <see cref="Ops.Divide(Tensor, Tensor)"/>.</summary>
    /// <param name="a">Rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Divide(a, b);

    /// <summary><c>x / s</c>; see <see cref="Ops.Divide(Tensor, float)"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite, non-zero divisor.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator /(Tensor x, float s) => Ops.Divide(x, s);

    /// <summary><c>s / x</c>; see <see cref="Ops.Divide(float, Tensor)"/>.</summary>
    /// <param name="s">A finite scalar.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor operator /(float s, Tensor x) => Ops.Divide(s, x);
}
#pragma warning restore CA2225
