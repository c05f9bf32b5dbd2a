using ConvNetGen;

namespace Mnist;

/// <summary>
/// Draws a <see cref="History"/> as Keras users plot <c>history.history</c>: one line per name against the epoch
/// (from 1), losses on the left axis and the other metrics on the right, validation dashed.
/// </summary>
internal static class HistoryPlot
{
    public static void Save(History history, string path)
    {
        var epochs = history.Epoch.Select(e => (double)(e + 1)).ToArray();
        var plot = new ScottPlot.Plot();
        foreach (string name in history.Keys.Where(k => k != "learning_rate").Order(StringComparer.Ordinal))
        {
            var line = plot.Add.Scatter(epochs, history[name].Select(v => (double)v).ToArray());
            line.LegendText = name;
            if (name.StartsWith("val_", StringComparison.Ordinal)) line.LinePattern = ScottPlot.LinePattern.Dashed;
            if (!name.EndsWith("loss", StringComparison.Ordinal)) line.Axes.YAxis = plot.Axes.Right;
        }
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "metrics";
        plot.ShowLegend();
        // Written beside the target, then moved over it: a half-written PNG never takes the old one's place.
        string temporary = path + ".tmp.png";
        plot.SavePng(temporary, 800, 450);
        File.Move(temporary, path, overwrite: true);
    }
}
