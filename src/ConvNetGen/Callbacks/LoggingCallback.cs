using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ConvNetGen;

/// <summary>
/// Logs training to an <see cref="ILogger"/> (Microsoft.Extensions.Logging) instead of, or besides, the console: one
/// entry per epoch with what the console's epoch line shows (<c>Epoch 3 - 1.2s - loss: 0.3012 - accuracy: 0.9010 -
/// val_loss: …</c>), and one when training ends, with the last epoch's values. The entries are structured: <c>Epoch</c> (1-based, as the console
/// counts), <c>ElapsedSeconds</c> and <c>Logs</c> (the names and values as text). Pass
/// <c>verbose: Verbosity.Silent</c> to Fit to log only here.
/// </summary>
/// <remarks>Not thread-safe; see <see cref="Callback"/>. The logger is called on Fit's thread.</remarks>
public sealed class LoggingCallback : Callback
{
    private static readonly Action<ILogger, int, double, string, Exception?> EpochEnded =
        LoggerMessage.Define<int, double, string>(LogLevel.Information, new EventId(1, "EpochEnded"), "Epoch {Epoch} - {ElapsedSeconds}s - {Logs}");

    private static readonly Action<ILogger, int, string, Exception?> TrainingEnded =
        LoggerMessage.Define<int, string>(LogLevel.Information, new EventId(2, "TrainingEnded"), "Training ended after epoch {Epoch} - {Logs}");

    private readonly ILogger _logger;
    private long _epochStart;
    private int _lastEpoch;
    private string _lastLogs = "";

    /// <summary>A callback writing to <paramref name="logger"/>, at <see cref="LogLevel.Information"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is null.</exception>
    public LoggingCallback(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingLogs logs) => (_lastEpoch, _lastLogs) = (0, "");

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, TrainingLogs logs) => _epochStart = Stopwatch.GetTimestamp();

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, TrainingLogs logs)
    {
        _lastEpoch = epoch + 1;
        if (!_logger.IsEnabled(LogLevel.Information)) return;
        double seconds = Math.Round(Stopwatch.GetElapsedTime(_epochStart).TotalSeconds, 1);
        _lastLogs = Format(logs);
        EpochEnded(_logger, epoch + 1, seconds, _lastLogs, null);
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingLogs logs)
    {
        // Fit's end-of-training logs are empty, as Keras' are: repeat the last epoch's.
        if (_logger.IsEnabled(LogLevel.Information)) TrainingEnded(_logger, _lastEpoch, _lastLogs, null);
    }

    /// <summary>The console's format: <c>name: 0.0000</c> joined by <c> - </c>.</summary>
    private static string Format(TrainingLogs logs)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in logs)
        {
            if (text.Length > 0) text.Append(" - ");
            text.Append(name).Append(": ").Append(value.ToString("0.0000", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
