using ConvNetGen.Kernels;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// <see cref="AlignedFloats"/>: zeroed runs of the asked length whose first float is on a cache line wherever the heap
/// puts their array, including after the heap has been left full of gaps (plain pinned arrays land on the boundary one
/// time in eight: 17–19 of 200 in this suite); views that equal each other exactly when they are the same floats.
/// </summary>
public class AlignedFloatsTests
{
    [Fact]
    public void RunsAreZeroedAndAsLongAsAsked()
    {
        foreach (int length in new[] { 1, 15, 16, 17, 1000, 70_000, 300_000 })
        {
            var run = AlignedFloats.Allocate(length);
            Assert.Equal(length, run.Length);
            Assert.Equal(length, run.Span.Length);
            Assert.Equal(-1, run.Span.IndexOfAnyExcept(0f));
        }
        Assert.True(AlignedFloats.Allocate(0).IsEmpty);
        Assert.True(default(AlignedFloats).IsEmpty);
        Assert.Equal(0, default(AlignedFloats).Span.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => AlignedFloats.Allocate(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AlignedFloats.Allocate(AlignedFloats.MaxLength + 1));
    }

    [Fact]
    public unsafe void EveryRunStartsOnTheBoundaryEvenInAHeapWithGaps()
    {
        var random = new Random(1);
        var kept = new List<AlignedFloats>();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 200; i++)
            {
                int length = random.Next(3) switch { 0 => random.Next(1, 64), 1 => random.Next(64, 65_536), _ => random.Next(65_536, 1 << 20) };
                var run = AlignedFloats.Allocate(length);
                fixed (float* p = run) Assert.True((nint)p % AlignedFloats.Alignment == 0, $"a run of {length} floats starts at {(nint)p % 64} bytes past a line");
                Assert.True(run.IsAligned);
                if (random.Next(3) == 0) kept.Add(run); // the rest become garbage: the next round's heap has gaps of every size
            }
            GC.Collect();
        }
        GC.KeepAlive(kept);
    }

    [Fact]
    public void ViewsAreEqualWhenTheyAreTheSameFloats()
    {
        var a = AlignedFloats.Allocate(100);
        var alias = a;
        var b = AlignedFloats.Allocate(100);
        Assert.True(a == alias);
        Assert.Equal(a.GetHashCode(), alias.GetHashCode());
        Assert.True(a != b);
        Assert.Equal(default, AlignedFloats.Allocate(0));
        alias[3] = 7f;
        Assert.Equal(7f, a.Span[3]);
        Assert.Equal(0f, b.Span[3]);
    }

    [Fact]
    public void SlicesStayInsideTheRun()
    {
        var run = AlignedFloats.Allocate(20);
        run.AsSpan(5, 10).Fill(1f);
        Assert.Equal(10, run.Span.Count(1f));
        Assert.Equal(15, run.AsSpan(5).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.AsSpan(15, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.AsSpan(21));
        Assert.Throws<IndexOutOfRangeException>(() => run[20]);
        run.Clear();
        Assert.Equal(new float[20], run.ToArray());
    }
}
