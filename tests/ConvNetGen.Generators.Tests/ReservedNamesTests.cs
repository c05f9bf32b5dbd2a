using System.Reflection;
using ConvNetGen.Generators.Shapes;
using ConvNetGen.Generators.Tests.Infrastructure;

namespace ConvNetGen.Generators.Tests;

/// <summary>
/// A layer's generated accessor must not take the name of a member the model class inherits or the generator
/// declares: it would hide it (CS0108). The generator keeps those names in <see cref="LayerNames"/> and renames
/// colliding accessors (<c>predict</c> → <c>PredictLayer</c>); these tests keep its list in step with the runtime.
/// </summary>
public class ReservedNamesTests
{
    private const BindingFlags AllMembers =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;

    /// <summary>Whether a member of <c>Model</c> is visible to the generated subclass (public, protected or protected internal).</summary>
    private static bool VisibleToSubclass(MemberInfo member) => member switch
    {
        MethodBase m => !m.IsSpecialName && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly),
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(AccessorVisible),
        EventInfo e => e.AddMethod is { } add && AccessorVisible(add),
        Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
        _ => false,
    };

    /// <summary>An accessor's visibility (accessors are special names, which <see cref="VisibleToSubclass"/> skips as members).</summary>
    private static bool AccessorVisible(MethodInfo m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    public static IEnumerable<string> ModelMemberNamesByReflection() =>
        typeof(global::ConvNetGen.Model).GetMembers(AllMembers)
            .Where(m => m is not ConstructorInfo)
            .Where(VisibleToSubclass)
            .Select(m => m.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);

    [Fact]
    public void EveryMemberOfModelIsReserved()
    {
        var names = ModelMemberNamesByReflection().ToArray();
        Assert.Contains("Predict", names);              // the public surface,
        Assert.Contains("SumAcrossChunks", names);      // the protected hooks,
        Assert.Contains("MemberwiseClone", names);      // object's protected members
        Assert.Contains("ReferenceEquals", names);      // and its static ones
        var missing = names.Except(LayerNames.ModelMemberNames, StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0,
            $"Model has members the generator does not reserve for layer accessors: {string.Join(", ", missing)}. Add them to LayerNames.ModelMemberNames.");
    }

    [Fact]
    public void NoStaleReservedModelMembers()
    {
        // The list names only members that exist, so it cannot drift the other way unnoticed either.
        var stale = LayerNames.ModelMemberNames.Except(ModelMemberNamesByReflection(), StringComparer.Ordinal).ToArray();
        Assert.True(stale.Length == 0, $"LayerNames.ModelMemberNames lists names Model no longer has: {string.Join(", ", stale)}.");
    }

    [Fact]
    public void GeneratedMembersAreReserved()
    {
        var run = GeneratorHarness.Run(TestModels.MnistConvNet);
        run.AssertNoGeneratorDiagnostics();
        foreach (string name in new[] { "Shapes", "Summary", "Architecture", "Workspace" })
        {
            Assert.Contains(name, LayerNames.GeneratedMemberNames);
            Assert.Contains(name, run.GeneratedSources.Single().Text);
        }
    }

    [Theory]
    [InlineData("sum_across_chunks", "SumAcrossChunksLayer")]
    [InlineData("is_first_chunk", "IsFirstChunkLayer")]
    [InlineData("predict", "PredictLayer")]
    [InlineData("release_buffers", "ReleaseBuffersLayer")]
    [InlineData("is_training", "IsTrainingLayer")]
    [InlineData("item", "ItemLayer")]
    [InlineData("reference_equals", "ReferenceEqualsLayer")]
    [InlineData("memberwise_clone", "MemberwiseCloneLayer")]
    public void LayerNamedLikeAModelMemberGetsARenamedAccessor(string layerName, string accessor)
    {
        // The existing design for colliding names: no diagnostic; the accessor takes a "Layer" suffix, and the
        // generated code hides nothing (no CS0108) and keeps the layer's own name.
        var run = GeneratorHarness.Run($$"""
            using ConvNetGen;
            namespace Names;
            [Input(784)]
            [Dense(16, Name = "{{layerName}}")]
            [Dense(10)]
            public partial class Collides;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        string text = run.GeneratedSources.Single().Text;
        Assert.Contains($"public global::ConvNetGen.Layer {accessor} => Layers[0];", text);
        Assert.Contains($"\"{layerName}\"", text);
    }

    [Fact]
    public void A_layer_named_like_a_type_the_attributes_use_leaves_that_type_visible_to_them()
    {
        // Keras names an Activation layer "activation"; as a member named Activation it would hide the enum from the
        // model's own attributes, and Activation.ReLU in them would not compile (CS0120).
        var run = GeneratorHarness.Run("""
            using ConvNetGen;
            namespace Names;
            [Input(6, 6, 2)]
            [Conv2D(4, 3, Padding = Padding.Same)]
            [Activation(Activation.ReLU)]
            [ZeroPadding2D(1, Name = "padding")]
            [Flatten(Name = "block")]
            [Dense(3, Activation = Activation.Softmax)]
            public partial class Shadows;
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertOutputCompilesCleanly();
        string text = run.GeneratedSources.Single().Text;
        Assert.Contains("public global::ConvNetGen.Layer ActivationLayer => Layers[1];", text);
        Assert.Contains("public global::ConvNetGen.Layer PaddingLayer => Layers[2];", text);
        Assert.Contains("public global::ConvNetGen.Layer BlockLayer => Layers[3];", text);
    }
}
