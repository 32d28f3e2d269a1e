using System.Globalization;
using System.Text;

namespace GradientDescent;

/// <summary>Builds <see cref="Tensor.ToString"/>: for a matrix, copies only the rows it shows.</summary>
internal static class TensorFormatter
{
    private const int Edge = 3;

    internal static string Format(Tensor tensor)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"<Tensor: shape={tensor.ShapeText}, device={ComputeDevice.KindName(tensor.Device.Kind)}:{tensor.Device.Index}, values=");
        switch (tensor.Rank)
        {
            case 0:
                text.Append(Number(tensor.Item()));
                break;
            case 2:
                AppendMatrix(text, tensor);
                break;
            default:
                // Higher ranks print flat: ops are defined on rank 0-2, and a reshape shows the rest.
                AppendRow(text, tensor.ToArray());
                break;
        }

        return text.Append('>').ToString();
    }

    private static void AppendMatrix(StringBuilder text, Tensor tensor)
    {
        int rows = tensor.Shape[0];
        text.Append('[');
        var shown = rows <= 2 * Edge
            ? Enumerable.Range(0, rows)
            : Enumerable.Range(0, Edge).Concat(Enumerable.Range(rows - Edge, Edge));
        bool first = true;
        foreach (int r in shown)
        {
            if (!first)
            {
                text.Append(",\n    ");
            }

            if (rows > 2 * Edge && r == rows - Edge)
            {
                text.Append("...,\n    ");
            }

            first = false;
            using var row = tensor.Rows(r, 1);
            AppendRow(text, row.ToArray());
        }

        text.Append(']');
    }

    private static void AppendRow(StringBuilder text, float[] values)
    {
        text.Append('[');
        if (values.Length <= 2 * Edge)
        {
            text.AppendJoin(", ", values.Select(Number));
        }
        else
        {
            text.AppendJoin(", ", values[..Edge].Select(Number));
            text.Append(", ..., ");
            text.AppendJoin(", ", values[^Edge..].Select(Number));
        }

        text.Append(']');
    }

    private static string Number(float value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
