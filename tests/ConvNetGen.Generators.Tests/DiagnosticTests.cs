using System.Reflection;
using ConvNetGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static ConvNetGen.Generators.Tests.Infrastructure.ExpectedDiagnostic;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// One or more tests per diagnostic ID (methods are named <c>CNGnnnn_…</c>): the ID, severity, exact message and exact
/// span (marked <c>[|…|]</c> in the source), and that the output compilation has no C# diagnostics besides the
/// generator's — a model error must never also surface as compiler errors from half-generated code.
/// </summary>
public class DiagnosticTests
{
    // ---------------------------------------------------------------- CNG0001 model not partial

    [Fact]
    public void CNG0001_ModelNotPartial()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [Dense(10)]
            public class [|Classifier|];
            """,
            Error("CNG0001", "Model class 'Classifier' must be declared partial so ConvNetGen can generate its code"));
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0002 generic

    [Fact]
    public void CNG0002_ModelIsGeneric()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [Dense(10)]
            public partial class [|Classifier|]<T>;
            """,
            Error("CNG0002", "Model class 'Classifier' must not be generic: every shape is a compile-time constant, so a model cannot have type parameters"));
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0003 window larger than input

    [Fact]
    public void CNG0003_KernelLargerThanInput()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace Mnist;
            [Input(28, 28, 1)]
            [Conv2D(32, 3, Activation = Activation.ReLU)]
            [MaxPooling2D(2)]
            [Conv2D(64, 3, Activation = Activation.ReLU)]
            [MaxPooling2D(2)]
            [Conv2D(128, 3, Activation = Activation.ReLU)]
            [[|Conv2D(256, 5, Activation = Activation.ReLU)|]]
            [Flatten]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class MnistConvNet;
            """,
            Error("CNG0003", "Conv2D 'conv2d_3' needs an input of at least 5×5 but gets 3×3×128 from 'conv2d_2'; " +
                             "its output would shrink to zero (use a smaller kernel, or Padding = Padding.Same)"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0003_RectangularKernelTallerThanInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(4, 40, 3)]
            [[|Conv2D(8, 5, 1)|]]
            [Flatten]
            [Dense(10)]
            public partial class Wide;
            """,
            Error("CNG0003", "Conv2D 'conv2d' needs an input of at least 5×1 but gets 4×40×3 from 'input_layer'; " +
                             "its output would shrink to zero (use a smaller kernel, or Padding = Padding.Same)"));
    }

    [Fact]
    public void CNG0003_PoolLargerThanInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(6, 6, 1, Name = "pixels")]
            [Conv2D(4, 3, Name = "features")]
            [[|MaxPooling2D(5)|]]
            [Flatten]
            [Dense(10)]
            public partial class Small;
            """,
            Error("CNG0003", "MaxPooling2D 'max_pooling2d' needs an input of at least 5×5 but gets 4×4×4 from 'features'; " +
                             "its output would shrink to zero (use a smaller pool size, or Padding = Padding.Same)"));
    }

    [Fact]
    public void CNG0003_NotReportedWithSamePadding()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(3, 3, 1)]
            [Conv2D(4, 5, Padding = Padding.Same)]
            [AveragePooling2D(4, Padding = Padding.Same)]
            [Flatten]
            [Dense(10)]
            public partial class Padded;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    // ---------------------------------------------------------------- CNG0004 missing [Input]

    [Fact]
    public void CNG0004_MissingInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [Conv2D(32, 3)]
            [Flatten]
            [Dense(10)]
            public partial class [|Classifier|];
            """,
            Error("CNG0004", "Model class 'Classifier' declares layers but no [Input(...)]; add one with the shape of a sample, e.g. [Input(28, 28, 1)]"));
    }

    [Fact]
    public void CNG0004_ReportedOnceForManyLayersAndDeclarations()
    {
        // Nine providers (one per layer attribute) and two declarations see this class; the user sees one error.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Conv2D(32, 3)]
            [MaxPooling2D]
            [Flatten]
            public partial class [|Classifier|];

            [Dense(10)]
            [Dropout(0.5)]
            public partial class Classifier;
            """,
            Error("CNG0004", "Model class 'Classifier' declares layers but no [Input(...)]; add one with the shape of a sample, e.g. [Input(28, 28, 1)]"));
    }

    [Fact]
    public void CNG0004_ReportedOnTheDeclarationWithLayers()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [System.Serializable]
            public partial class Classifier;

            [Dense(10)]
            public partial class [|Classifier|];
            """,
            Error("CNG0004", "Model class 'Classifier' declares layers but no [Input(...)]; add one with the shape of a sample, e.g. [Input(28, 28, 1)]"));
    }

    // ---------------------------------------------------------------- CNG0005 layers split across declarations

    [Fact]
    public void CNG0005_LayersSplitAcrossDeclarations()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;

            [Input(28, 28, 1)]
            [Conv2D(32, 3)]
            [Flatten]
            public partial class Classifier;

            [[|Dense(64)|]]
            [Dense(10)]
            public partial class Classifier;
            """,
            Error("CNG0005", "Model class 'Classifier' declares its layers on more than one partial declaration; put [Input] and every layer on one declaration so their order is defined"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0005_LayersSplitAcrossFiles()
    {
        var first = MarkedSource.Parse("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [Dense(64)]
            public partial class Classifier;
            """);
        var second = MarkedSource.Parse("""
            using ConvNetGen;
            namespace App;
            [[|Dense(10)|]]
            public partial class Classifier;
            """);
        var run = GeneratorHarness.Run(new TestSource("A.cs", first.Code), new TestSource("B.cs", second.Code));

        DiagnosticAssert.Matches(run, (Error("CNG0005",
            "Model class 'Classifier' declares its layers on more than one partial declaration; put [Input] and every layer on one declaration so their order is defined"),
            "B.cs", second));
        run.AssertOutputCompilesCleanly();
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0005_NotReportedForAPartialDeclarationWithoutLayers()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [Dense(10)]
            public partial class Classifier;

            [System.Serializable]
            public partial class Classifier { public int Extra => 1; }
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        Assert.Single(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0006 invalid argument

    [Fact]
    public void CNG0006_ZeroFilters()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|Conv2D(0, 3)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "Conv2D 'conv2d': filters must be positive but is 0"));
    }

    [Fact]
    public void CNG0006_ZeroUnits()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64)]
            [[|Dense(0, Name = "logits")|]]
            public partial class M;
            """,
            Error("CNG0006", "Dense 'logits': units must be positive but is 0"));
    }

    [Fact]
    public void CNG0006_ZeroKernel()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|Conv2D(8, 3, 0)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "Conv2D 'conv2d': kernel must be positive but is 3×0"));
    }

    [Fact]
    public void CNG0006_ZeroPoolSize()
    {
        // The pool's default stride is its size; the zero strides that follow from a zero pool are not a second error.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|MaxPooling2D(0)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "MaxPooling2D 'max_pooling2d': pool size must be positive but is 0×0"));
    }

    [Fact]
    public void CNG0006_ZeroConvolutionStrides()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|Conv2D(8, 3, Strides = 0)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "Conv2D 'conv2d': strides must be positive but are 0×0"));
    }

    [Fact]
    public void CNG0006_NegativePoolStride()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|AveragePooling2D(2, StrideWidth = -1)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "AveragePooling2D 'average_pooling2d': strides must be positive but are 2×-1"));
    }

    [Fact]
    public void CNG0006_ZeroPoolStridesMeanPoolSize()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [MaxPooling2D(2, Strides = 0)]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void CNG0006_UndefinedActivation()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Dense(10, Activation = (Activation)7)|]]
            public partial class M;
            """,
            Error("CNG0006", "Dense 'dense': 7 is not an Activation"));
    }

    [Fact]
    public void CNG0006_BatchNormalizationArguments()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64)]
            [[|BatchNormalization(Momentum = 1.5, Epsilon = 0)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "BatchNormalization 'batch_normalization': momentum must be in [0, 1] but is 1.5"),
            Error("CNG0006", "BatchNormalization 'batch_normalization': epsilon must be positive but is 0"));
    }

    [Fact]
    public void CNG0006_RescalingNotFinite()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Rescaling(double.NaN, double.PositiveInfinity)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "Rescaling 'rescaling': scale must be finite but is NaN"),
            Error("CNG0006", "Rescaling 'rescaling': offset must be finite but is Infinity"));
    }

    // ---------------------------------------------------------------- CNG0006: augmentation layers

    [Fact]
    public void CNG0006_RandomCropLargerThanInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomCrop(24, 40)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomCrop 'random_crop': the crop 24×40 must not be larger than its input 'input_layer', 32×32"));
    }

    [Fact]
    public void CNG0006_RandomCropNotPositive()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomCrop(0, 8, Name = "crop")|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomCrop 'crop': the crop must be positive but is 0×8"));
    }

    [Fact]
    public void CNG0006_RandomTranslationFactorOutOfRange()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomTranslation(0.1, -1.5)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomTranslation 'random_translation': widthFactor must be in [-1, 1] but is -1.5"));
    }

    [Fact]
    public void CNG0006_RandomRotationFactorOutOfRange()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomRotation(1.25, Name = "turn")|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomRotation 'turn': factor must be in [-1, 1] (a fraction of a full turn) but is 1.25"));
    }

    [Theory]
    [InlineData("RandomZoom(-1.0)", "heightFactor must be in (-1, 1] but is -1")]
    [InlineData("RandomZoom(0.2, 1.5)", "widthFactor must be in (-1, 1] but is 1.5")]
    [InlineData("RandomZoom(0.2, FillValue = double.NaN)", "FillValue must be finite but is NaN")]
    public void CNG0006_RandomZoomArguments(string layer, string message)
    {
        DiagnosticAssert.Reports($$"""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|{{layer}}|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", $"RandomZoom 'random_zoom': {message}"));
    }

    [Fact]
    public void CNG0006_RandomTranslationFillMode()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomTranslation(0.1, 0.1, FillMode = (FillMode)7)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomTranslation 'random_translation': 7 is not a FillMode"));
    }

    [Fact]
    public void CNG0006_RandomFlipMode()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomFlip((RandomFlipMode)3)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomFlip 'random_flip': 3 is not a RandomFlipMode"));
    }

    [Fact]
    public void CNG0006_RandomContrastFactorOutOfRange()
    {
        // Keras' contrast factor is in [0, 1].
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomContrast(-0.2)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomContrast 'random_contrast': factor must be in [0, 1] but is -0.2"));
    }

    [Fact]
    public void CNG0006_RandomBrightnessValueRange()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomBrightness(0.2, 1, 0)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomBrightness 'random_brightness': the value range must be two finite numbers, low below high, but is [1, 0]"));
    }

    [Fact]
    public void CNG0006_RandomBrightnessFactorOutOfRange()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [[|RandomBrightness(1.5)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0006", "RandomBrightness 'random_brightness': factor must be in [-1, 1] but is 1.5"));
    }

    [Fact]
    public void CNG0007_RandomFlipOnFlatInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|RandomFlip|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0007", "RandomFlip 'random_flip' needs a (height, width, channels) input but gets 784 from 'input_layer'"));
    }

    [Fact]
    public void Augmentation_layers_build_cleanly()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32, 32, 3)]
            [RandomFlip(RandomFlipMode.Horizontal)]
            [RandomTranslation(0.1, 0.1, FillMode = FillMode.Constant)]
            [RandomCrop(28, 28)]
            [RandomContrast(0.2)]
            [RandomBrightness(0.2, 0, 1)]
            [Conv2D(8, 3)]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    // ---------------------------------------------------------------- CNG0007 wrong input rank

    [Fact]
    public void CNG0007_Conv2DAfterFlatten()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [Flatten]
            [[|Conv2D(8, 3)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0007", "Conv2D 'conv2d' needs a (height, width, channels) input but gets 784 from 'flatten'"));
    }

    [Fact]
    public void CNG0007_Conv2DOnRank2Input()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28)]
            [[|Conv2D(8, 3)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0007", "Conv2D 'conv2d' needs a (height, width, channels) input but gets 28×28 from 'input_layer'"));
    }

    [Fact]
    public void CNG0007_PoolingOnFlatInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784, Name = "pixels")]
            [[|MaxPooling2D(2)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0007", "MaxPooling2D 'max_pooling2d' needs a (height, width, channels) input but gets 784 from 'pixels'"));
    }

    [Fact]
    public void CNG0007_GlobalAveragePoolingOnFlatInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [Conv2D(8, 3)]
            [GlobalAveragePooling2D]
            [[|GlobalAveragePooling2D|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0007", "GlobalAveragePooling2D 'global_average_pooling2d_1' needs a (height, width, channels) input but gets 8 from 'global_average_pooling2d'"));
    }

    // ---------------------------------------------------------------- CNG0008 dropout rate

    [Fact]
    public void CNG0008_DropoutRateOne()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64)]
            [[|Dropout(1.0)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0008", "Dropout 'dropout' has rate 1; the rate must be in [0, 1)"));
    }

    [Fact]
    public void CNG0008_DropoutRateNegative()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64)]
            [[|Dropout(-0.1, Name = "drop")|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0008", "Dropout 'drop' has rate -0.1; the rate must be in [0, 1)"));
    }

    [Fact]
    public void ArgumentsAfterAnInvalidLayerAreStillChecked()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Dropout(1.5)|]]
            [[|Dense(0)|]]
            public partial class M;
            """,
            Error("CNG0008", "Dropout 'dropout' has rate 1.5; the rate must be in [0, 1)", marker: 0),
            Error("CNG0006", "Dense 'dense': units must be positive but is 0", marker: 1));
    }

    // ---------------------------------------------------------------- CNG0009 softmax before the last layer (warning)

    [Fact]
    public void CNG0009_SoftmaxBeforeLastLayerWarnsAndStillGenerates()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [[|Dense(64, Activation = Activation.Softmax)|]]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class M;
            """,
            Warning("CNG0009", "Dense 'dense' uses Softmax but is not the last layer; Softmax normalises for a classifier's output and is rarely wanted inside a network"));
        Assert.Equal("App.M.g.cs", run.SingleSource.HintName);
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void CNG0009_SoftmaxOnAConvolution()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [[|Conv2D(8, 3, Activation = Activation.Softmax, Name = "attention")|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Warning("CNG0009", "Conv2D 'attention' uses Softmax but is not the last layer; Softmax normalises for a classifier's output and is rarely wanted inside a network"));
        Assert.Single(run.GeneratedSources);
    }

    [Fact]
    public void CNG0009_CanBeSuppressedForTheProject()
    {
        // <NoWarn>CNG0009</NoWarn> (the compilation's specific options) silences it.
        var compilation = GeneratorHarness.CreateCompilation(SoftmaxInside);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CNG0009", ReportDiagnostic.Suppress)));
        var run = GeneratorHarness.Run(compilation);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CNG0009" && !d.IsSuppressed);
        Assert.Single(run.GeneratedSources);
    }

    [Fact]
    public void CNG0009_CanBeMadeAnErrorForTheProject()
    {
        var compilation = GeneratorHarness.CreateCompilation(SoftmaxInside);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CNG0009", ReportDiagnostic.Error)));
        var run = GeneratorHarness.Run(compilation);
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(run.GeneratorDiagnostics).Severity);
    }

    [Fact]
    public void CNG0009_CanBeSuppressedWithPragma()
    {
        var run = GeneratorHarness.Run("#pragma warning disable CNG0009\n" + SoftmaxInside + "\n#pragma warning restore CNG0009\n");
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CNG0009" && !d.IsSuppressed);
    }

    private const string SoftmaxInside = """
        using ConvNetGen;
        [Input(784)]
        [Dense(64, Activation = Activation.Softmax)]
        [Dense(10)]
        public partial class M;
        """;

    // ---------------------------------------------------------------- CNG0010 dense on an unflattened input

    [Fact]
    public void CNG0010_DenseOn3DInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28, 1)]
            [Conv2D(32, 3)]
            [[|Dense(10)|]]
            public partial class M;
            """,
            Error("CNG0010", "Dense 'dense' needs a flat input but gets 26×26×32 from 'conv2d'; add [Flatten] or [GlobalAveragePooling2D] before it"));
    }

    [Fact]
    public void CNG0010_DenseOnRank2Input()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(28, 28)]
            [[|Dense(10)|]]
            public partial class M;
            """,
            Error("CNG0010", "Dense 'dense' needs a flat input but gets 28×28 from 'input_layer'; add [Flatten] or [GlobalAveragePooling2D] before it"));
    }

    // ---------------------------------------------------------------- CNG0011 nested

    [Fact]
    public void CNG0011_ModelIsNested()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            public partial class Models
            {
                [Input(784)]
                [Dense(10)]
                public partial class [|Classifier|];
            }
            """,
            Error("CNG0011", "Model class 'Classifier' is nested in 'Models'; declare models as top-level classes"));
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0012 invalid input shape

    [Fact]
    public void CNG0012_NegativeInputDimension()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(28, -1, 1)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0012", "Model 'M' has input shape 28×-1×1: every dimension must be positive"));
    }

    [Fact]
    public void CNG0012_ZeroInputDimension()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(0)|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0012", "Model 'M' has input shape 0: every dimension must be positive"));
    }

    [Fact]
    public void CNG0012_Rank4Input()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(1, 28, 28, 1)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0012", "Model 'M' has input shape 1×28×28×1: inputs have rank 1 (features) to 3 (height, width, channels)"));
    }

    [Fact]
    public void CNG0012_EmptyInput()
    {
        // Reported as-is: the empty shape prints as nothing ("has input shape : give …").
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0012", "Model 'M' has input shape (): give the shape of one sample, e.g. [Input(28, 28, 1)]"));
    }

    [Fact]
    public void CNG0012_InputLargerThanInt32()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(65536, 65536, 1)|]]
            [Flatten]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0012", "Model 'M' has input shape 65536×65536×1: a sample has more than 2,147,483,647 elements"));
    }

    // ---------------------------------------------------------------- CNG0013 invalid or duplicate layer name

    [Fact]
    public void CNG0013_DuplicateNames()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64, Name = "hidden")]
            [[|Dense(10, Name = "hidden")|]]
            public partial class M;
            """,
            Error("CNG0013", "Layer name 'hidden' is used by more than one layer; layer names must be unique"));
    }

    [Fact]
    public void CNG0013_NameOfTheInput()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784, Name = "features")]
            [[|Dense(10, Name = "features")|]]
            public partial class M;
            """,
            Error("CNG0013", "Layer name 'features' is used by more than one layer; layer names must be unique"));
    }

    [Fact]
    public void CNG0013_AutomaticNamesSkipExplicitOnes()
    {
        // Not an error: the automatic name steps past a name given by hand (Keras would reject the model instead).
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(784)]
            [Dense(64)]
            [Dense(10, Name = "dense")]
            public partial class M;
            """);
        run.AssertNoGeneratorDiagnostics();
        Assert.Contains("new(0, \"dense_1\", global::ConvNetGen.LayerKind.Dense", run.SingleSource.Text);
        Assert.Contains("new(1, \"dense\", global::ConvNetGen.LayerKind.Dense", run.SingleSource.Text);
    }

    [Fact]
    public void CNG0013_ModelIncludedTwice()
    {
        // Included layers keep their names, so including the same model twice repeats every one of them.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8)]
            [Dense(8, Name = "block_dense")]
            public partial class Block;

            [Input(8)]
            [Include(typeof(Block))]
            [[|Include(typeof(Block))|]]
            [Dense(2)]
            public partial class Twice;
            """,
            Error("CNG0013", "Layer name 'block_dense' is used by more than one layer; layer names must be unique"));
    }

    [Fact]
    public void CNG0013_NameWithSlash()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Dense(10, Name = "head/logits")|]]
            public partial class M;
            """,
            Error("CNG0013", "Layer name 'head/logits' is not valid: a name must not be empty and must not contain '/' (it names weights such as 'conv2d/kernel') or control characters"));
    }

    [Fact]
    public void CNG0013_EmptyInputName()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(784, Name = " ")|]]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0013", "Layer name ' ' is not valid: a name must not be empty and must not contain '/' (it names weights such as 'conv2d/kernel') or control characters"));
    }

    // ---------------------------------------------------------------- CNG0014 no layers

    [Fact]
    public void CNG0014_NoLayers()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [[|Input(28, 28, 1)|]]
            public partial class Empty;
            """,
            Error("CNG0014", "Model 'Empty' declares an [Input] but no layers; add at least one layer, e.g. [Dense(10, Activation = Activation.Softmax)]"));
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0015 base class

    [Fact]
    public void CNG0015_ModelHasBaseClass()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            public abstract class Network;

            [Input(784)]
            [Dense(10)]
            public partial class [|Classifier|] : Network;
            """,
            Error("CNG0015", "Model class 'Classifier' derives from 'App.Network'; generated models derive from ConvNetGen.Model, so leave the base class out"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0015_NotReportedForInterfaces()
    {
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public partial class Classifier : System.IEquatable<Classifier>
            {
                public bool Equals(Classifier? other) => ReferenceEquals(this, other);
            }
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
    }

    // ---------------------------------------------------------------- CNG0018 unsupported declaration

    [Fact]
    public void CNG0018_StaticModel()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public static partial class [|Classifier|];
            """,
            Error("CNG0018", "Model 'Classifier' is static; models are instantiated, so remove 'static'"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0018_RecordModel()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public partial record [|Classifier|];
            """,
            Error("CNG0018", "Model 'Classifier' is a record; declare it as a partial class"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0018_ClassNamedLikeAGeneratedMember()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public partial class [|Shapes|];
            """,
            Error("CNG0018", "Model 'Shapes' is named like a member the generator adds (Shapes); rename the class"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0018_ClassNamedLikeAnOverriddenMember()
    {
        // The generated class overrides Forward; a class named Forward could not declare it.
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [Dense(10)]
            public partial class [|Forward|];
            """,
            Error("CNG0018", "Model 'Forward' is named like a member the generator adds (Forward); rename the class"));
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0016 included type is not a model

    [Fact]
    public void CNG0016_IncludedTypeIsNotAModel()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            public partial class Helper;

            [Input(784)]
            [[|Include(typeof(Helper))|]]
            [Dense(10)]
            public partial class Classifier;
            """,
            Error("CNG0016", "[Include(typeof(Helper))] in 'Classifier': it is not a ConvNetGen model or block of this project (a partial class with [Input] or [Block], and layers)"));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void CNG0016_IncludedFrameworkType()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Include(typeof(System.Uri))|]]
            [Dense(10)]
            public partial class Classifier;
            """,
            Error("CNG0016", "[Include(typeof(Uri))] in 'Classifier': it is not a ConvNetGen model or block of this project (a partial class with [Input] or [Block], and layers)"));
    }

    [Fact]
    public void CNG0016_ModelIncludesItself()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace App;
            [Input(784)]
            [Dense(64)]
            [[|Include(typeof(Recursive))|]]
            [Dense(10)]
            public partial class Recursive;
            """,
            Error("CNG0016", "[Include(typeof(Recursive))] in 'Recursive': models cannot include themselves, directly or through others (Recursive → Recursive)"));
    }

    [Fact]
    public void CNG0016_ModelInTheGlobalNamespaceIncludesItself()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(784)]
            [[|Include(typeof(Recursive))|]]
            [Dense(10)]
            public partial class Recursive;
            """,
            Error("CNG0016", "[Include(typeof(Recursive))] in 'Recursive': models cannot include themselves, directly or through others (Recursive → Recursive)"));
    }

    [Fact]
    public void CNG0016_IndirectIncludeCycle()
    {
        var source = MarkedSource.Parse("""
            using ConvNetGen;
            [Input(16)]
            [[|Include(typeof(B))|]]
            [Dense(16)]
            public partial class A;

            [Input(16)]
            [[|Include(typeof(A))|]]
            [Dense(16)]
            public partial class B;
            """);
        var run = GeneratorHarness.Run(source.Code);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "CNG0016" && d.Location.SourceSpan == source.Spans[0]);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "CNG0016" && d.Location.SourceSpan == source.Spans[1]);
        Assert.Empty(run.GeneratedSources);
    }

    // ---------------------------------------------------------------- CNG0017 included model's input does not match

    [Fact]
    public void CNG0017_IncludedModelInputMismatch()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            namespace Transfer;

            [Input(28, 28, 1)]
            [Conv2D(16, 3, Name = "block1_conv")]
            [GlobalAveragePooling2D(Name = "features")]
            public partial class ConvBase;

            [Input(32, 32, 3, Name = "rgb")]
            [[|Include(typeof(ConvBase))|]]
            [Dense(5, Activation = Activation.Softmax)]
            public partial class ColourNet;
            """,
            Error("CNG0017", "[Include(typeof(ConvBase))] needs an input of 28×28×1 but gets 32×32×3 from 'rgb'"));
        Assert.Equal("Transfer.ConvBase.g.cs", run.SingleSource.HintName);
    }

    [Fact]
    public void CNG0017_IncludedAfterOtherLayers()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8)]
            [Dense(8)]
            public partial class Head;

            [Input(28, 28, 1)]
            [Flatten(Name = "flat")]
            [[|Include(typeof(Head))|]]
            public partial class Body;
            """,
            Error("CNG0017", "[Include(typeof(Head))] needs an input of 8 but gets 784 from 'flat'"));
    }

    // ---------------------------------------------------------------- CNG0021 a layer reads a tensor that is not above it

    [Fact]
    public void CNG0021_InputNameDoesNotExist()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(4, 3, Name = "conv")]
            [[|Conv2D(4, 1, Input = "cnv", Name = "side")|]]
            [Add("conv", "side")]
            [Flatten]
            [Dense(2)]
            public partial class Typo;
            """,
            Error("CNG0021", "Conv2D 'side' reads 'cnv', but no layer has that name; it can read input_layer, conv"));
    }

    [Fact]
    public void CNG0021_InputComesLater()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [[|Conv2D(4, 3, Input = "later", Name = "early")|]]
            [Conv2D(4, 3, Name = "later")]
            [Flatten]
            [Dense(2)]
            public partial class Backwards;
            """,
            Error("CNG0021", "Conv2D 'early' reads 'later', which comes after it: a layer reads only the layers above it, since they run in source order"));
    }

    [Fact]
    public void CNG0021_BlockInputOutsideABlock()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(3, 3, Padding = Padding.Same, Name = "conv")]
            [[|Add("conv", Block.Input)|]]
            [Flatten]
            [Dense(2)]
            public partial class NotABlock;
            """,
            Error("CNG0021", "Add 'add' reads 'block_input', which names a block's input: Block.Input means something only inside a [Block]; name this model's input by its [Input] name ('input_layer')"));
    }

    [Fact]
    public void CNG0021_InsideABlockIsReportedAtTheInclude()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Block]
            [Conv2D(4, 3, Padding = Padding.Same, Name = "conv")]
            [Add("conv", "shortcut")]
            public partial class Broken;

            [Input(8, 8, 4)]
            [[|Include(typeof(Broken), Name = "b1")|]]
            [Flatten]
            [Dense(2)]
            public partial class UsesIt;
            """,
            Error("CNG0021", "Add 'b1/add' reads 'shortcut', but no layer has that name; it can read input_layer, b1/conv"));
    }

    [Fact]
    public void CNG0021_OldChecksHoldOnEveryBranch()
    {
        // A side branch is checked like a stack: Dense on an image input (CNG0010) and a pool larger than its input
        // (CNG0003), each reported on its own attribute and naming the branch it reads; what merges them is not
        // checked further against unknown shapes.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3, Name = "image")]
            [Conv2D(4, 3, Name = "conv")]
            [[|Dense(4, Input = "image", Name = "wrong")|]]
            [[|MaxPooling2D(7, Input = "conv", Name = "big")|]]
            [Concatenate("wrong", "big")]
            [Flatten]
            [Dense(2)]
            public partial class Branches;
            """,
            Error("CNG0010", "Dense 'wrong' needs a flat input but gets 8×8×3 from 'image'; add [Flatten] or [GlobalAveragePooling2D] before it", marker: 0),
            Error("CNG0003", "MaxPooling2D 'big' needs an input of at least 7×7 but gets 6×6×4 from 'conv'; its output would shrink to zero (use a smaller pool size, or Padding = Padding.Same)", marker: 1));
    }

    // ---------------------------------------------------------------- CNG0022 merged inputs do not fit together

    [Fact]
    public void CNG0022_AddOfDifferentShapes()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(4, 3, Name = "conv")]
            [[|Add("conv", "input_layer", Name = "sum")|]]
            [Flatten]
            [Dense(2)]
            public partial class Mismatch;
            """,
            Error("CNG0022", "Add 'sum' cannot merge 'conv' (6×6×4) with 'input_layer' (8×8×3): Add needs inputs of one shape"));
    }

    [Fact]
    public void CNG0022_ConcatenateOfDifferentSizes()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(4, 3, Name = "conv")]
            [[|Concatenate("input_layer", "conv")|]]
            [Flatten]
            [Dense(2)]
            public partial class Mismatch;
            """,
            Error("CNG0022", "Concatenate 'concatenate' cannot merge 'input_layer' (8×8×3) with 'conv' (6×6×4): Concatenate joins along the channels (the last axis), so every other dimension must match"));
    }

    [Fact]
    public void CNG0022_BothBranchesOfABlockAtTheInclude()
    {
        // The block is fine at 8×8×4; included at 8×8×3 its identity shortcut no longer matches its 4-filter branch.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Block]
            [Conv2D(Block.Filters, 3, Padding = Padding.Same, Name = "conv")]
            [Add("conv", Block.Input, Name = "add")]
            public partial class Residual;

            [Input(8, 8, 3)]
            [[|Include(typeof(Residual), Name = "r", Filters = 4)|]]
            [Flatten]
            [Dense(2)]
            public partial class WrongWidth;
            """,
            Error("CNG0022", "Add 'r/add' cannot merge 'r/conv' (8×8×4) with 'input_layer' (8×8×3): Add needs inputs of one shape"));
    }

    // ---------------------------------------------------------------- CNG0023 a layer's output is not used

    [Fact]
    public void CNG0023_UnusedBranch()
    {
        var run = DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(8, 8, 3)]
            [Conv2D(4, 3, Name = "conv")]
            [[|Conv2D(4, 1, Input = "input_layer", Name = "forgotten")|]]
            [Flatten(Input = "conv")]
            [Dense(2)]
            public partial class Dangling;
            """,
            Warning("CNG0023", "The output of Conv2D 'forgotten' is read by no layer, so it never reaches the model's output 'dense'; it is not computed. Read it (Input = \"forgotten\", or in an Add or Concatenate) or remove the layer."));
        // A warning: the model builds, and the layer does not run.
        Assert.Contains("// forgotten: its output reaches no output (CNG0023), so it does not run.", run.SingleSource.Text);
    }

    // ---------------------------------------------------------------- CNG0024 a block argument is not given

    [Fact]
    public void CNG0024_FiltersNotGiven()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Block]
            [Conv2D(Block.Filters, 3, Padding = Padding.Same, Name = "conv")]
            public partial class Widening;

            [Input(8, 8, 3)]
            [[|Include(typeof(Widening), Name = "w")|]]
            [Flatten]
            [Dense(2)]
            public partial class Forgot;
            """,
            Error("CNG0024", "[Include(typeof(Widening))] must set Filters: the block's layer 'conv' uses Block.Filters"));
    }

    [Fact]
    public void IncludedModelWithItsOwnErrorIsReportedAtTheInclude()
    {
        // The base reports at its own attribute; the including model reports the same layer at its [Include] line.
        var source = MarkedSource.Parse("""
            using ConvNetGen;
            [Input(8)]
            [[|Dropout(1.0, Name = "drop")|]]
            public partial class Base;

            [Input(8)]
            [[|Include(typeof(Base))|]]
            [Dense(2)]
            public partial class User;
            """);
        var run = GeneratorHarness.Run(source.Code);
        DiagnosticAssert.Matches(run,
            (Error("CNG0008", "Dropout 'drop' has rate 1; the rate must be in [0, 1)", marker: 0), "Test0.cs", source),
            (Error("CNG0008", "Dropout 'drop' has rate 1; the rate must be in [0, 1)", marker: 1), "Test0.cs", source));
        run.AssertOutputCompilesCleanly();
    }

    // ---------------------------------------------------------------- CNG0019 tensor or parameter count too large

    [Fact]
    public void CNG0019_OutputLargerThanInt32()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(32768, 32768, 1)]
            [[|Conv2D(4, 1)|]]
            [GlobalAveragePooling2D]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0019", "Conv2D 'conv2d': its output (32768×32768×4) would have 4,294,967,296 elements, more than an int counts (2,147,483,647), the most a tensor of one sample may have"));
    }

    [Fact]
    public void CNG0019_ParametersLargerThanOneArray()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(65536)]
            [[|Dense(65536)|]]
            public partial class M;
            """,
            Error("CNG0019", "Dense 'dense': the model's parameters up to this layer would have 4,295,032,832 elements, more than one buffer holds (2,147,483,576), and they live in one"));
    }

    // ---------------------------------------------------------------- CNG0020 workspace buffer too large for one sample

    [Fact]
    public void CNG0020_PatchesOfOneSampleTooLarge()
    {
        // Every tensor fits in an int, but im2col's rows for one sample (1024×1024 pixels × 7×7×64 taps) do not fit in an array.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [Input(1024, 1024, 64)]
            [[|Conv2D(8, 7, Padding = Padding.Same)|]]
            [GlobalAveragePooling2D]
            [Dense(10)]
            public partial class M;
            """,
            Error("CNG0020", "Conv2D 'conv2d' needs its workspace buffer 'Conv2dPatches' to hold 3,288,334,336 elements for a single sample, more than a buffer holds (2,147,483,576); the model could not run even one sample at a time"));
    }

    [Fact]
    public void CNG0020_InputOfOneSampleTooLarge()
    {
        // Fits in an int (so not CNG0012), but not in an array.
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            [[|Input(5368709, 400, 1)|]]
            [GlobalAveragePooling2D]
            [Dense(1)]
            public partial class M;
            """,
            Error("CNG0020", "Input 'input_layer' needs its workspace buffer 'Input' to hold 2,147,483,600 elements for a single sample, more than a buffer holds (2,147,483,576); the model could not run even one sample at a time"));
    }

    [Fact]
    public void CNG0020_LargeModelsThatFitBuild()
    {
        // Keras' VGG16 convolutional base at 256×256×3, and a 4096×4096×3 convolution whose output (2^30 floats a
        // sample) leaves room for exactly one sample a workspace: both build, and say so in their capacities.
        var run = GeneratorHarness.Run(TestModels.LargeButValid);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        string huge = run.GeneratedSources.Single(s => s.HintName.Contains("Huge")).Text;
        Assert.Contains("public const int MaxTrainingCapacity = 1;", huge);
        Assert.Contains("global::System.Int128 bytes", huge); // 4 GB a sample: int.MaxValue samples would pass long
    }

    // ---------------------------------------------------------------- several at once, and none at all

    [Fact]
    public void SeveralDeclarationProblemsAreAllReported()
    {
        DiagnosticAssert.Reports("""
            using ConvNetGen;
            public class Base;
            public class Outer
            {
                [Input(784)]
                [Dense(10)]
                public class [|Classifier|]<T> : Base;
            }
            """,
            Error("CNG0001", "Model class 'Classifier' must be declared partial so ConvNetGen can generate its code"),
            Error("CNG0002", "Model class 'Classifier' must not be generic: every shape is a compile-time constant, so a model cannot have type parameters"),
            Error("CNG0011", "Model class 'Classifier' is nested in 'Outer'; declare models as top-level classes"),
            Error("CNG0015", "Model class 'Classifier' derives from 'Base'; generated models derive from ConvNetGen.Model, so leave the base class out"));
    }

    [Fact]
    public void ValidModelOfEveryLayerKindReportsNothing()
    {
        var run = GeneratorHarness.Run(TestModels.EveryLayerKind);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        Assert.Equal("Kinds.EveryKind.g.cs", run.SingleSource.HintName);
        var graph = GeneratorHarness.Run(TestModels.Residual);
        graph.AssertNoGeneratorDiagnostics();
        graph.AssertOutputCompilesCleanly();

        // Every kind the runtime knows (but the input) appears in one of the two models.
        foreach (var kind in Enum.GetNames<LayerKind>().Where(k => k != nameof(LayerKind.Input)))
            Assert.True(run.SingleSource.Text.Contains($"LayerKind.{kind},") || graph.SingleSource.Text.Contains($"LayerKind.{kind},"), kind);
    }

    [Fact]
    public void EveryValidTestModelReportsNothing()
    {
        foreach (var source in new TestSource[]
                 {
                     TestModels.MnistConvNet, TestModels.LayerZoo, TestModels.Mlp, TestModels.GlobalNamespace,
                     TestModels.EveryLayerKind, TestModels.BatchNormalized, TestModels.Included, TestModels.Residual, TestModels.ResNet18,
                 })
        {
            var run = GeneratorHarness.Run(source);
            run.AssertNoGeneratorDiagnostics();
            run.AssertOutputCompilesCleanly();
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    /// <summary>The descriptors in Descriptors.cs (an internal class, read by reflection so new ones are picked up).</summary>
    public static IReadOnlyList<DiagnosticDescriptor> AllDescriptors() =>
        typeof(ModelGenerator).Assembly.GetType("ConvNetGen.Generators.Diagnostics.Descriptors", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void EveryDescriptorHasATestAndADocumentationPage()
    {
        var descriptors = AllDescriptors();
        Assert.NotEmpty(descriptors);
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());

        var testNames = typeof(DiagnosticTests).GetMethods()
            .Where(m => m.GetCustomAttribute<FactAttribute>() is { Skip: null })
            .Select(m => m.Name)
            .ToList();
        string docs = Path.Combine(TestModels.RepositoryRoot(), "docs", "diagnostics");
        string toc = File.ReadAllText(Path.Combine(docs, "toc.yml")); // the site's list of pages
        foreach (var descriptor in descriptors)
        {
            Assert.True(testNames.Any(n => n.StartsWith(descriptor.Id + "_", StringComparison.Ordinal)),
                $"{descriptor.Id} has no test named {descriptor.Id}_… in DiagnosticTests.");
            string page = Path.Combine(docs, descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no documentation page at {page}.");
            Assert.True(toc.Contains($"href: {descriptor.Id}.md\n", StringComparison.Ordinal), $"{descriptor.Id} is not in docs/diagnostics/toc.yml.");
            string text = File.ReadAllText(page);
            Assert.Contains(descriptor.Id, text);
            Assert.Contains(descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
            Assert.Contains(descriptor.DefaultSeverity.ToString(), text);
            // The link is the one base (Directory.Build.props) plus the page's name, and the base is the docs/diagnostics/
            // folder, so the link resolves to the page checked above.
            Assert.Equal(TestModels.DiagnosticsHelpBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
            Assert.EndsWith("/docs/diagnostics/", TestModels.DiagnosticsHelpBase);
            Assert.True(Uri.IsWellFormedUriString(descriptor.HelpLinkUri, UriKind.Absolute), descriptor.HelpLinkUri);
        }
    }
}
