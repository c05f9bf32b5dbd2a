// Shared by the runtime (a model's current summary) and the generator (the build-time Summary literal), so both
// draw the same table. Keep it plain C# that compiles for netstandard2.0.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ConvNetGen;

/// <summary>Draws Keras 3's model summary table.</summary>
internal static class SummaryTable
{
    private const int MinLayerWidth = 31, MinShapeWidth = 22, MinParamWidth = 13;

    /// <summary>One row: <c>conv2d (Conv2D)</c>, <c>(None, 26, 26, 32)</c>, 320.</summary>
    internal readonly struct Row
    {
        public Row(string layer, string shape, long parameters)
        {
            Layer = layer;
            Shape = shape;
            Parameters = parameters;
        }

        public string Layer { get; }
        public string Shape { get; }
        public long Parameters { get; }
    }

    /// <summary>The whole summary, lines separated by '\n', ending with the non-trainable count.</summary>
    public static string Format(string modelName, IReadOnlyList<Row> rows, long trainable, long nonTrainable)
    {
        int w1 = MinLayerWidth, w2 = MinShapeWidth, w3 = MinParamWidth;
        foreach (var row in rows)
        {
            w1 = Math.Max(w1, row.Layer.Length);
            w2 = Math.Max(w2, row.Shape.Length);
            w3 = Math.Max(w3, Count(row.Parameters).Length);
        }

        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(modelName).Append("\"\n");
        Rule(sb, '┏', '━', '┳', '┓', w1, w2, w3);
        sb.Append("┃ ").Append("Layer (type)".PadRight(w1)).Append(" ┃ ").Append("Output Shape".PadRight(w2))
          .Append(" ┃ ").Append("Param #".PadLeft(w3)).Append(" ┃\n");
        Rule(sb, '┡', '━', '╇', '┩', w1, w2, w3);
        for (int i = 0; i < rows.Count; i++)
        {
            if (i > 0) Rule(sb, '├', '─', '┼', '┤', w1, w2, w3);
            sb.Append("│ ").Append(rows[i].Layer.PadRight(w1)).Append(" │ ").Append(rows[i].Shape.PadRight(w2))
              .Append(" │ ").Append(Count(rows[i].Parameters).PadLeft(w3)).Append(" │\n");
        }
        Rule(sb, '└', '─', '┴', '┘', w1, w2, w3);
        long total = trainable + nonTrainable;
        sb.Append(" Total params: ").Append(Count(total)).Append(" (").Append(Bytes(total * 4)).Append(")\n");
        sb.Append(" Trainable params: ").Append(Count(trainable)).Append(" (").Append(Bytes(trainable * 4)).Append(")\n");
        sb.Append(" Non-trainable params: ").Append(Count(nonTrainable)).Append(" (").Append(Bytes(nonTrainable * 4)).Append(')');
        return sb.ToString();
    }

    /// <summary>Keras' shape notation with the batch axis: <c>(None, 26, 26, 32)</c>.</summary>
    public static string FormatShape(IReadOnlyList<int> dimensions)
    {
        var sb = new StringBuilder("(None");
        foreach (int d in dimensions) sb.Append(", ").Append(d.ToString(CultureInfo.InvariantCulture));
        return sb.Append(')').ToString();
    }

    /// <summary>A count with thousands separators, as Keras prints it: <c>104,202</c>.</summary>
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Keras' readable memory size: 1024-based units with two decimals, e.g. <c>407.04 KB</c>.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double size = bytes;
        int unit = 0;
        while (size / 1024 >= 1 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }
        return size.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static void Rule(StringBuilder sb, char left, char line, char cross, char right, int w1, int w2, int w3)
    {
        sb.Append(left).Append(line, w1 + 2).Append(cross).Append(line, w2 + 2).Append(cross).Append(line, w3 + 2)
          .Append(right).Append('\n');
    }
}
