using System.Globalization;
using System.Text;
using ConvNetGen.Import.Onnx;

namespace ConvNetGen.Import;

/// <summary>An ONNX graph the importer cannot translate; the message names the node, its op and the attribute.</summary>
public sealed class ImportException(string message) : Exception(message);

/// <summary>One layer of the imported model: its attribute line, and its weights in Keras names and layouts.</summary>
/// <param name="Name">The layer's name in the model.</param>
/// <param name="Attribute">The attribute as written in the class, e.g. <c>Conv2D(64, 7, Strides = 2, …)</c>.</param>
/// <param name="Weights">(weight name, shape, values), e.g. (<c>kernel</c>, [7, 7, 3, 64], …) in HWIO.</param>
public sealed record ImportedLayer(string Name, string Attribute, IReadOnlyList<(string Name, int[] Shape, float[] Values)> Weights);

/// <summary>
/// Translates an ONNX convnet into ConvNetGen's attributes, one node at a time in the graph's (topological) order,
/// tracking every value's shape in channels-last terms and checking each weight against it.
/// </summary>
public static class Importer
{
    /// <summary>Imports <paramref name="model"/> as a class named <paramref name="className"/>.</summary>
    /// <param name="model">The ONNX model.</param>
    /// <param name="className">The C# class name.</param>
    /// <param name="ns">The namespace, or null for none.</param>
    /// <param name="source">What the file header says the model came from (a file name, no folder, so output is reproducible).</param>
    /// <param name="block">
    /// Write a <c>[Block]</c> instead of a model with an <c>[Input]</c>: it takes the shape where it is included, so
    /// the network runs at another image size (a layer reading the graph input reads <c>Block.Input</c>). Keras' same
    /// padding is then used only where it equals the ONNX padding at every size (stride 1, or auto_pad=SAME_UPPER);
    /// elsewhere the ONNX pads are written as a ZeroPadding2D, as ONNX applies them whatever the size. Fixed pads that
    /// line up at the ONNX input's size may not at another (CNTK's ResNet18 needs an even input at every stage, so a
    /// multiple of 32): the generator then reports the mismatch (CNG0022) where the block is included. A pooling over
    /// the whole map at the ONNX size is written as a global pooling, so in a block it pools the whole map at any size.
    /// </param>
    /// <exception cref="ImportException">An op, attribute or shape the importer does not support.</exception>
    public static ImportResult Import(OnnxModel model, string className, string? ns, string source = "model.onnx", bool block = false) =>
        new Translation(model, block).Run(className, ns, source);

    // A value of the ONNX graph as our model holds it: the layer that produces it and its channels-last shape.
    // Pooled: a global pooling's (C) output standing for ONNX's [N, C, 1, 1]. ChwFlat: a Flatten of an H×W×C map,
    // whose ONNX order (C, H, W) differs from ours (H, W, C), so a Dense reading it permutes its kernel's rows.
    sealed record Value(string Layer, int H, int W, int C, bool Flat, bool NonNegative, bool Pooled = false, (int H, int W, int C)? ChwFlat = null)
    {
        public int Length => Flat ? C : H * W * C;
        public string Describe() => Flat ? $"({C})" : $"{H}×{W}×{C}";
    }

    sealed class Translation(OnnxModel model, bool block)
    {
        const string InputLayer = "input_layer";
        readonly OnnxGraph _graph = model.Graph;
        readonly Dictionary<string, OnnxTensor> _constants = [];
        readonly Dictionary<string, Value> _values = [];
        readonly Dictionary<string, int> _readers = [];
        readonly HashSet<string> _names = [InputLayer];
        readonly List<(ImportedLayer Layer, string Input)> _layers = [];
        readonly List<string> _warnings = [];
        string _inputLine = "";

