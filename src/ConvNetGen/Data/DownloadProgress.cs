using System.Diagnostics;
using System.Globalization;

namespace ConvNetGen;

/// <summary>
/// Shows one download's progress: a redrawn text bar on a terminal, or a single line when the output is
/// redirected to a file or a pipe (where a redrawn bar would leave hundreds of lines).
/// </summary>
internal sealed class DownloadProgress
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter? _output;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private bool _lineOpen;

    /// <param name="output">Where to write, usually standard error; null to stay silent.</param>
    /// <param name="interactive">True to redraw a bar (a terminal), false for one line (redirected output).</param>
    /// <param name="label">What is downloaded, e.g. its URL.</param>
    /// <param name="total">The expected size in bytes.</param>
    public DownloadProgress(TextWriter? output, bool interactive, string label, long total)
    {
        _output = output;
        _interactive = interactive;
        _label = label;
        _total = Math.Max(1, total);
    }

    public void Start()
    {
        if (_output is null) return;
        if (_interactive)
        {
            _output.WriteLine($"Downloading {_label}");
            Draw(0);
        }
        else
        {
            _output.Write(Invariant($"Downloading {_label} ({SizeText(_total)}) ... "));
        }
        _lineOpen = true;
    }

    public void Report(long bytes)
    {
        if (_output is null || !_interactive || _sinceRedraw.Elapsed < RedrawInterval) return;
        _sinceRedraw.Restart();
        Draw(bytes);
    }

    /// <summary>Ends the line with <paramref name="outcome"/>, e.g. "SHA-256 verified" or "failed".</summary>
    public void Finish(long bytes, string outcome)
    {
        if (_output is null || !_lineOpen) return;
        if (_interactive)
        {
            Draw(bytes);
            _output.WriteLine("  " + outcome);
        }
        else
        {
            _output.WriteLine(bytes == _total ? outcome : Invariant($"{outcome} after {SizeText(bytes)}"));
        }
        _output.Flush();
        _lineOpen = false;
    }

    private void Draw(long bytes)
    {
        double fraction = Math.Clamp((double)bytes / _total, 0, 1);
        int filled = (int)(fraction * BarWidth);
        string bar = new string('=', filled) + (filled < BarWidth ? ">" + new string(' ', BarWidth - filled - 1) : "");
        _output!.Write(Invariant($"\r[{bar}] {fraction * 100,3:0}%  {SizeText(bytes)} / {SizeText(_total)}"));
        _output.Flush();
    }

    private static string SizeText(long bytes) => bytes < 1_000_000 ? Invariant($"{bytes / 1e3:0.0} kB") : Invariant($"{bytes / 1e6:0.0} MB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
