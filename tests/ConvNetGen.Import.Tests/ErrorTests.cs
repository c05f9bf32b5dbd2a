using ConvNetGen.Import.Onnx;
using static ConvNetGen.Import.Onnx.OnnxAttribute;

namespace ConvNetGen.Import.Tests;

/// <summary>Every op or attribute the importer does not translate is an error naming the node, op and attribute; so is a shape the graph declares otherwise.</summary>
public sealed class ErrorTests
{
    static OnnxModel Build(string which)
    {
        var g = new GraphBuilder(4, 8, 8, opset: 8);
        string x = "x";
        switch (which)
        {
            case "group":
                return g.Output(g.Node("Conv", "conv5", [x, g.Weight("w", 4, 2, 3, 3)], IntList("kernel_shape", 3, 3), Int("group", 2)));
            case "dilations":
                return g.Output(g.Conv("conv1", x, 4, 4, 3, IntList("dilations", 2, 2)));
            case "unknown attribute":
                return g.Output(g.Conv("conv1", x, 4, 4, 3, Int("bogus", 1)));
            case "negative pads":
                return g.Output(g.Conv("conv1", x, 4, 4, 3, IntList("pads", -1, 0, 0, 0)));
            case "unknown op":
                return g.Output(g.Node("Sigmoid", "sig1", [g.Conv("conv1", x, 4, 4, 3)]));
            case "max pool of a signed value":
                return g.Output(g.Node("MaxPool", "pool1", [g.Conv("conv1", x, 4, 4, 1)], IntList("kernel_shape", 3, 3), IntList("strides", 2, 2), IntList("pads", 1, 1, 0, 0)));
            case "ceil mode":
                return g.Output(g.Node("MaxPool", "pool1", [g.Node("Relu", "relu1", [x])], IntList("kernel_shape", 2, 2), Int("ceil_mode", 1)));
            case "spatial":
                return g.Output(g.Node("BatchNormalization", "bn1", [x, g.Weight("s", 4), g.Weight("b", 4), g.Weight("m", 4), g.Weight("v", 4)], Int("spatial", 0)));
            case "count include pad":
                return g.Output(g.Node("AveragePool", "avg1", [x], IntList("kernel_shape", 3, 3), IntList("strides", 2, 2), IntList("pads", 1, 1, 0, 0)));
            case "transA":
                return g.Output(g.Node("Gemm", "fc", [g.Node("Flatten", "flat", [x]), g.Weight("w", 256, 10)], Int("transA", 1)));
            case "softmax on a map":
                return g.Output(g.Node("Softmax", "sm", [g.Conv("conv1", x, 4, 4, 3)]));
            case "broadcast add":
                return g.Output(g.Node("Add", "add1", [x, g.Node("GlobalAveragePool", "gap", [x])]));
            case "wrong channels":
                return g.Output(g.Conv("conv1", x, 3, 4, 3));
            case "declared shape":
                g.Model.Graph.ValueInfo.Add(OnnxValueInfo.Float("conv1_out", 1, 4, 8, 8));
                return g.Output(g.Node("Relu", "relu1", [g.Conv("conv1", x, 4, 4, 3)]));
            default:
                throw new ArgumentException(which);
        }
    }

    [Theory]
    [InlineData("group", "Conv 'conv5' has group=2; grouped convolutions are not supported")]
    [InlineData("dilations", "Conv 'conv1' has dilations=[2, 2]; dilated convolutions are not supported")]
    [InlineData("unknown attribute", "Conv 'conv1' has attribute bogus=1, which the importer does not support")]
    [InlineData("negative pads", "Conv 'conv1' has pads=[-1, 0, 0, 0]; negative padding (cropping) is not supported")]
    [InlineData("unknown op", "Sigmoid 'sig1' is not supported")]
    [InlineData("max pool of a signed value", "MaxPool 'pool1' has pads=[1, 1, 0, 0] on an input that may be negative ('conv1_out')")]
    [InlineData("ceil mode", "MaxPool 'pool1' has ceil_mode=1")]
    [InlineData("spatial", "BatchNormalization 'bn1' has spatial=0")]
    [InlineData("count include pad", "AveragePool 'avg1' has pads=[1, 1, 0, 0] with count_include_pad=0, which is not Keras' same padding (0, 0, 1, 1)")]
    [InlineData("transA", "Gemm 'fc' has transA=1")]
    [InlineData("softmax on a map", "Softmax 'sm' has axis=1 on 6×6×4")]
    [InlineData("broadcast add", "Add 'add1' adds 8×8×4 from 'x' and (4) from 'gap_out'; broadcasting is not supported")]
    [InlineData("declared shape", "'conv1_out' is declared [1, 4, 8, 8] but the import computes 6×6×4 (channels last)")]
    [InlineData("wrong channels", "Conv 'conv1' has a weight 'conv1_w' for 3 input channels but its input 'x' has 4")]
    public void Unsupported_graphs_are_errors_naming_node_op_and_attribute(string which, string message)
    {
        var model = OnnxModel.Parse(Build(which).ToBytes()); // through the writer and reader, as a file would be
        var error = Assert.Throws<ImportException>(() => Importer.Import(model, "Net", null));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void The_command_line_reports_an_import_error_and_exits_1()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "grouped.onnx");
        File.WriteAllBytes(path, Build("group").ToBytes());
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = Cli.Run(["import", path, "--class", "Net", "--out", directory.Path], stdout, stderr);
        Assert.Equal(1, code);
        Assert.Equal("convnetgen: Conv 'conv5' has group=2; grouped convolutions are not supported\n", stderr.ToString().ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Path.Combine(directory.Path, "Net.cs")));
    }

    [Fact]
    public void The_command_line_writes_the_class_and_weights_and_no_temporary_file()
    {
        using var directory = new TempDirectory();
        var g = new GraphBuilder(3, 8, 8);
        string path = Path.Combine(directory.Path, "small.onnx");
        File.WriteAllBytes(path, g.Output(g.Node("Relu", "r", [g.Conv("c", "x", 3, 4, 3)])).ToBytes());
        string outDir = Path.Combine(directory.Path, "out");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, Cli.Run(["import", path, "--class", "Small", "--namespace", "N", "--out", outDir], stdout, stderr));
        Assert.Equal("", stderr.ToString());
        Assert.Equal(["Small.cs", "Small.safetensors"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        Assert.Contains("[Conv2D(4, 3, UseBias = false, Activation = Activation.ReLU, Name = \"c\")]", File.ReadAllText(Path.Combine(outDir, "Small.cs")));
        Assert.Equal(2, Cli.Run(["import", path], stdout, stderr)); // no --class: usage
    }
}
