using System.Globalization;
using System.Text;

namespace ConvNetGen;

/// <summary>
/// The model's shuffling stream: <see cref="Random"/> seeded with the model's seed, drawing a fresh permutation per
/// epoch. <see cref="System.Random"/>'s state cannot be read out, so the stream remembers which shuffles it made
/// (their lengths, run-length encoded) and a checkpoint restores it by replaying them on a new stream: the next
/// permutation is then the one an uninterrupted run would draw.
/// </summary>
/// <remarks>Not thread-safe: only the training thread shuffles.</remarks>
internal sealed class ShuffleStream
{
    private readonly Random _random;
    private readonly List<(int Length, long Times)> _shuffles = [];

    public ShuffleStream(int seed) => _random = new Random(seed);

    /// <summary>Puts 0..n-1 into <paramref name="order"/> in a new random order.</summary>
    public void Shuffle(int[] order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        _random.Shuffle(order);
        if (_shuffles.Count > 0 && _shuffles[^1].Length == order.Length) _shuffles[^1] = (order.Length, _shuffles[^1].Times + 1);
        else _shuffles.Add((order.Length, 1));
    }

    /// <summary>The shuffles made so far: <c>length×times</c> runs, comma-separated (empty for none).</summary>
    public string State => string.Join(",", _shuffles.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Length}x{s.Times}")));

    /// <summary>A stream seeded with <paramref name="seed"/> that has made the shuffles <paramref name="state"/> lists.</summary>
    /// <exception cref="FormatException">The state is not of <see cref="State"/>'s form.</exception>
    public static ShuffleStream Replay(int seed, string state)
    {
        var stream = new ShuffleStream(seed);
        if (state.Length == 0) return stream;
        foreach (string run in state.Split(','))
        {
            string[] parts = run.Split('x');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long times) || times < 1)
                throw new FormatException($"'{run}' is not a shuffle run (length x times).");
            var order = new int[length];
            for (long t = 0; t < times; t++) stream.Shuffle(order);
        }
        return stream;
    }
}
