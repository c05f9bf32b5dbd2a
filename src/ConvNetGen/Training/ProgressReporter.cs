using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConvNetGen;

/// <summary>
/// Keras' training progress: <c>938/938 ━━━━━━━━━━━━━━━━━━━━ 11.2s 11.9ms/step - accuracy: 0.8823 - loss: 0.3698</c>,
/// redrawn in place on a terminal, once per epoch otherwise.
/// </summary>
internal sealed class ProgressReporter
{
    private const int BarWidth = 20;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _output;
    private readonly bool _live;
    private readonly bool _silent;
    private readonly StringBuilder _line = new(160);
    private long _lastDraw;

    /// <summary>Text appended to the progress line, e.g. how many bad files a dataset skipped; null for none.</summary>
    public string? Suffix { get; set; }

    public ProgressReporter(Verbosity verbosity, TextWriter? output)
    {
        _output = output ?? Console.Out;
        _silent = verbosity == Verbosity.Silent;
        _live = verbosity == Verbosity.ProgressBar
            || (verbosity == Verbosity.Auto && output is null && !Console.IsOutputRedirected);
    }

    public void BeginEpoch(int epoch, int epochs)
    {
        if (_silent) return;
        _output.WriteLine($"Epoch {epoch}/{epochs}");
        _lastDraw = 0;
    }

    /// <summary>Called after each step; draws at most every 100 ms on a terminal, never when redirected.</summary>
    public void Step(int step, int steps, TimeSpan elapsed, IReadOnlyList<KeyValuePair<string, float>> values)
    {
        if (_silent || !_live) return;
        long now = Stopwatch.GetTimestamp();
        if (step < steps && Stopwatch.GetElapsedTime(_lastDraw, now) < RedrawInterval) return;
        _lastDraw = now;
        Format(step, steps, elapsed, values);
        _output.Write('\r');
        _output.Write(_line);
        _output.Flush();
    }

    public void EndEpoch(int steps, TimeSpan elapsed, IReadOnlyList<KeyValuePair<string, float>> values)
    {
        if (_silent) return;
        Format(steps, steps, elapsed, values);
        if (_live) _output.Write('\r');
        _output.WriteLine(_line);
    }

    private void Format(int step, int steps, TimeSpan elapsed, IReadOnlyList<KeyValuePair<string, float>> values)
    {
        var c = CultureInfo.InvariantCulture;
        int width = steps.ToString(c).Length;
        int filled = steps == 0 ? BarWidth : (int)((long)BarWidth * step / steps);
        _line.Clear()
            .Append(step.ToString(c).PadLeft(width)).Append('/').Append(steps.ToString(c)).Append(' ')
            .Append('━', filled).Append(' ', BarWidth - filled).Append(' ')
            .Append(elapsed.TotalSeconds.ToString("0.0", c)).Append("s ")
            .Append((elapsed.TotalMilliseconds / Math.Max(step, 1)).ToString("0.0", c)).Append("ms/step");
        foreach (var (name, value) in values)
            _line.Append(" - ").Append(name).Append(": ").Append(value.ToString("0.0000", c));
        if (Suffix is not null) _line.Append(Suffix);
    }
}
