namespace ConvNetGen.Tests.Losses;

internal static class LossAllocation
{
    /// <summary>Runs every Compute path after a warm-up and checks that the steady state allocates 0 bytes.</summary>
    public static void AssertNone(Loss loss)
    {
        const int batch = 32, classes = 10;
        var random = new Random(3);
        var outputs = new float[batch * classes];
        for (int i = 0; i < outputs.Length; i++)
            outputs[i] = (float)random.NextDouble() + 0.01f;
        var labels = new int[batch];
        for (int i = 0; i < batch; i++)
            labels[i] = random.Next(classes);
        var gradient = new float[outputs.Length];

        float sink = 0;
        for (int i = 0; i < 100; i++)
            sink += RunAll(loss, outputs, labels, classes, gradient);

        long allocated = SteadyStateAllocation.Measure(() =>
        {
            for (int i = 0; i < 1000; i++)
                sink += RunAll(loss, outputs, labels, classes, gradient);
        });

        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));
    }

    private static float RunAll(Loss loss, float[] outputs, int[] labels, int classes, float[] gradient) =>
        loss.Compute(outputs, labels, classes)
        + loss.Compute(outputs, labels, classes, Activation.Softmax, gradient)
        + loss.Compute(outputs, labels, classes, Activation.Sigmoid, gradient);
}
