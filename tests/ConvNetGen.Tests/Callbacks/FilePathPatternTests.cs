namespace ConvNetGen.Tests.Callbacks;

public sealed class FilePathPatternTests
{
    private static readonly TrainingLogs Logs = new([new("loss", 0.123456f), new("val_loss", 0.4071f), new("accuracy", 0.5f)]);

    [Theory]
    [InlineData("{epoch:02d}-{val_loss:.2f}.ckpt", "03-0.41.ckpt")]
    [InlineData("w{epoch}.safetensors", "w3.safetensors")]
    [InlineData("{epoch:03d}_{loss:.4f}", "003_0.1235")]
    [InlineData("{accuracy:.1%}", "50.0%")]
    [InlineData("{loss:.3e}", "1.235e-01")]
    [InlineData("{{literal}}-{epoch:4d}", "{literal}-   3")]
    public void Fills_like_Pythons_format(string pattern, string expected) =>
        Assert.Equal(expected, new FilePathPattern(pattern, "filepath").Fill(3, Logs));

    [Theory]
    [InlineData("{epoch:x}")]
    [InlineData("{epoch")]
    [InlineData("epoch}")]
    [InlineData("{}")]
    [InlineData("{loss:.f}")]
    public void Refuses_a_malformed_pattern_when_created(string pattern)
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelCheckpoint(pattern));
        Assert.Contains(pattern, error.Message);
    }

    [Fact]
    public void A_name_the_logs_lack_lists_those_they_have()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new FilePathPattern("{val_accuracy:.2f}", "filepath").Fill(1, Logs));
        Assert.Contains("'{val_accuracy}'", error.Message);
        Assert.Contains("epoch, loss, val_loss, accuracy", error.Message);
    }

    [Fact]
    public void A_fraction_as_a_whole_number_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new FilePathPattern("{loss:02d}", "filepath").Fill(1, Logs));
    }
}
