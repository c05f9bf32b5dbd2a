using ConvNetGen.Import.Onnx;
using static ConvNetGen.Import.Onnx.OnnxAttribute;

namespace ConvNetGen.Import.Tests;

/// <summary><c>--block</c>: the network as a [Block] that takes the shape where it is included.</summary>
public sealed class BlockTests
{
    [Fact]
    public void A_block_has_no_Input_reads_Block_Input_and_keeps_ONNX_pads_where_same_padding_depends_on_the_size()
    {
        var g = new GraphBuilder(3, 8, 8);
        string conv1 = g.Conv("conv1", "x", 3, 3, 3, IntList("pads", 1, 1, 1, 1));
        string sum = g.Node("Add", "sum", [conv1, "x"]);
        // At 8×8, stride 2, Keras' same padding is (0, 1): these pads. At 7×7 it would be (1, 1): not these pads.
        string conv2 = g.Conv("conv2", sum, 3, 4, 3, IntList("pads", 0, 0, 1, 1), IntList("strides", 2, 2));
        var model = g.Output(conv2, 1, 4, 4, 4);

        string asModel = Importer.Import(model, "Small", null).ClassSource();
        Assert.Contains("[Input(8, 8, 3)]\n", asModel);
        Assert.Contains("""[Conv2D(4, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "conv2")]""", asModel);

        string asBlock = Importer.Import(model, "Small", null, block: true).ClassSource();
        Assert.DoesNotContain("[Input(", asBlock);
        Assert.Contains("""
            [Block]
            [Conv2D(3, 3, Padding = Padding.Same, UseBias = false, Name = "conv1")]
            [Add("conv1", Block.Input, Name = "sum")]
            [ZeroPadding2D(0, 1, 0, 1, Name = "conv2_pad")]
            [Conv2D(4, 3, Strides = 2, UseBias = false, Name = "conv2")]
            public partial class Small;
            """.ReplaceLineEndings("\n"), asBlock);
    }

    [Fact]
    public void A_layer_reading_the_graph_input_but_not_first_reads_Block_Input()
    {
        var g = new GraphBuilder(3, 4, 4);
        string relu = g.Node("Relu", "relu", ["x"]);
        string pool = g.Node("MaxPool", "pool", ["x"], IntList("kernel_shape", 2, 2), IntList("strides", 2, 2));
        string up = g.Node("MaxPool", "pool2", [relu], IntList("kernel_shape", 2, 2), IntList("strides", 2, 2));
        var model = g.Output(g.Node("Add", "sum", [pool, up]), 1, 3, 2, 2);
        string code = Importer.Import(model, "Small", null, block: true).ClassSource();
        Assert.Contains("""[MaxPooling2D(2, Input = Block.Input, Name = "pool")]""", code);
    }

    [Fact]
    public void The_cli_writes_the_committed_ResNet18Block_byte_for_byte()
    {
        using var directory = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Cli.Run(["import", TestPaths.ResNet18Onnx, "--class", "ResNet18Block", "--namespace", "PretrainedFineTuning", "--out", directory.Path, "--block"], output, error);
        Assert.True(code == 0, error.ToString());
        string committed = Path.Combine(Path.GetDirectoryName(TestPaths.CommittedClass)!, "..", "PretrainedFineTuning", "ResNet18Block.cs");
        Assert.Equal(File.ReadAllText(committed), File.ReadAllText(Path.Combine(directory.Path, "ResNet18Block.cs")));
        Assert.True(new FileInfo(Path.Combine(directory.Path, "ResNet18Block.safetensors")).Length > 15_908_800L * 4);
    }
}
