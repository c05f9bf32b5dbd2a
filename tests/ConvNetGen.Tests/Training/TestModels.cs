namespace ConvNetGen.Tests.Training;

/// <summary>A small convnet with BatchNormalization and Dropout, for training-loop and fine-tuning tests.</summary>
[Input(12, 12, 1)]
[Conv2D(4, 3, Activation = Activation.ReLU, Name = "conv")]
[BatchNormalization(Name = "bn")]
[MaxPooling2D(2, Name = "pool")]
[Flatten(Name = "flat")]
[Dropout(0.25, Name = "drop")]
[Dense(3, Activation = Activation.Softmax, Name = "out")]
public partial class SmallNet;

/// <summary>SmallNet's layers under a bigger head, for loading a base by name.</summary>
[Input(12, 12, 1)]
[Include(typeof(SmallBase))]
[Dense(8, Activation = Activation.ReLU, Name = "head")]
[Dense(3, Activation = Activation.Softmax, Name = "head_out")]
public partial class BiggerNet;

/// <summary>A base to include.</summary>
[Input(12, 12, 1)]
[Conv2D(4, 3, Activation = Activation.ReLU, Name = "conv")]
[BatchNormalization(Name = "bn")]
[MaxPooling2D(2, Name = "pool")]
[Flatten(Name = "flat")]
public partial class SmallBase;

/// <summary>Synthetic, learnable data: class k has a bright k-th third of the image, plus noise.</summary>
internal static class SyntheticData
{
    public static (float[] X, int[] Y) Make(int count, int seed, int side = 12, int classes = 3)
    {
        var random = new Random(seed);
        var x = new float[count * side * side];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(classes);
            y[i] = label;
            for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
            {
                bool bright = c * classes / side == label;
                x[(i * side + r) * side + c] = (bright ? 0.7f : 0.1f) + 0.3f * random.NextSingle();
            }
        }
        return (x, y);
    }
}
