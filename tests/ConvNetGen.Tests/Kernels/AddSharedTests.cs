using System.Numerics.Tensors;
using ConvNetGen.Kernels;
using static ConvNetGen.Tests.Kernels.GemmReference;

namespace ConvNetGen.Tests.Kernels;

/// <summary>
/// The Add kernel against TensorPrimitives.Add followed by a ReLU layer's pass: the same bits on every width, alone
/// or shared with the worker team, lengths that end mid-register, and NaN, ±0 and negatives among the sums.
/// </summary>
[Collection(FreeWorkerTeamCollection.Name)]
public class AddSharedTests
{
    [Theory]
    [MemberData(nameof(GemmReference.WidthCases), MemberType = typeof(GemmReference))]
    public void Sums_and_their_ReLU_are_those_of_an_Add_and_a_ReLU_layer(int width)
    {
        var random = new Random(3);
        foreach (int n in new[] { 1, 15, 17, 64, 1000, 200_704 + 5 }) // the last: ResNet18's first stage, shared
        foreach (bool relu in new[] { false, true })
        {
            float Value() => random.Next(10) switch { 0 => float.NaN, 1 => -0f, 2 => 0f, _ => random.NextSingle() * 4 - 2 };
            var a = Enumerable.Range(0, n).Select(_ => Value()).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => Value()).ToArray();
            var expected = new float[n];
            TensorPrimitives.Add(a, b, expected);
            if (relu) Activations.Forward(Activation.ReLU, expected, 1);
            var alone = new float[n];
            float[] shared;
            using (Force(width))
            {
                AddShared.Forward(a, b, alone, relu);
                float[] Run()
                {
                    var output = new float[n];
                    AddShared.Forward(a, b, output, relu);
                    return output;
                }
                shared = n >= 64 * 1024 ? TeamSplit.UntilSplit(() => AddShared.t_splits, Run) : Run();
            }
            string what = $"{Gemm.PathName(width)} n={n} relu={relu}";
            Assert.True(expected.AsSpan().SequenceEqual(alone), "one thread: " + what);
            Assert.True(expected.AsSpan().SequenceEqual(shared), "shared: " + what);
        }
    }

    [Fact]
    public void Spans_of_different_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AddShared.Forward(new float[4], new float[5], new float[4], false));
        Assert.Throws<ArgumentException>(() => AddShared.Forward(new float[4], new float[4], new float[3], false));
    }
}
