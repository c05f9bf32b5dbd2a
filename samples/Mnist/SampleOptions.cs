using System.Globalization;

namespace Mnist;

/// <summary>The sample's command line.</summary>
internal sealed record SampleOptions(string Dataset, string? DataDirectory, int Epochs, int BatchSize, int? Limit, bool SummaryOnly,
    bool EarlyStopping = false, string? CheckpointDirectory = null, bool Resume = false, bool Help = false, string? PlotPath = null)
{
    public const string Usage =
        "usage: Mnist [--dataset mnist|fashion] [--data DIR] [--epochs 5] [--batch-size 64] [--limit N] [--summary] " +
        "[--early-stopping] [--checkpoint DIR [--resume]] [--plot history.png]";

    /// <summary>The options, or throws <see cref="ArgumentException"/> with a one-line message saying what is wrong.</summary>
    public static SampleOptions Parse(string[] args)
    {
        var options = new SampleOptions("mnist", null, 5, 64, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number, not '{args[i]}'.");
            options = args[i] switch
            {
                "--dataset" => options with { Dataset = Value() is "mnist" or "fashion" ? args[i] : throw new ArgumentException($"--dataset is mnist or fashion, not '{args[i]}'.") },
                "--data" => options with { DataDirectory = Value() },
                "--epochs" => options with { Epochs = Positive() },
                "--batch-size" => options with { BatchSize = Positive() },
                "--limit" => options with { Limit = Positive() },
                "--summary" => options with { SummaryOnly = true },
                "--early-stopping" => options with { EarlyStopping = true },
                "--checkpoint" => options with { CheckpointDirectory = Value() },
                "--resume" => options with { Resume = true },
                "--plot" => options with { PlotPath = Value().EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? args[i] : throw new ArgumentException($"--plot writes a PNG: give a path ending in .png, not '{args[i]}'.") },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        if (options.Resume && options.CheckpointDirectory is null)
            throw new ArgumentException("--resume needs --checkpoint DIR: the folder to resume from.");
        return options;
    }
}
