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
    // Keras sizes the columns from positions of a line of min(88 or 108, terminal width - 4) characters; with no
    // terminal Python assumes 80, so lines are 76 wide and rich shrinks the columns to these content widths (its
    // ratio_reduce of the excess). Ours grow where a cell is wider instead of wrapping it.
    private const int MinLayerWidth = 31, MinShapeWidth = 22, MinParamWidth = 13; // sequential: [0.45, 0.80, 1.0]
    private const int GraphLayerWidth = 19, GraphShapeWidth = 17, GraphParamWidth = 10, GraphConnectedWidth = 17; // functional: [0.3, 0.56, 0.74, 1.0]

    /// <summary>One row: <c>conv2d (Conv2D)</c>, <c>(None, 26, 26, 32)</c>, 320, and for a graph the layers it reads.</summary>
    internal readonly struct Row
    {
        /// <param name="layer">Name and type, e.g. <c>conv2d (Conv2D)</c>.</param>
        /// <param name="shape">The output shape with the batch axis, e.g. <c>(None, 26, 26, 32)</c>.</param>
        /// <param name="parameters">Keras' "Param #".</param>
        /// <param name="connections">
        /// The names of the layers it reads, in order (the input layer's name for the model's input); null or empty for
        /// the input layer itself, which shows <c>-</c>. Only drawn when <see cref="Format"/> is asked for connections.
        /// </param>
        public Row(string layer, string shape, long parameters, IReadOnlyList<string>? connections = null)
        {
            Layer = layer;
            Shape = shape;
            Parameters = parameters;
            Connections = connections;
        }

        public string Layer { get; }
        public string Shape { get; }
        public long Parameters { get; }
        public IReadOnlyList<string>? Connections { get; }
    }

    /// <summary>
    /// The whole summary, lines separated by '\n', ending with the non-trainable count. With
    /// <paramref name="connected"/> it is a functional model's: a fourth column "Connected to" lists each row's
    /// connections as <c>name[0][0]</c>, one per line (all but the last followed by ',', where Keras wraps
    /// <c>a[0][0], b[0][0]</c>), and <c>-</c> for a row without any.
    /// </summary>
    public static string Format(string modelName, IReadOnlyList<Row> rows, long trainable, long nonTrainable, bool connected = false)
    {
        var widths = connected
            ? new[] { GraphLayerWidth, GraphShapeWidth, GraphParamWidth, GraphConnectedWidth }
            : new[] { MinLayerWidth, MinShapeWidth, MinParamWidth };
        var cells = new List<string[]>[rows.Count]; // per row, per line, one text per column
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var lines = new List<string[]>();
            string[] connections = connected ? Connections(row.Connections) : new[] { "" }; // one line, its fourth text not drawn
            for (int l = 0; l < connections.Length; l++)
            {
                var line = l == 0
                    ? new[] { row.Layer, row.Shape, Count(row.Parameters), connections[0] }
                    : new[] { "", "", "", connections[l] }; // a row's further lines only continue its connections
                lines.Add(line);
                for (int c = 0; c < widths.Length; c++) widths[c] = Math.Max(widths[c], line[c].Length);
            }
            cells[r] = lines;
        }

        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(modelName).Append("\"\n");
        Rule(sb, '┏', '━', '┳', '┓', widths);
        var header = connected
            ? new[] { "Layer (type)", "Output Shape", "Param #", "Connected to" }
            : new[] { "Layer (type)", "Output Shape", "Param #" };
        Line(sb, '┃', header, widths);
        Rule(sb, '┡', '━', '╇', '┩', widths);
        for (int r = 0; r < rows.Count; r++)
        {
            if (r > 0) Rule(sb, '├', '─', '┼', '┤', widths);
            foreach (var line in cells[r]) Line(sb, '│', line, widths);
        }
        Rule(sb, '└', '─', '┴', '┘', widths);
        long total = trainable + nonTrainable;
        sb.Append(" Total params: ").Append(Count(total)).Append(" (").Append(Bytes(total * 4)).Append(")\n");
        sb.Append(" Trainable params: ").Append(Count(trainable)).Append(" (").Append(Bytes(trainable * 4)).Append(")\n");
        sb.Append(" Non-trainable params: ").Append(Count(nonTrainable)).Append(" (").Append(Bytes(nonTrainable * 4)).Append(')');
        return sb.ToString();
    }

    /// <summary>A row's connections as Keras writes them, one per line: <c>conv2d[0][0],</c>, <c>conv2d_1[0][0]</c>; <c>-</c> when there are none.</summary>
    private static string[] Connections(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0) return new[] { "-" };
        var lines = new string[names.Count];
        // Node and tensor index are always 0: each layer is called once and gives one tensor.
        for (int i = 0; i < names.Count; i++) lines[i] = names[i] + "[0][0]" + (i < names.Count - 1 ? "," : "");
        return lines;
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

    private static void Rule(StringBuilder sb, char left, char line, char cross, char right, int[] widths)
    {
        sb.Append(left);
        for (int c = 0; c < widths.Length; c++)
        {
            if (c > 0) sb.Append(cross);
            sb.Append(line, widths[c] + 2);
        }
        sb.Append(right).Append('\n');
    }

    // Param # is right-aligned, the other columns left-aligned, as in Keras.
    private static void Line(StringBuilder sb, char border, string[] texts, int[] widths)
    {
        for (int c = 0; c < widths.Length; c++)
            sb.Append(c == 0 ? border + " " : " " + border + " ").Append(c == 2 ? texts[c].PadLeft(widths[c]) : texts[c].PadRight(widths[c]));
        sb.Append(' ').Append(border).Append('\n');
    }
}
