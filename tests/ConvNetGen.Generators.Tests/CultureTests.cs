using System.Globalization;
using ConvNetGen.Generators.Tests.Infrastructure;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// The generated code and the diagnostics' messages must not depend on the build machine's culture: decimal commas
/// (de-DE), Arabic formatting (ar-SA), the Turkish dotted/dotless i (tr-TR).
/// </summary>
public class CultureTests
{
    /// <summary>Models with fractional arguments, custom names with 'i' (Turkish casing), and ones that produce diagnostics.</summary>
    private static readonly TestSource[] Sources =
    [
        TestModels.MnistConvNet,
        new("Zoo.cs", TestModels.LayerZoo),
        new("Kinds.cs", TestModels.EveryLayerKind),
        new("Mlp.cs", TestModels.Mlp),
        new("Turkish.cs", """
            using ConvNetGen;
            namespace Culture;
            [Input(16, 16, 3, Name = "image_input")]
            [Rescaling(0.5, offset: -0.25, Name = "scale_input")]
            [Conv2D(4, 3, Name = "initial")]
            [BatchNormalization(Momentum = 0.95, Epsilon = 1.5e-4, Name = "instance_norm")]
            [Flatten]
            [Dropout(0.125, Name = "dropout_i")]
            [Dense(1234, Name = "big_in")]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class Turkish;
            """),
        new("Broken.cs", """
            using ConvNetGen;
            namespace Culture;
            [Input(784)]
            [Dense(64, Activation = Activation.Softmax)]
            [Dropout(-0.125)]
            [Dense(10)]
            public partial class Broken;

            [Input(28, -1, 1)]
            [Dense(10)]
            public partial class BadInput;

            [Input(12, 12, 1)]
            [Conv2D(4, 13)]
            [Dense(10)]
            public partial class BigKernel;
            """),
    ];

    public static TheoryData<string> Cultures => new() { "de-DE", "ar-SA", "tr-TR", "fr-CH" };

    [Theory]
    [MemberData(nameof(Cultures))]
    public void OutputDoesNotDependOnTheCurrentCulture(string cultureName)
    {
        var invariant = RunIn(CultureInfo.InvariantCulture);
        var culture = CultureInfo.GetCultureInfo(cultureName);
        // Make sure the culture is really different here (no invariant-globalization mode hiding it).
        Assert.False(culture.NumberFormat.NumberDecimalSeparator == "." && culture.NumberFormat.NumberGroupSeparator == ",",
            $"{cultureName} formats numbers like the invariant culture in this process; the test would prove nothing.");

        var localized = RunIn(culture);

        Assert.Equal(invariant.Sources.Select(s => s.HintName), localized.Sources.Select(s => s.HintName));
        for (int i = 0; i < invariant.Sources.Count; i++)
        {
            string diff = LineDiff.Unified(invariant.Sources[i].Text, localized.Sources[i].Text, "invariant", cultureName);
            Assert.True(diff.Length == 0, $"{invariant.Sources[i].HintName} differs under {cultureName}:\n{diff}");
        }
        Assert.Equal(invariant.Diagnostics, localized.Diagnostics);
        Assert.NotEmpty(invariant.Diagnostics);
    }

    private sealed record Output(List<GeneratedFile> Sources, List<string> Diagnostics);

    private static Output RunIn(CultureInfo culture)
    {
        var (savedCulture, savedUiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            var run = GeneratorHarness.Run(Sources);
            // Messages as the compiler formats them for the user: with the current culture.
            var diagnostics = run.GeneratorDiagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage()}").ToList();
            return new Output(run.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).ToList(), diagnostics);
        }
        finally
        {
            CultureInfo.CurrentCulture = savedCulture;
            CultureInfo.CurrentUICulture = savedUiCulture;
        }
    }
}
