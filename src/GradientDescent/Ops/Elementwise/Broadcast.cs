namespace GradientDescent;

/// <summary>
/// NumPy's broadcasting for tensors of rank ≤ 2: shapes are aligned at their last dimension, and each pair
/// of extents must be equal or one of them 1, which then repeats. A scalar broadcasts everywhere, a row
/// <c>(c,)</c> or <c>(1, c)</c> over the rows of an <c>(r, c)</c> matrix, a column <c>(r, 1)</c> over its columns.
/// </summary>
/// <remarks>
/// Kernels see every operand as a (rows, cols) matrix read through strides: element (r, c) is at
/// <c>r·RowStride + c·ColumnStride</c>, with a stride of 0 along a broadcast dimension, so one kernel
/// serves every combination without copying.
/// </remarks>
internal readonly record struct Broadcast(int[] Shape, int Rows, int Columns)
{
    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">A rank above 2, or extents that are neither equal nor 1 (the message names both shapes).</exception>
    internal static Broadcast Of(string op, Tensor a, Tensor b)
    {
        if (a.Rank > 2 || b.Rank > 2)
        {
            throw new ArgumentException(
                $"{op}: broadcasting works on tensors of rank 2 or less, but a has shape {a.ShapeText} and b has shape {b.ShapeText}; reshape them first.");
        }

        int rank = Math.Max(a.Rank, b.Rank);
        var shape = new int[rank];
        for (int d = 1; d <= rank; d++)
        {
            int x = d <= a.Rank ? a.Shape[a.Rank - d] : 1;
            int y = d <= b.Rank ? b.Shape[b.Rank - d] : 1;
            if (x != y && x != 1 && y != 1)
            {
                throw new ArgumentException(
                    $"{op}: a has shape {a.ShapeText} and b has shape {b.ShapeText}, which do not broadcast: extents {x} and {y} differ and neither is 1 "
                    + "(a scalar, a row (cols,) or (1, cols), or a column (rows, 1) broadcasts against a (rows, cols) matrix).");
            }

            shape[rank - d] = Math.Max(x, y);
        }

        return FromShape(shape);
    }

    /// <summary>The (rows, cols) view of an output of this shape (a scalar is 1×1, a vector one row).</summary>
    internal static Broadcast FromShape(int[] shape) => shape.Length switch
    {
        0 => new Broadcast(shape, 1, 1),
        1 => new Broadcast(shape, 1, shape[0]),
        _ => new Broadcast(shape, shape[0], shape[1]),
    };

    internal int Length => Rows * Columns;

    /// <summary>How <paramref name="operand"/> is read: its strides against this output.</summary>
    internal OperandLayout Layout(Tensor operand)
    {
        var (rows, cols) = operand.Rank switch
        {
            0 => (1, 1),
            1 => (1, operand.Shape[0]),
            _ => (operand.Shape[0], operand.Shape[1]),
        };
        return new OperandLayout(rows == 1 && Rows > 1 ? 0 : cols, cols == 1 && Columns > 1 ? 0 : 1,
            SumsRows: rows == 1 && Rows > 1, SumsColumns: cols == 1 && Columns > 1);
    }
}

/// <summary>How one operand is read under broadcasting, and which dimensions its gradient sums over.</summary>
/// <param name="RowStride">Elements between rows (0 when the operand repeats over rows).</param>
/// <param name="ColumnStride">Elements between columns (0 when it repeats over columns).</param>
/// <param name="SumsRows">Whether its gradient sums the output gradient over rows.</param>
/// <param name="SumsColumns">Whether its gradient sums over columns.</param>
internal readonly record struct OperandLayout(int RowStride, int ColumnStride, bool SumsRows, bool SumsColumns)
{
    /// <summary>Whether the operand is read element for element, like the output.</summary>
    internal bool IsDense => !SumsRows && !SumsColumns;
}
