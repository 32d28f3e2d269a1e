using System.Globalization;
using System.Text;

namespace GradientDescent;

/// <summary>Builds <see cref="Tensor.ToString()"/>: for a matrix, copies only the rows it shows.</summary>
internal static class TensorFormatter
{
    internal static string Format(Tensor tensor, TensorPrintOptions options)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"<Tensor: shape={tensor.ShapeText}, device={ComputeDevice.KindName(tensor.Device.Kind)}:{tensor.Device.Index}, values=");
        switch (tensor.Rank)
        {
            case 0:
                text.Append(Number(tensor.Item(), options));
                break;
            case 2:
                AppendMatrix(text, tensor, options);
                break;
            default:
                // Higher ranks print flat: ops are defined on rank 0-2, and a reshape shows the rest.
                AppendRow(text, tensor.ToArray(), options);
                break;
        }

        return text.Append('>').ToString();
    }

    private static void AppendMatrix(StringBuilder text, Tensor tensor, TensorPrintOptions options)
    {
        int rows = tensor.Shape[0], cols = tensor.Shape[1];
        int edge = options.EdgeItems;
        bool summarised = !options.ShowAll && rows > 2 * edge;
        text.Append('[');
        var shown = summarised
            ? Enumerable.Range(0, edge).Concat(Enumerable.Range(rows - edge, edge))
            : Enumerable.Range(0, rows);
        bool first = true;
        foreach (int r in shown)
        {
            if (!first)
            {
                text.Append(",\n    ");
            }

            if (summarised && r == rows - edge)
            {
                text.Append("...,\n    ");
            }

            first = false;
            // An internal view, not Rows: printing is no operation and records nothing.
            AppendRow(text, Tensor.ViewOf(tensor, r * cols, [cols]).ToArray(), options);
        }

        text.Append(']');
    }

    private static void AppendRow(StringBuilder text, float[] values, TensorPrintOptions options)
    {
        int edge = options.EdgeItems;
        text.Append('[');
        if (options.ShowAll || values.Length <= 2 * edge)
        {
            text.AppendJoin(", ", values.Select(v => Number(v, options)));
        }
        else
        {
            text.AppendJoin(", ", values[..edge].Select(v => Number(v, options)));
            text.Append(", ..., ");
            text.AppendJoin(", ", values[^edge..].Select(v => Number(v, options)));
        }

        text.Append(']');
    }

    private static string Number(float value, TensorPrintOptions options) =>
        value.ToString("G" + options.Precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