        public ImportResult Run(string className, string? ns, string source)
        {
            foreach (var (domain, version) in model.Opsets)
                if (domain is not ("" or "ai.onnx"))
                    throw new ImportException($"the model imports opset domain '{domain}' (version {version}); only the default ONNX domain is supported");
            foreach (var t in _graph.Initializers) _constants[t.Name] = t;
            foreach (var node in _graph.Nodes)
            foreach (var input in node.Inputs)
                _readers[input] = _readers.GetValueOrDefault(input) + 1;
            foreach (var graphOutput in _graph.Outputs)
                _readers[graphOutput.Name] = _readers.GetValueOrDefault(graphOutput.Name) + 1;

            ReadInput();
            // A node whose outputs reach no graph output would be a layer that never runs (CNG0023): leave it out.
            var needed = new HashSet<string>(_graph.Outputs.Select(o => o.Name));
            var live = new HashSet<OnnxNode>();
            for (int i = _graph.Nodes.Count - 1; i >= 0; i--)
            {
                var node = _graph.Nodes[i];
                if (!node.Outputs.Any(needed.Contains)) continue;
                live.Add(node);
                needed.UnionWith(node.Inputs);
            }
            foreach (var node in _graph.Nodes)
            {
                if (!live.Contains(node))
                {
                    _warnings.Add($"{Describe(node)} does not reach the graph output; left out");
                    continue;
                }
                if (!_skipped.Contains(node)) Translate(node);
            }

            if (_graph.Outputs.Count != 1)
                throw new ImportException($"the graph has {_graph.Outputs.Count} outputs; a model has exactly one");
            var output = _graph.Outputs[0];
            var result = ValueOf(output.Name, "the graph output");
            if (_layers.Count == 0 || result.Layer != _layers[^1].Layer.Name)
                throw new ImportException($"the graph output '{output.Name}' is made by '{result.Layer}', not by the last layer; a model's output is its last layer");
            CheckDeclaredShape(output, result, "the graph output");

            return new ImportResult(className, ns, source, model, _inputLine, _layers, _warnings, block);
        }

