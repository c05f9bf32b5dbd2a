using System.Runtime.CompilerServices;

namespace ConvNetGen.Generators.Tests.Infrastructure;

/// <summary>The model sources the tests share.</summary>
public static class TestModels
{
    /// <summary>The repository root, from this file's compile-time path (tests/ConvNetGen.Generators.Tests/Infrastructure/).</summary>
    /// <summary>The help links' base URL as Directory.Build.props sets it (the test assembly's metadata).</summary>
    public static string DiagnosticsHelpBase { get; } = typeof(TestModels).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ConvNetGenDiagnosticsHelpBase").Value!;

    public static string RepositoryRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>The reference model, read from the sample itself so the tests follow it: samples/Mnist/MnistConvNet.cs.</summary>
    public static TestSource MnistConvNet
    {
        get
        {
            string path = Path.Combine(RepositoryRoot(), "samples", "Mnist", "MnistConvNet.cs");
            return new TestSource("MnistConvNet.cs", File.ReadAllText(path));
        }
    }

    /// <summary>torchvision's ResNet18, read from the sample itself: samples/ResNet/ResNet18.cs.</summary>
    public static TestSource ResNet18 =>
        new("ResNet18.cs", File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "ResNet", "ResNet18.cs")));

    /// <summary>
    /// Keras' VGG16 convolutional base at 256×256×3 (with a small classifier) and a 4096×4096×3 convolution whose
    /// output (2^30 floats a sample) leaves room for exactly one sample a workspace: large, and both must build.
    /// </summary>
    public const string LargeButValid = """
        using ConvNetGen;
        [Input(256, 256, 3)]
        [Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [MaxPooling2D(2)]
        [Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(128, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [MaxPooling2D(2)]
        [Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(256, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [MaxPooling2D(2)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [MaxPooling2D(2)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Conv2D(512, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [MaxPooling2D(2)]
        [GlobalAveragePooling2D]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class Vgg16;

        [Input(4096, 4096, 3)]
        [Conv2D(64, 3, Padding = Padding.Same)]
        [GlobalAveragePooling2D]
        [Dense(10)]
        public partial class Huge;
        """;

    /// <summary>
    /// Every layer kind but Flatten, with the options that change the generated code: Same padding with stride 2 and
    /// an odd amount of padding (3 rows: 1 before, 2 after), no bias, a rectangular pool with per-axis strides, and
    /// custom names on the input and two layers.
    /// </summary>
    public const string LayerZoo = """
        using ConvNetGen;

        namespace Zoo.Models;

        /// <summary>Every layer option the generator knows.</summary>
        [Input(32, 32, 3, Name = "image")]
        [Rescaling(1.0 / 255, Name = "scale")]
        [Conv2D(16, 5, Padding = Padding.Same, Strides = 2, UseBias = false)]
        [BatchNormalization]
        [AveragePooling2D(2)]
        [Conv2D(32, 3, Activation = Activation.ReLU, Padding = Padding.Same)]
        [MaxPooling2D(2, 3, StrideHeight = 1, StrideWidth = 2)]
        [Dropout(0.25)]
        [GlobalAveragePooling2D]
        [Dense(10, Activation = Activation.Softmax, Name = "classifier")]
        public partial class LayerZoo;
        """;

    /// <summary>A flat-input multilayer perceptron.</summary>
    public const string Mlp = """
        using ConvNetGen;

        namespace Mnist.Dense;

        [Input(784)]
        [Dense(128, Activation = Activation.ReLU)]
        [Dropout(0.2)]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class Mlp;
        """;

    /// <summary>A model in the global namespace.</summary>
    public const string GlobalNamespace = """
        using ConvNetGen;

        [Input(4)]
        [Dense(8, Activation = Activation.Tanh)]
        [Dense(3, Activation = Activation.Softmax)]
        internal partial class IrisClassifier;
        """;

    /// <summary>All nine layer kinds in one valid model.</summary>
    public const string EveryLayerKind = """
        using ConvNetGen;

        namespace Kinds;

        [Input(30, 30, 3)]
        [RandomFlip(RandomFlipMode.Horizontal)]
        [RandomTranslation(0.1, 0.1)]
        [RandomRotation(0.1, FillMode = FillMode.Constant)]
        [RandomZoom(0.2)]
        [RandomContrast(0.2)]
        [RandomBrightness(0.2)]
        [RandomCrop(28, 28)]
        [Rescaling(2.0 / 255, offset: -1)]
        [Conv2D(8, 3, Activation = Activation.ReLU)]
        [BatchNormalization(Momentum = 0.9, Epsilon = 1e-5)]
        [MaxPooling2D(2)]
        [Conv2D(16, 3, 3, Padding = Padding.Same, Activation = Activation.Sigmoid)]
        [AveragePooling2D(2, Padding = Padding.Same)]
        [Conv2D(16, 1)]
        [GlobalAveragePooling2D]
        [Flatten]
        [Dropout(0.5)]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class EveryKind;
        """;

    /// <summary>
    /// A small residual network: a [Block] included twice with its own Filters and Strides (identity and projection
    /// shortcuts), ZeroPadding2D, standalone activations, both global poolings of one tensor, and Concatenate.
    /// </summary>
    public const string Residual = """
        using ConvNetGen;

        namespace Graphs;

        /// <summary>A basic residual block: two 3×3 convs and the identity.</summary>
        [Block]
        [Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
        [BatchNormalization(Name = "bn1")]
        [Activation(Activation.ReLU, Name = "relu1")]
        [Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
        [BatchNormalization(Name = "bn2")]
        [Add("bn2", Block.Input, Name = "add")]
        [Activation(Activation.ReLU, Name = "relu2")]
        public partial class BasicBlock;

        /// <summary>The downsampling block: a strided 3×3 with PyTorch's padding, and a 1×1 projection shortcut.</summary>
        [Block]
        [ZeroPadding2D(1, Name = "pad")]
        [Conv2D(Block.Filters, 3, Strides = Block.Strides, UseBias = false, Name = "conv1")]
        [BatchNormalization(Name = "bn1")]
        [Activation(Activation.ReLU, Name = "relu1")]
        [Conv2D(Block.Filters, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
        [BatchNormalization(Name = "bn2")]
        [Conv2D(Block.Filters, 1, Strides = Block.Strides, UseBias = false, Input = Block.Input, Name = "downsample_0")]
        [BatchNormalization(Name = "downsample_1")]
        [Add("bn2", "downsample_1", Name = "add")]
        [Activation(Activation.ReLU, Name = "relu2")]
        public partial class DownsampleBlock;

        [Input(12, 12, 3)]
        [Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "stem")]
        [Include(typeof(BasicBlock), Name = "layer1_0", Filters = 8)]
        [Include(typeof(DownsampleBlock), Name = "layer2_0", Filters = 16, Strides = 2)]
        [GlobalAveragePooling2D(Name = "avg")]
        [GlobalMaxPooling2D(Input = "layer2_0", Name = "max")]
        [Concatenate("avg", "max", Name = "features")]
        [Dense(10, Activation = Activation.Softmax, Name = "fc")]
        public partial class ResidualNet;
        """;

    /// <summary>BatchNormalization after a convolution: 16 channels, 64 parameters of which 32 are moving statistics.</summary>
    public const string BatchNormalized = """
        using ConvNetGen;

        namespace Norm;

        [Input(8, 8, 3)]
        [Conv2D(16, 3, Activation = Activation.ReLU)]
        [BatchNormalization]
        [Flatten]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class BatchNormalized;
        """;

    /// <summary>A base model and a classifier that includes it ([Include]), as in samples/FineTuning.</summary>
    public const string Included = """
        using ConvNetGen;

        namespace Transfer;

        [Input(28, 28, 1)]
        [Conv2D(16, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "block1_conv")]
        [BatchNormalization(Name = "block1_bn")]
        [MaxPooling2D(2, Name = "block1_pool")]
        [GlobalAveragePooling2D(Name = "features")]
        public partial class ConvBase;

        [Input(28, 28, 1)]
        [Include(typeof(ConvBase))]
        [Dense(32, Activation = Activation.ReLU)]
        [Dense(5, Activation = Activation.Softmax, Name = "head_output")]
        public partial class TransferNet;
        """;
}
