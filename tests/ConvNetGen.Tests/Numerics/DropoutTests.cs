namespace ConvNetGen.Tests.Numerics;

/// <summary>Dropout's random mask: kept values scaled by 1/(1 − rate), about rate of them dropped, the same mask forward and backward; the identity at inference.</summary>
public class DropoutTests
{
    private const double Rate = 0.3;

    [Fact]
    public void Training_drops_about_rate_of_the_values_and_scales_the_rest()
    {
        const int Batch = 5;
        var model = new DropoutOnlyNet(seed: 1);
        var x = NumericsKit.Uniform(Batch * 2000, 2, 0.5, 1.5); // never 0, so a 0 out means dropped
        var output = new float[x.Length];
        model.ForwardPass(x, output, training: true);

        int dropped = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (output[i] == 0) { dropped++; continue; }
            Assert.True(Math.Abs(output[i] - x[i] / (1 - Rate)) <= 1e-6 * output[i], $"element {i}: {output[i]}, kept values are x / (1 - rate) = {x[i] / (1 - Rate)}");
        }
        // 10,000 draws: the standard deviation of the fraction is 0.0046.
        Assert.InRange(dropped / (double)x.Length, Rate - 0.03, Rate + 0.03);

        // Every training pass draws a new mask.
        var second = new float[x.Length];
        model.ForwardPass(x, second, training: true);
        Assert.NotEqual(output, second);
    }

    [Fact]
    public void Inference_is_the_identity()
    {
        var model = new DropoutOnlyNet(seed: 1);
        var x = NumericsKit.Uniform(3 * 2000, 2);
        var output = new float[x.Length];
        model.ForwardPass(x, output, training: false);
        Assert.Equal(x, output);
    }

    [Fact]
    public void A_frozen_dropout_layer_still_drops_while_training()
    {
        // As in Keras: trainable only concerns weights (and BatchNormalization's mode), not dropout.
        var model = new DropoutOnlyNet(seed: 1);
        model.Layers[0].Trainable = false;
        var x = NumericsKit.Uniform(2000, 2, 0.5, 1.5);
        var output = new float[x.Length];
        model.ForwardPass(x, output, training: true);
        Assert.InRange(output.Count(v => v == 0) / 2000.0, Rate - 0.07, Rate + 0.07);
    }

    /// <summary>
    /// DropoutMaskNet: dense (30 → 40), dropout 0.5, dense_1 (40 → 3), one sample per pass. dense_1's kernel gradient
    /// is mask ⊙ h times r, which reveals the mask; dense's gradients must then be exactly the ones through that same mask.
    /// </summary>
    [Fact]
    public void Backward_uses_the_forward_mask()
    {
        const double DenseRate = 0.5;
        const int Inputs = 30, Hidden = 40, Units = 3, Passes = 25;
        var model = new DropoutMaskNet(seed: 1);
        NumericsKit.Randomize(model, 2);
        var p = NumericsKit.ToDouble(model.Parameters);
        var dense = TestReferences.DropoutMask().Ops[0];
        var architecture = DropoutMaskNet.Architecture;
        int w1 = architecture.Layers[0].Weights[0].Offset, b1 = architecture.Layers[0].Weights[1].Offset;
        int w2 = architecture.Layers[2].Weights[0].Offset, b2 = architecture.Layers[2].Weights[1].Offset;

        int dropped = 0;
        for (int pass = 0; pass < Passes; pass++)
        {
            var x = NumericsKit.Uniform(Inputs, 100 + pass);
            var r = NumericsKit.Uniform(Units, 200 + pass, 0.5, 1.5); // never 0, so r[0] reveals the mask
            var g = new float[p.Length];
            model.BackwardPass(x, r, g);
            var hidden = dense.Forward(NumericsKit.ToDouble(x), 1, p, training: true, null);

            for (int u = 0; u < Units; u++) Assert.Equal(r[u], g[b2 + u], 6); // d/dbias of Σ r·y
            for (int i = 0; i < Hidden; i++)
            {
                double h = hidden[i];
                double mask = g[w2 + i * Units] / (h * r[0]);
                Assert.True(Math.Abs(mask) < 1e-4 || Math.Abs(mask - 1 / (1 - DenseRate)) < 1e-4, $"pass {pass}, unit {i}: mask {mask}");
                mask = Math.Abs(mask) < 1e-4 ? 0 : 1 / (1 - DenseRate);
                if (mask == 0) dropped++;

                double upstream = 0; // dL/d(dropout output)_i
                for (int u = 0; u < Units; u++)
                {
                    upstream += p[w2 + i * Units + u] * r[u];
                    Assert.Equal(mask * h * r[u], g[w2 + i * Units + u], 1e-4);
                }
                Assert.Equal(mask * upstream, g[b1 + i], 1e-4);
                for (int j = 0; j < Inputs; j++) Assert.Equal(x[j] * mask * upstream, g[w1 + j * Hidden + i], 1e-4);
            }
        }
        // 1,000 draws: the standard deviation of the fraction is 0.016.
        Assert.InRange(dropped / (double)(Passes * Hidden), DenseRate - 0.08, DenseRate + 0.08);
    }
}
