namespace ConvNetGen.SaveVictim;

/// <summary>7,865,000 parameters: a weights file of about 31 MB, big enough to kill a save halfway through.</summary>
[Input(64, 64, 3)]
[Flatten]
[Dense(640)]
public partial class BigNet;

/// <summary>
/// What save number <c>n</c> writes, so that a file can be told to be one complete save and which one.
/// Shared with the test that kills the saver.
/// </summary>
internal static class SavePattern
{
    public static void Fill(Span<float> parameters, int save)
    {
        // Exactly representable for save numbers below 2^13: every value round-trips bit for bit.
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = save + (i & 1023) / 1024f;
    }

    /// <summary>The save number the parameters came from, or null if they are not exactly one save's.</summary>
    public static int? SaveOf(ReadOnlySpan<float> parameters)
    {
        int save = (int)parameters[0];
        for (int i = 0; i < parameters.Length; i++)
            if (parameters[i] != save + (i & 1023) / 1024f) return null;
        return save;
    }
}