        void ReadInput()
        {
            var inputs = _graph.Inputs.Where(i => !_constants.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
                throw new ImportException($"the graph has {inputs.Count} inputs besides its initializers ({string.Join(", ", inputs.Select(i => i.Name))}); a model has exactly one");
            var input = inputs[0];
            if (input.ElementType != OnnxTensor.FloatType)
                throw new ImportException($"the graph input '{input.Name}' has element type {input.ElementType}; only float (1) is supported");
            if (input.Shape.Count != 4 || input.Shape.Skip(1).Any(d => d is null or <= 0) || input.Shape[0] is not (null or 1))
                throw new ImportException($"the graph input '{input.Name}' has shape [{string.Join(", ", input.Shape.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}]; expected [N, C, H, W] with fixed C, H, W");
            int c = (int)input.Shape[1]!, h = (int)input.Shape[2]!, w = (int)input.Shape[3]!;
            _inputLine = $"Input({h}, {w}, {c})";
            _values[input.Name] = new Value(InputLayer, h, w, c, Flat: false, NonNegative: false);
        }

        void Translate(OnnxNode node)
        {
            if (node.Domain is not ("" or "ai.onnx"))
                throw Error(node, $"is in domain '{node.Domain}'; only the default ONNX domain is supported");
            switch (node.OpType)
            {
                case "Conv": Conv(node); break;
                case "BatchNormalization": BatchNormalization(node); break;
                case "Relu": Relu(node); break;
                case "Add": AddOp(node); break;
                case "MaxPool": Pool(node, max: true); break;
                case "AveragePool": Pool(node, max: false); break;
                case "GlobalAveragePool": GlobalPool(node, max: false); break;
                case "GlobalMaxPool": GlobalPool(node, max: true); break;
                case "Flatten": Flatten(node); break;
                case "Reshape": Reshape(node); break;
                case "Gemm": Gemm(node); break;
                case "MatMul": MatMul(node); break;
                case "Softmax": Softmax(node); break;
                case "Identity" or "Dropout": Passthrough(node); break;
                case "Constant": Constant(node); break;
                default: throw Error(node, "is not supported (supported: Conv, BatchNormalization, Relu, Add, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten, Reshape, Gemm, MatMul, Softmax, Identity, Dropout, Constant)");
            }
        }

        // ---- ops ----

        void Conv(OnnxNode node)
        {
            Allow(node, "kernel_shape", "strides", "pads", "auto_pad", "group", "dilations");
            if (node.Inputs.Count is < 2 or > 3) throw Error(node, $"has {node.Inputs.Count} inputs; expected X, W and an optional B");
            var x = Spatial(node, 0);
            var weight = Constant(node, 1, "W");
            if (Int(node, "group", 1) != 1)
                throw Error(node, $"has group={Int(node, "group", 1)}; grouped convolutions are not supported");
            var dilations = Ints(node, "dilations", [1, 1]);
            if (dilations.Any(d => d != 1))
                throw Error(node, $"has dilations=[{string.Join(", ", dilations)}]; dilated convolutions are not supported");
            if (weight.Dims.Count != 4)
                throw Error(node, $"has a {weight.Dims.Count}-d weight '{weight.Name}'; only 2-d convolutions (OIHW weights) are supported");
            int filters = (int)weight.Dims[0], inChannels = (int)weight.Dims[1], kh = (int)weight.Dims[2], kw = (int)weight.Dims[3];
            var kernelShape = Ints(node, "kernel_shape", [kh, kw]);
            if (kernelShape.Length != 2 || kernelShape[0] != kh || kernelShape[1] != kw)
                throw Error(node, $"has kernel_shape=[{string.Join(", ", kernelShape)}] but its weight '{weight.Name}' is {kh}×{kw}");
            if (inChannels != x.C)
                throw Error(node, $"has a weight '{weight.Name}' for {inChannels} input channels but its input '{node.Inputs[0]}' has {x.C} ({x.Describe()})");
            var (sh, sw) = Strides(node);
            var (top, left, bottom, right) = Pads(node, x, kh, kw, sh, sw);

            float[]? bias = null;
            if (node.Inputs.Count == 3 && node.Inputs[2].Length > 0)
            {
                var b = Constant(node, 2, "B");
                if (b.ElementCount != filters) throw Error(node, $"has a bias '{b.Name}' of {b.ElementCount} values for {filters} filters");
                bias = b.FloatData;
            }

            string name = NameFor(node);
            var (input, h, w, padding) = PadFor(node, x, name, top, bottom, left, right, kh, kw, sh, sw, PadRule.Zero);
            int oh = (h - kh) / sh + 1, ow = (w - kw) / sw + 1;
            if (padding == "Same") { oh = (x.H + sh - 1) / sh; ow = (x.W + sw - 1) / sw; }
            if (oh < 1 || ow < 1) throw Error(node, $"needs an input of at least {kh}×{kw} but gets {h}×{w}");

            var args = new StringBuilder($"Conv2D({filters}, {KernelArgs(kh, kw)}");
            AppendStrides(args, sh, sw, defaultStride: 1);
            if (padding == "Same") args.Append(", Padding = Padding.Same");
            if (bias is null) args.Append(", UseBias = false");
            var weights = new List<(string, int[], float[])> { ("kernel", [kh, kw, inChannels, filters], OihwToHwio(weight.FloatData, filters, inChannels, kh, kw)) };
            if (bias is not null) weights.Add(("bias", [filters], bias));
            Emit(node, name, args.ToString(), input, weights, new Value(name, oh, ow, filters, Flat: false, NonNegative: false));
        }

        void BatchNormalization(OnnxNode node)
        {
            Allow(node, "epsilon", "momentum", "spatial", "training_mode");
            if (node.Outputs.Count != 1)
                throw Error(node, $"has {node.Outputs.Count} outputs; only inference mode (one output) is supported");
            if (Int(node, "spatial", 1) != 1)
                throw Error(node, "has spatial=0; only per-channel (spatial) batch normalization is supported");
            if (Int(node, "training_mode", 0) != 0)
                throw Error(node, "has training_mode=1; only inference mode is supported");
            var x = ValueOf(node.Inputs[0], Describe(node));
            if (x.Flat && !x.Pooled) throw Error(node, $"reads a flat value {x.Describe()}; only channels of a feature map are supported");
            int channels = x.C;
            string[] roles = ["scale", "B", "mean", "var"];
            var tensors = new float[4][];
            for (int i = 0; i < 4; i++)
            {
                var t = Constant(node, i + 1, roles[i]);
                if (t.ElementCount != channels)
                    throw Error(node, $"has {roles[i]} '{t.Name}' of {t.ElementCount} values but its input has {channels} channels");
                tensors[i] = t.FloatData;
            }
            float epsilon = Float(node, "epsilon", 1e-5f);
            string name = NameFor(node);
            // Keras' momentum only matters for training; the ONNX value (often 1 - PyTorch's) is not carried over.
            Emit(node, name, $"BatchNormalization(Epsilon = {Literal(epsilon)}, Momentum = 0.9", x.Layer,
                [("gamma", [channels], tensors[0]), ("beta", [channels], tensors[1]), ("moving_mean", [channels], tensors[2]), ("moving_variance", [channels], tensors[3])],
                x with { Layer = name, NonNegative = false });
        }

        void Relu(OnnxNode node)
        {
            Allow(node);
            var x = ValueOf(node.Inputs[0], Describe(node));
            // Fuse into a conv (or dense) written just above when nothing else reads it.
            if (_layers.Count > 0 && _layers[^1].Layer.Name == x.Layer && _readers.GetValueOrDefault(node.Inputs[0]) == 1
                && _layers[^1].Layer.Attribute is var a && (a.StartsWith("Conv2D(", StringComparison.Ordinal) || a.StartsWith("Dense(", StringComparison.Ordinal))
                && !a.Contains("Activation =", StringComparison.Ordinal))
            {
                SetActivation("ReLU");
                _values[node.Outputs[0]] = x with { NonNegative = true };
                return;
            }
            string name = NameFor(node);
            Emit(node, name, "Activation(Activation.ReLU", x.Layer, [], x with { Layer = name, NonNegative = true });
        }

        void AddOp(OnnxNode node)
        {
            Allow(node);
            if (node.Inputs.Count != 2) throw Error(node, $"has {node.Inputs.Count} inputs; expected 2");
            if (node.Inputs.Any(_constants.ContainsKey))
                throw Error(node, "adds a constant; only an Add of two computed values of one shape (a shortcut), or a bias after MatMul, is supported");
            var a = ValueOf(node.Inputs[0], Describe(node));
            var b = ValueOf(node.Inputs[1], Describe(node));
            if (a.Flat != b.Flat || a.H != b.H || a.W != b.W || a.C != b.C)
                throw Error(node, $"adds {a.Describe()} from '{node.Inputs[0]}' and {b.Describe()} from '{node.Inputs[1]}'; broadcasting is not supported");
            string name = NameFor(node);
            Emit(node, name, $"Add(\"{a.Layer}\", \"{b.Layer}\"", a.Layer, [], a with { Layer = name, NonNegative = a.NonNegative && b.NonNegative, ChwFlat = null }, names: true);
        }

        void Pool(OnnxNode node, bool max)
        {
            if (max) Allow(node, "kernel_shape", "strides", "pads", "auto_pad", "storage_order", "dilations", "ceil_mode");
            else Allow(node, "kernel_shape", "strides", "pads", "auto_pad", "count_include_pad", "ceil_mode");
            if (node.Outputs.Count != 1) throw Error(node, $"has {node.Outputs.Count} outputs; the Indices output is not supported");
            var x = Spatial(node, 0);
            if (Int(node, "ceil_mode", 0) != 0) throw Error(node, "has ceil_mode=1; only floor (ceil_mode=0) output sizes are supported");
            if (max && Int(node, "storage_order", 0) != 0) throw Error(node, "has storage_order=1; only row-major (0) is supported");
            if (max && Ints(node, "dilations", [1, 1]).Any(d => d != 1)) throw Error(node, $"has dilations=[{string.Join(", ", Ints(node, "dilations", [1, 1]))}]; dilated pooling is not supported");
            var kernel = Ints(node, "kernel_shape", []);
            if (kernel.Length != 2) throw Error(node, $"has kernel_shape=[{string.Join(", ", kernel)}]; expected two sizes");
            int kh = (int)kernel[0], kw = (int)kernel[1];
            var (sh, sw) = Strides(node);
            var (top, left, bottom, right) = Pads(node, x, kh, kw, sh, sw);
            bool padded = top + left + bottom + right > 0;
            string name = NameFor(node);

            // A pooling over the whole map, unpadded, is a global pooling (ONNX keeps a 1×1 map; we keep (C)).
            if (!padded && kh == x.H && kw == x.W)
            {
                Emit(node, name, max ? "GlobalMaxPooling2D(" : "GlobalAveragePooling2D(", x.Layer, [],
                    new Value(name, 1, 1, x.C, Flat: true, NonNegative: x.NonNegative, Pooled: true));
                return;
            }
            // Max: zero padding is ONNX's -∞ padding only on non-negative inputs; Keras' same padding never wins.
            // Average: counting the padding is zero padding; leaving it out is Keras' same padding, or nothing we have.
            var rule = max ? (x.NonNegative ? PadRule.Zero : PadRule.SameOnly)
                : Int(node, "count_include_pad", 0) != 0 ? PadRule.ZeroOnly : PadRule.SameOnly;
            var (input, h, w, padding) = PadFor(node, x, name, top, bottom, left, right, kh, kw, sh, sw, rule);
            int oh = (h - kh) / sh + 1, ow = (w - kw) / sw + 1;
            if (padding == "Same") { oh = (x.H + sh - 1) / sh; ow = (x.W + sw - 1) / sw; }
            if (oh < 1 || ow < 1) throw Error(node, $"needs an input of at least {kh}×{kw} but gets {h}×{w}");
            var args = new StringBuilder($"{(max ? "MaxPooling2D" : "AveragePooling2D")}({KernelArgs(kh, kw)}");
            AppendStrides(args, sh, sw, defaultStride: kh == kw ? kh : -1, poolHeight: kh, poolWidth: kw);
            if (padding == "Same") args.Append(", Padding = Padding.Same");
            Emit(node, name, args.ToString(), input, [], new Value(name, oh, ow, x.C, Flat: false, NonNegative: x.NonNegative));
        }

        void GlobalPool(OnnxNode node, bool max)
        {
            Allow(node);
            var x = Spatial(node, 0);
            string name = NameFor(node);
            Emit(node, name, max ? "GlobalMaxPooling2D(" : "GlobalAveragePooling2D(", x.Layer, [],
                new Value(name, 1, 1, x.C, Flat: true, NonNegative: x.NonNegative, Pooled: true));
        }

        void Flatten(OnnxNode node)
        {
            Allow(node, "axis");
            if (Int(node, "axis", 1) != 1) throw Error(node, $"has axis={Int(node, "axis", 1)}; only axis=1 (keep the batch) is supported");
            FlattenValue(node, ValueOf(node.Inputs[0], Describe(node)));
        }

        void Reshape(OnnxNode node)
        {
            Allow(node, "allowzero");
            var x = ValueOf(node.Inputs[0], Describe(node));
            var shape = Constant(node, 1, "shape");
            if (shape.DataType != OnnxTensor.Int64Type) throw Error(node, $"has a shape '{shape.Name}' of element type {shape.DataType}; expected int64");
            var dims = shape.Int64Data;
            // Only a reshape to [N, features] (a flatten) has a meaning for a channels-last model.
            bool flat = dims.Length == 2 && dims[0] is 0 or 1 or -1 && (dims[1] == -1 || dims[1] == x.Length);
            if (!flat) throw Error(node, $"has shape=[{string.Join(", ", dims)}]; only a flatten to [N, {x.Length}] is supported");
            FlattenValue(node, x);
        }

        void FlattenValue(OnnxNode node, Value x)
        {
            // A pooled (C) value is already flat: ONNX's [N, C, 1, 1] flattens to the same order as ours.
            if (x.Flat)
            {
                _values[node.Outputs[0]] = x;
                return;
            }
            string name = NameFor(node);
            Emit(node, name, "Flatten(", x.Layer, [],
                new Value(name, 1, 1, x.Length, Flat: true, NonNegative: x.NonNegative, ChwFlat: x.H * x.W > 1 ? (x.H, x.W, x.C) : null));
        }

        void Gemm(OnnxNode node)
        {
            Allow(node, "alpha", "beta", "transA", "transB");
            if (Float(node, "alpha", 1) != 1) throw Error(node, $"has alpha={Literal(Float(node, "alpha", 1))}; only alpha=1 is supported");
            if (Float(node, "beta", 1) != 1) throw Error(node, $"has beta={Literal(Float(node, "beta", 1))}; only beta=1 is supported");
            if (Int(node, "transA", 0) != 0) throw Error(node, "has transA=1; only an untransposed input is supported");
            bool transB = Int(node, "transB", 0) != 0;
            var x = Flat(node);
            var b = Constant(node, 1, "B");
            if (b.Dims.Count != 2) throw Error(node, $"has a {b.Dims.Count}-d B '{b.Name}'; expected a matrix");
            int inputs = (int)(transB ? b.Dims[1] : b.Dims[0]), units = (int)(transB ? b.Dims[0] : b.Dims[1]);
            float[]? bias = null;
            if (node.Inputs.Count == 3 && node.Inputs[2].Length > 0)
            {
                var c = Constant(node, 2, "C");
                if (c.ElementCount != units) throw Error(node, $"has a C '{c.Name}' of {c.ElementCount} values for {units} units; only a per-unit bias is supported");
                bias = c.FloatData;
            }
            Dense(node, x, b.FloatData, transB, inputs, units, bias, node.Outputs[0]);
        }

        void MatMul(OnnxNode node)
        {
            Allow(node);
            var x = Flat(node);
            var b = Constant(node, 1, "B");
            if (b.Dims.Count != 2) throw Error(node, $"has a {b.Dims.Count}-d B '{b.Name}'; expected a matrix");
            int inputs = (int)b.Dims[0], units = (int)b.Dims[1];
            // MatMul + Add(bias) is a Dense with a bias: take the Add when it is MatMul's only reader.
            var add = _graph.Nodes.FirstOrDefault(n => n.OpType == "Add" && n.Inputs.Contains(node.Outputs[0]));
            float[]? bias = null;
            string output = node.Outputs[0];
            if (add is not null && _readers.GetValueOrDefault(node.Outputs[0]) == 1
                && add.Inputs.FirstOrDefault(i => i != node.Outputs[0]) is { } other && _constants.TryGetValue(other, out var c))
            {
                if (c.ElementCount != units) throw Error(add, $"adds '{c.Name}' of {c.ElementCount} values to {units} units; only a per-unit bias is supported");
                bias = c.FloatData;
                output = add.Outputs[0];
                _skipped.Add(add);
            }
            Dense(node, x, b.FloatData, transposed: false, inputs, units, bias, output);
        }

        readonly HashSet<OnnxNode> _skipped = [];

        void Dense(OnnxNode node, Value x, float[] b, bool transposed, int inputs, int units, float[]? bias, string output)
        {
            if (inputs != x.Length)
                throw Error(node, $"has a weight for {inputs} inputs but its input '{node.Inputs[0]}' has {x.Length} ({x.Describe()})");
            // Keras' kernel is (inputs, units); a transposed B is (units, inputs). Rows follow our flatten order.
            var kernel = new float[inputs * units];
            for (int i = 0; i < inputs; i++)
            {
                int row = i;
                if (x.ChwFlat is var (h, w, c))
                {
                    int hh = i / (w * c), ww = i / c % w, cc = i % c;
                    row = cc * h * w + hh * w + ww;
                }
                for (int u = 0; u < units; u++)
                    kernel[i * units + u] = transposed ? b[u * inputs + row] : b[row * units + u];
            }
            string name = NameFor(node);
            var weights = new List<(string, int[], float[])> { ("kernel", [inputs, units], kernel) };
            if (bias is not null) weights.Add(("bias", [units], bias));
            Emit(node, name, $"Dense({units}{(bias is null ? ", UseBias = false" : "")}", x.Layer, weights,
                new Value(name, 1, 1, units, Flat: true, NonNegative: false), output: output);
        }

        void Softmax(OnnxNode node)
        {
            Allow(node, "axis");
            var x = ValueOf(node.Inputs[0], Describe(node));
            long axis = Int(node, "axis", model.Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx").Version >= 13 ? -1 : 1);
            if (!x.Flat || axis is not (1 or -1))
                throw Error(node, $"has axis={axis} on {x.Describe()}; only a softmax over the units of a Dense is supported");
            bool last = _graph.Outputs.Any(o => o.Name == node.Outputs[0]);
            if (!last || _layers.Count == 0 || _layers[^1].Layer.Name != x.Layer || !_layers[^1].Layer.Attribute.StartsWith("Dense(", StringComparison.Ordinal)
                || _layers[^1].Layer.Attribute.Contains("Activation =", StringComparison.Ordinal) || _readers.GetValueOrDefault(node.Inputs[0]) != 1)
                throw Error(node, "is not the graph's output right after a Dense; only a final softmax (the Dense's activation) is supported");
            SetActivation("Softmax");
            _values[node.Outputs[0]] = x;
        }

        void Passthrough(OnnxNode node)
        {
            Allow(node, "ratio", "is_test", "seed", "training_mode");
            if (node.OpType == "Dropout" && node.Outputs.Count > 1 && node.Outputs[1].Length > 0 && _readers.GetValueOrDefault(node.Outputs[1]) > 0)
                throw Error(node, "has its mask output read; only inference (the identity) is supported");
            _values[node.Outputs[0]] = ValueOf(node.Inputs[0], Describe(node));
        }

        void Constant(OnnxNode node)
        {
            Allow(node, "value");
            _constants[node.Outputs[0]] = node.Attribute("value")?.T ?? throw Error(node, "has no tensor 'value'; only tensor constants are supported");
        }

        // ---- emission ----

        void Emit(OnnxNode node, string name, string attribute, string input, List<(string, int[], float[])> weights, Value value,
                  bool names = false, string? output = null)
        {
            if (node.Outputs.Count != 1)
                throw Error(node, $"has {node.Outputs.Count} outputs; expected one");
            string line = $"{(attribute.EndsWith('(') ? attribute : attribute + ", ")}Name = \"{name}\")";
            _layers.Add((new ImportedLayer(name, line, weights), names ? "" : input));
            string produced = output ?? node.Outputs[0];
            CheckValueInfo(produced, value);
            _values[produced] = value;
        }

        void SetActivation(string activation)
        {
            var (layer, input) = _layers[^1];
            string a = layer.Attribute;
            int at = a.LastIndexOf(", Name = ", StringComparison.Ordinal);
            _layers[^1] = (layer with { Attribute = a[..at] + $", Activation = Activation.{activation}" + a[at..] }, input);
        }

        (string Input, int H, int W, string Padding) PadFor(OnnxNode node, Value x, string name, int top, int bottom, int left, int right,
                                                           int kh, int kw, int sh, int sw, PadRule rule)
        {
            if (top + bottom + left + right == 0) return (x.Layer, x.H, x.W, "Valid");
            var (st, sb) = KerasSame(x.H, kh, sh);
            var (sl, sr) = KerasSame(x.W, kw, sw);
            // Keras' same padding is exactly this padding: say so (for max pooling it never wins, as ONNX's -∞).
            // In a block the input size is not known: same padding at stride > 1 depends on it, explicit ONNX pads do not.
            bool sameAtEverySize = !block || (sh == 1 && sw == 1) || (node.Attribute("auto_pad")?.S ?? "NOTSET") == "SAME_UPPER";
            if ((top, bottom, left, right) == (st, sb, sl, sr) && rule != PadRule.ZeroOnly && sameAtEverySize) return (x.Layer, x.H, x.W, "Same");
            if (block && (node.Attribute("auto_pad")?.S ?? "NOTSET") == "SAME_LOWER" && !(sh == 1 && sw == 1))
                throw Error(node, "has auto_pad=\"SAME_LOWER\" at stride > 1, whose padding depends on the input size; not supported with --block");
            if (rule == PadRule.SameOnly && node.OpType == "MaxPool")
                throw Error(node, $"has pads=[{top}, {left}, {bottom}, {right}] on an input that may be negative ('{node.Inputs[0]}'); zero padding equals ONNX's -∞ padding only after a Relu, so this is not supported");
            if (rule == PadRule.SameOnly)
                throw Error(node, $"has pads=[{top}, {left}, {bottom}, {right}] with count_include_pad=0, which is not Keras' same padding ({st}, {sl}, {sb}, {sr}); such an average is not supported");
            string padName = Unique(name + "_pad");
            string padArgs = top == bottom && left == right ? (top == left ? $"{top}" : $"{top}, {left}") : $"{top}, {bottom}, {left}, {right}";
            _layers.Add((new ImportedLayer(padName, $"ZeroPadding2D({padArgs}, Name = \"{padName}\")", []), x.Layer));
            return (padName, x.H + top + bottom, x.W + left + right, "Valid");
        }

        enum PadRule { Zero, ZeroOnly, SameOnly }

        static (int Before, int After) KerasSame(int size, int k, int s)
        {
            int output = (size + s - 1) / s;
            int total = Math.Max((output - 1) * s + k - size, 0);
            return (total / 2, total - total / 2);
        }

        (int Top, int Left, int Bottom, int Right) Pads(OnnxNode node, Value x, int kh, int kw, int sh, int sw)
        {
            string autoPad = node.Attribute("auto_pad")?.S ?? "NOTSET";
            switch (autoPad)
            {
                case "" or "NOTSET":
                    var pads = Ints(node, "pads", [0, 0, 0, 0]);
                    if (pads.Length != 4) throw Error(node, $"has pads=[{string.Join(", ", pads)}]; expected [top, left, bottom, right]");
                    if (pads.Any(p => p < 0)) throw Error(node, $"has pads=[{string.Join(", ", pads)}]; negative padding (cropping) is not supported");
                    return ((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
                case "VALID":
                    return (0, 0, 0, 0);
                case "SAME_UPPER" or "SAME_LOWER":
                    var (t, b) = KerasSame(x.H, kh, sh);
                    var (l, r) = KerasSame(x.W, kw, sw);
                    return autoPad == "SAME_UPPER" ? (t, l, b, r) : (b, r, t, l);
                default:
                    throw Error(node, $"has auto_pad=\"{autoPad}\"; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER");
            }
        }

        (int H, int W) Strides(OnnxNode node)
        {
            var strides = Ints(node, "strides", [1, 1]);
            if (strides.Length != 2 || strides.Any(s => s < 1)) throw Error(node, $"has strides=[{string.Join(", ", strides)}]; expected two positive strides");
            return ((int)strides[0], (int)strides[1]);
        }

        static string KernelArgs(int kh, int kw) => kh == kw ? $"{kh}" : $"{kh}, {kw}";

        static void AppendStrides(StringBuilder args, int sh, int sw, int defaultStride, int poolHeight = 0, int poolWidth = 0)
        {
            if (sh == sw) { if (sh != defaultStride) args.Append($", Strides = {sh}"); }
            else if (poolHeight == 0 || sh != poolHeight || sw != poolWidth) args.Append($", StrideHeight = {sh}, StrideWidth = {sw}");
        }

        static float[] OihwToHwio(float[] w, int o, int i, int kh, int kw)
        {
            var result = new float[w.Length];
            for (int oo = 0; oo < o; oo++)
            for (int ii = 0; ii < i; ii++)
            for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                result[((y * kw + x) * i + ii) * o + oo] = w[((oo * i + ii) * kh + y) * kw + x];
            return result;
        }

        // ---- values, constants, attributes ----

        Value ValueOf(string name, string reader) =>
            _values.TryGetValue(name, out var v) ? v
            : _constants.ContainsKey(name) ? throw new ImportException($"{reader} reads the constant '{name}' as data; only computed values are supported there")
            : throw new ImportException($"{reader} reads '{name}', which no earlier node produces");

        Value Spatial(OnnxNode node, int index)
        {
            var v = ValueOf(node.Inputs[index], Describe(node));
            if (v.Flat) throw Error(node, $"reads a flat value {v.Describe()} from '{node.Inputs[index]}'; it needs a feature map");
            return v;
        }

        Value Flat(OnnxNode node)
        {
            var v = ValueOf(node.Inputs[0], Describe(node));
            if (!v.Flat) throw Error(node, $"reads a {v.Describe()} map from '{node.Inputs[0]}'; it needs a flat input (a Flatten or Reshape before it)");
            return v;
        }

        OnnxTensor Constant(OnnxNode node, int index, string role)
        {
            if (index >= node.Inputs.Count || node.Inputs[index].Length == 0) throw Error(node, $"has no input {role}");
            string name = node.Inputs[index];
            if (!_constants.TryGetValue(name, out var t))
                throw Error(node, $"has {role} '{name}' computed by the graph; only an initializer or a Constant is supported there");
            if (t.External) throw Error(node, $"has {role} '{name}' in an external data file; only weights inside the .onnx file are supported");
            if (role != "shape" && t.DataType != OnnxTensor.FloatType)
                throw Error(node, $"has {role} '{name}' of element type {t.DataType}; only float (1) weights are supported");
            long count = t.DataType == OnnxTensor.FloatType ? t.FloatData.Length : t.Int64Data.Length;
            if (count != t.ElementCount) throw Error(node, $"has {role} '{name}' with {count} values for dims [{string.Join(", ", t.Dims)}]");
            return t;
        }

        void CheckValueInfo(string name, Value value)
        {
            var info = _graph.ValueInfo.FirstOrDefault(v => v.Name == name);
            if (info is not null) CheckDeclaredShape(info, value, $"'{name}'");
        }

        static void CheckDeclaredShape(OnnxValueInfo info, Value value, string what)
        {
            if (info.Shape.Count == 0) return;
            long?[] expected = value.Flat && !value.Pooled ? [null, value.C]
                : value.Pooled ? (info.Shape.Count == 2 ? [null, value.C] : [null, value.C, 1, 1])
                : [null, value.C, value.H, value.W];
            bool ok = expected.Length == info.Shape.Count && expected.Zip(info.Shape).Skip(1).All(p => p.Second is null || p.First == p.Second);
            if (!ok)
                throw new ImportException($"{what} is declared [{string.Join(", ", info.Shape.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}] but the import computes {value.Describe()} (channels last)");
        }

        static long Int(OnnxNode node, string name, long fallback) => node.Attribute(name) is { } a ? a.I : fallback;

        static float Float(OnnxNode node, string name, float fallback) => node.Attribute(name) is { } a ? a.F : fallback;

        static long[] Ints(OnnxNode node, string name, long[] fallback) => node.Attribute(name) is { } a ? a.Ints.ToArray() : fallback;

        static void Allow(OnnxNode node, params string[] names)
        {
            foreach (var a in node.Attributes)
                if (!names.Contains(a.Name))
                    throw Error(node, $"has attribute {a.Name}={a}, which the importer does not support");
        }

        static string Describe(OnnxNode node) => $"{node.OpType} '{node.Name}'";

        static ImportException Error(OnnxNode node, string message) => new($"{Describe(node)} {message}");

        // Readable names from the node's (or its output's) name: BatchNormalization251 → batch_normalization251.
        string NameFor(OnnxNode node)
        {
            string source = node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;
            return Unique(Snake(source, node.OpType));
        }

        string Unique(string name)
        {
            string candidate = name;
            for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
            return candidate;
        }

        internal static string Snake(string name, string fallback)
        {
            var text = new StringBuilder();
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(name[i - 1]) && i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1]))
                    text.Append('_');
                text.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
            }
            string s = text.ToString().Trim('_');
            while (s.Contains("__", StringComparison.Ordinal)) s = s.Replace("__", "_", StringComparison.Ordinal);
            if (s.Length == 0) s = Snake(fallback, "layer");
            return char.IsAsciiDigit(s[0]) ? "l" + s : s;
        }

        internal static string Literal(float value)
        {
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            int e = s.IndexOf('E');
            if (e < 0) return s;
            return $"{s[..e]}e{int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture)}";
        }
    }
}
