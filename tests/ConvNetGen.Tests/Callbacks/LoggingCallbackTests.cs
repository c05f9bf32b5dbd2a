using System.Globalization;
using ConvNetGen.Tests.Training;
using Microsoft.Extensions.Logging;

namespace ConvNetGen.Tests.Callbacks;

using Losses = global::ConvNetGen.Losses;

public sealed class LoggingCallbackTests
{
    /// <summary>Keeps what is logged: level, event, message and the structured values.</summary>
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, EventId Event, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = [];
        public LogLevel Minimum { get; init; } = LogLevel.Trace;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId, formatter(state, exception), (IReadOnlyList<KeyValuePair<string, object?>>)state!));
    }

    [Fact]
    public void Logs_each_epoch_as_the_console_line_and_the_end_of_training()
    {
        var (x, y) = SyntheticData.Make(60, seed: 1);
        var model = new SmallNet(seed: 2);
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var logger = new ListLogger();
        var history = model.Fit(x, y, epochs: 2, batchSize: 16, validationSplit: 0.25f, verbose: Verbosity.Silent, callbacks: [new LoggingCallback(logger)]);

        Assert.Equal(3, logger.Entries.Count);
        string Expected(int epoch) => string.Join(" - ", new[] { "accuracy", "loss", "val_accuracy", "val_loss" }
            .Select(k => $"{k}: {history[k][epoch].ToString("0.0000", CultureInfo.InvariantCulture)}"));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var (level, id, message, state) = logger.Entries[epoch];
            Assert.Equal(LogLevel.Information, level);
            Assert.Equal("EpochEnded", id.Name);
            Assert.StartsWith($"Epoch {epoch + 1} - ", message);
            Assert.EndsWith("s - " + Expected(epoch), message);
            Assert.Equal(epoch + 1, state.Single(p => p.Key == "Epoch").Value);
            Assert.Equal(Expected(epoch), state.Single(p => p.Key == "Logs").Value);
        }
        Assert.Equal("Training ended after epoch 2 - " + Expected(1), logger.Entries[2].Message);
    }

    [Fact]
    public void A_logger_above_information_gets_nothing()
    {
        var (x, y) = SyntheticData.Make(20, seed: 3);
        var model = new SmallNet(seed: 4);
        model.Compile(new SGD(0.01f), Losses.SparseCategoricalCrossentropy);
        var logger = new ListLogger { Minimum = LogLevel.Warning };
        model.Fit(x, y, epochs: 1, verbose: Verbosity.Silent, callbacks: [new LoggingCallback(logger)]);
        Assert.Empty(logger.Entries);
        Assert.Throws<ArgumentNullException>(() => new LoggingCallback(null!));
    }
}
