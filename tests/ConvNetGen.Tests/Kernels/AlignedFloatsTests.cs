using ConvNetGen.Kernels;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// <see cref="AlignedFloats"/>: zeroed arrays of the asked length whose data starts on a cache line. Placement is the
/// heap's, and other tests allocate and collect on other threads meanwhile, so alignment is checked over many arrays with
/// room for those the heap put elsewhere (in this suite 160–198 of 200); plain pinned arrays land on the boundary one
/// time in eight (17–19 of 200).
/// </summary>
public class AlignedFloatsTests
{
    [Fact]
    public void ArraysAreZeroedAndAsLongAsAsked()
    {
        foreach (int length in new[] { 1, 15, 16, 17, 1000, 70_000, 300_000 })
        {
            var array = AlignedFloats.Allocate(length);
            Assert.Equal(length, array.Length);
            Assert.All(array, v => Assert.Equal(0f, v));
        }
        Assert.Empty(AlignedFloats.Allocate(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AlignedFloats.Allocate(-1));
    }

    [Fact]
    public void MostArraysStartOnTheBoundary()
    {
        var random = new Random(1);
        var kept = new List<float[]>();
        int aligned = 0, plain = 0;
        const int Count = 200;
        for (int i = 0; i < Count; i++)
        {
            int length = random.Next(2) == 0 ? random.Next(1, 64) : random.Next(64, 65_536);
            var array = AlignedFloats.Allocate(length);
            if (AlignedFloats.IsAligned(array)) aligned++;
            if (AlignedFloats.IsAligned(GC.AllocateArray<float>(length, pinned: true))) plain++;
            if (i % 2 == 0) kept.Add(array);
        }
        Assert.True(aligned >= Count / 2, $"{aligned} of {Count} aligned (plain pinned arrays: {plain})");
        GC.KeepAlive(kept);
    }

    [Fact]
    public unsafe void IsAlignedLooksAtTheFirstElement()
    {
        var array = AlignedFloats.Allocate(100);
        fixed (float* p = array) Assert.Equal((nint)p % AlignedFloats.Alignment == 0, AlignedFloats.IsAligned(array));
        Assert.True(AlignedFloats.IsAligned([]));
    }
}
