namespace ConvNetGen.Onnx;

/// <summary>
/// Translates a <see cref="ModelArchitecture"/> and a snapshot of its parameters into an ONNX graph (opset
/// <see cref="OnnxGraphBuilder.OpsetVersion"/>). Images are computed channels first inside the graph (Conv, pooling
/// and BatchNormalization want NCHW, kernels OIHW); a tensor is transposed only where a layer needs the other layout
/// (the model's NHWC input, Flatten, which must flatten in Keras' NHWC order for the Dense after it, and an image
/// output), and each transposed copy is made once however many layers read it.
/// </summary>
internal sealed class OnnxModelTranslator
{
    /// <summary>Where a rank-3 (image) tensor keeps its channels; tensors of other ranks are always <see cref="Natural"/>.</summary>
    private enum Layout { Natural, ChannelsFirst }

    private static readonly long[] ToChannelsFirst = [0, 3, 1, 2], ToChannelsLast = [0, 2, 3, 1];

    private readonly ModelArchitecture _model;
    private readonly float[] _parameters;
    private readonly Layout _ioLayout;
    private readonly OnnxGraphBuilder _graph = new();
    private readonly Dictionary<(int Producer, Layout Layout), string> _tensors = [];
    private readonly Dictionary<int, Layout> _produced = [];
    private readonly int _last;

    private OnnxModelTranslator(ModelArchitecture model, float[] parameters, OnnxLayout layout)
    {
        _model = model;
        _parameters = parameters;
        _ioLayout = layout == OnnxLayout.Nchw ? Layout.ChannelsFirst : Layout.Natural;
        _last = model.Layers.Count - 1;
    }

    /// <summary>The ONNX model for <paramref name="model"/> with the weights in <paramref name="parameters"/>.</summary>
    public static ProtobufWriter Translate(ModelArchitecture model, float[] parameters, OnnxLayout layout)
    {
        var translator = new OnnxModelTranslator(model, parameters, layout);
        translator.Build();
        return translator._graph.ToModel(model.Name,
            $"{model.Name}, exported by ConvNetGen: input '{model.InputName}' {Describe(model.InputShape, translator._ioLayout)}, output '{model.Layers[^1].Name}' {Describe(model.OutputShape, translator._ioLayout)}.");
    }

    private static string Describe(TensorShape shape, Layout layout) =>
        shape.Rank == 3 ? (layout == Layout.ChannelsFirst ? "NCHW" : "NHWC") + " " + string.Join("×", Dims(shape, layout).Skip(1)) : "(batch, " + string.Join(", ", shape) + ")";

    private void Build()
    {
        var input = _model.InputShape;
        var inputLayout = Wants(input, _ioLayout);
        _graph.SetInput(_model.InputName, Dims(input, inputLayout));
        _tensors[(-1, inputLayout)] = _model.InputName;
        _produced[-1] = inputLayout;

        // Only the layers the output depends on: one whose output no layer reads does not run (CNG0023).
        var live = new HashSet<int>(_model.Ancestors(_last).ToArray()) { _last };
        foreach (var layer in _model.Layers)
            if (live.Contains(layer.Index)) Emit(layer);

        var output = _model.OutputShape;
        var outputLayout = Wants(output, _ioLayout);
        string name = Get(_last, outputLayout);
        _graph.SetOutput(name, Dims(output, outputLayout));
    }

    // ---- tensors and layouts ----

    private static Layout Wants(TensorShape shape, Layout layout) => shape.Rank == 3 ? layout : Layout.Natural;

    /// <summary>A tensor's ONNX shape: the batch (-1) then the sample's dimensions in the layout.</summary>
    private static long[] Dims(TensorShape shape, Layout layout)
    {
        var dims = new List<long> { -1 };
        if (layout == Layout.ChannelsFirst) dims.AddRange([shape[2], shape[0], shape[1]]);
        else dims.AddRange(shape.Select(d => (long)d));
        return [.. dims];
    }

    private TensorShape ShapeOf(int producer) => producer == -1 ? _model.InputShape : _model.Layers[producer].OutputShape;
    private string NameOf(int producer) => producer == -1 ? _model.InputName : _model.Layers[producer].Name;

    /// <summary>
    /// The name of <paramref name="producer"/>'s output in <paramref name="layout"/>: the layer's name in the layout it is
    /// computed in (NHWC, or channels first with "/nchw"); the last layer's name is the graph's output, in the layout asked for.
    /// </summary>
    private string TensorName(int producer, Layout layout)
    {
        string name = NameOf(producer);
        string suffix = layout == Layout.ChannelsFirst ? "/nchw" : "/nhwc";
        if (producer == _last) return layout == Wants(ShapeOf(producer), _ioLayout) ? name : name + suffix;
        if (producer == -1) return layout == _produced[-1] ? name : name + suffix;
        return layout == Layout.Natural ? name : name + suffix;
    }

    /// <summary>The output of <paramref name="producer"/> in <paramref name="layout"/> (an image's only), transposing it once if needed.</summary>
    private string Get(int producer, Layout layout)
    {
        layout = Wants(ShapeOf(producer), layout);
        if (_tensors.TryGetValue((producer, layout), out string? name)) return name;
        string source = _tensors[(producer, _produced[producer])];
        name = TensorName(producer, layout);
        _graph.AddNode("Transpose", $"{NameOf(producer)}/{(layout == Layout.ChannelsFirst ? "to_nchw" : "to_nhwc")}", [source], [name],
            OnnxGraphBuilder.Attribute.Of("perm", layout == Layout.ChannelsFirst ? ToChannelsFirst : ToChannelsLast));
        _tensors[(producer, layout)] = name;
        return name;
    }

    /// <summary>The name <paramref name="layer"/>'s output gets, computed in <paramref name="layout"/>; records it.</summary>
    private string Output(LayerInfo layer, Layout layout)
    {
        layout = Wants(layer.OutputShape, layout);
        string name = TensorName(layer.Index, layout);
        _tensors[(layer.Index, layout)] = name;
        _produced[layer.Index] = layout;
        return name;
    }

    private Layout ProducedLayout(int producer) => _produced[producer];

    /// <summary>The axis of the channels (Keras' last axis) in a tensor of <paramref name="shape"/> in <paramref name="layout"/>, counting the batch.</summary>
    private static long ChannelAxis(TensorShape shape, Layout layout) =>
        shape.Rank == 3 && layout == Layout.ChannelsFirst ? 1 : shape.Rank;

    // ---- weights ----

    private ReadOnlySpan<float> Values(WeightInfo weight) => _parameters.AsSpan(weight.Offset, weight.Length);

    private WeightInfo? Find(LayerInfo layer, string name) => layer.Weights.FirstOrDefault(w => w.Name == name);

    private WeightInfo Require(LayerInfo layer, string name) =>
        Find(layer, name) ?? throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) has no weight '{name}'; cannot export it to ONNX.");

    /// <summary>Adds a weight as an initializer named <c>layer/weight</c>, in its Keras shape.</summary>
    private string Initializer(LayerInfo layer, WeightInfo weight)
    {
        string name = $"{layer.Name}/{weight.Name}";
        _graph.AddInitializer(name, weight.Shape.Select(d => (long)d).ToArray(), Values(weight));
        return name;
    }

    /// <summary>A Conv2D kernel, HWIO in Keras, as the OIHW initializer ONNX's Conv takes.</summary>
    private string ConvKernel(LayerInfo layer, WeightInfo kernel)
    {
        int kh = kernel.Shape[0], kw = kernel.Shape[1], ci = kernel.Shape[2], co = kernel.Shape[3];
        var hwio = Values(kernel);
        var oihw = new float[hwio.Length];
        for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++)
        for (int i = 0; i < ci; i++)
        for (int o = 0; o < co; o++)
            oihw[((o * ci + i) * kh + y) * kw + x] = hwio[((y * kw + x) * ci + i) * co + o];
        string name = $"{layer.Name}/{kernel.Name}";
        _graph.AddInitializer(name, [co, ci, kh, kw], oihw);
        return name;
    }

    private string Scalar(string name, float value)
    {
        _graph.AddInitializer(name, [], [value]);
        return name;
    }

    // ---- layers ----

    private void Emit(LayerInfo layer)
    {
        var s = layer.Settings;
        int input = layer.InputIndices[0];
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
            {
                string x = Get(input, Layout.ChannelsFirst);
                var inputs = new List<string> { x, ConvKernel(layer, Require(layer, "kernel")) };
                if (Find(layer, "bias") is { } bias) inputs.Add(Initializer(layer, bias));
                WithActivation(layer, Layout.ChannelsFirst, "conv", pre => _graph.AddNode("Conv", layer.Name, [.. inputs], [pre],
                    OnnxGraphBuilder.Attribute.Of("kernel_shape", s.WindowHeight, s.WindowWidth),
                    OnnxGraphBuilder.Attribute.Of("strides", s.StrideHeight, s.StrideWidth),
                    OnnxGraphBuilder.Attribute.Of("pads", s.PadTop, s.PadLeft, s.PadBottom, s.PadRight),
                    OnnxGraphBuilder.Attribute.Of("dilations", 1L, 1L)));
                break;
            }
            case LayerKind.MaxPooling2D when input >= 0 && _model.Layers[input].Kind == LayerKind.ZeroPadding2D:
                EmitMaxPoolOfZeroPadding(layer, _model.Layers[input]);
                break;
            case LayerKind.MaxPooling2D:
            case LayerKind.AveragePooling2D:
            {
                string x = Get(input, Layout.ChannelsFirst);
                var attributes = new List<OnnxGraphBuilder.Attribute>
                {
                    OnnxGraphBuilder.Attribute.Of("kernel_shape", s.WindowHeight, s.WindowWidth),
                    OnnxGraphBuilder.Attribute.Of("strides", s.StrideHeight, s.StrideWidth),
                    // MaxPool skips padded positions (as if −∞) and, with count_include_pad = 0, AveragePool leaves
                    // them out of the mean: both as Keras does with Same padding.
                    OnnxGraphBuilder.Attribute.Of("pads", s.PadTop, s.PadLeft, s.PadBottom, s.PadRight),
                };
                if (layer.Kind == LayerKind.AveragePooling2D) attributes.Add(OnnxGraphBuilder.Attribute.Of("count_include_pad", 0L));
                string y = Output(layer, Layout.ChannelsFirst);
                _graph.AddNode(layer.Kind == LayerKind.MaxPooling2D ? "MaxPool" : "AveragePool", layer.Name, [x], [y], [.. attributes]);
                break;
            }
            case LayerKind.GlobalAveragePooling2D:
            case LayerKind.GlobalMaxPooling2D:
            {
                string x = Get(input, Layout.ChannelsFirst);
                string pooled = $"{layer.Name}/pooled";
                _graph.AddNode(layer.Kind == LayerKind.GlobalAveragePooling2D ? "GlobalAveragePool" : "GlobalMaxPool", layer.Name, [x], [pooled]);
                string y = Output(layer, Layout.Natural);
                _graph.AddNode("Flatten", $"{layer.Name}/flatten", [pooled], [y], OnnxGraphBuilder.Attribute.Of("axis", 1L));
                break;
            }
            case LayerKind.Flatten:
            {
                // Keras flattens channels last: a Dense after it expects (h, w, c) order.
                string x = Get(input, Layout.Natural);
                _graph.AddNode("Flatten", layer.Name, [x], [Output(layer, Layout.Natural)], OnnxGraphBuilder.Attribute.Of("axis", 1L));
                break;
            }
            case LayerKind.Dense:
            {
                string x = Get(input, Layout.Natural);
                var inputs = new List<string> { x, Initializer(layer, Require(layer, "kernel")) }; // (inputs, units): Gemm's B as it is
                if (Find(layer, "bias") is { } bias) inputs.Add(Initializer(layer, bias));
                WithActivation(layer, Layout.Natural, "gemm", pre => _graph.AddNode("Gemm", layer.Name, [.. inputs], [pre]));
                break;
            }
            case LayerKind.Dropout:
            {
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                _graph.AddNode("Identity", layer.Name, [x], [Output(layer, layout)]); // inference: Dropout does nothing
                break;
            }
            case LayerKind.RandomFlip:
            case LayerKind.RandomTranslation:
            case LayerKind.RandomContrast:
            case LayerKind.RandomBrightness:
            case LayerKind.RandomRotation:
            case LayerKind.RandomZoom:
            {
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                _graph.AddNode("Identity", layer.Name, [x], [Output(layer, layout)]); // inference: augmentation does nothing
                break;
            }
            case LayerKind.RandomCrop:
            {
                // Inference: the centre window, ⌊(H − h)/2⌋ and ⌊(W − w)/2⌋ from the top left, as the generated forward.
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                var inputShape = ShapeOf(input);
                int top = (inputShape[0] - layer.OutputShape[0]) / 2, left = (inputShape[1] - layer.OutputShape[1]) / 2;
                long[] axes = layout == Layout.ChannelsFirst ? [2, 3] : [1, 2];
                _graph.AddInitializer($"{layer.Name}/starts", [2], new long[] { top, left });
                _graph.AddInitializer($"{layer.Name}/ends", [2], new long[] { top + layer.OutputShape[0], left + layer.OutputShape[1] });
                _graph.AddInitializer($"{layer.Name}/axes", [2], axes);
                _graph.AddNode("Slice", layer.Name, [x, $"{layer.Name}/starts", $"{layer.Name}/ends", $"{layer.Name}/axes"], [Output(layer, layout)]);
                break;
            }
            case LayerKind.BatchNormalization:
                EmitBatchNormalization(layer, input);
                break;
            case LayerKind.Rescaling:
            {
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                string scaled = $"{layer.Name}/scaled";
                _graph.AddNode("Mul", layer.Name, [x, Scalar($"{layer.Name}/scale", (float)s.Scale)], [scaled]);
                _graph.AddNode("Add", $"{layer.Name}/add_offset", [scaled, Scalar($"{layer.Name}/offset", (float)s.Offset)], [Output(layer, layout)]);
                break;
            }
            case LayerKind.ZeroPadding2D when layer.Index != _last && _model.Consumers(layer.Index).All(c => _model.Layers[c].Kind == LayerKind.MaxPooling2D):
                _produced[layer.Index] = ProducedLayout(input); // its max poolings read its input (EmitMaxPoolOfZeroPadding)
                break;
            case LayerKind.ZeroPadding2D:
            {
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                long[] pads = layout == Layout.ChannelsFirst
                    ? [0, 0, s.PadTop, s.PadLeft, 0, 0, s.PadBottom, s.PadRight]
                    : [0, s.PadTop, s.PadLeft, 0, 0, s.PadBottom, s.PadRight, 0];
                string padsName = $"{layer.Name}/pads";
                _graph.AddInitializer(padsName, [pads.Length], pads);
                _graph.AddNode("Pad", layer.Name, [x, padsName], [Output(layer, layout)], OnnxGraphBuilder.Attribute.Of("mode", "constant"));
                break;
            }
            case LayerKind.Activation:
            {
                var layout = ProducedLayout(input);
                string x = Get(input, layout);
                Activate(layer.Activation, layer.OutputShape, layout, layer.Name, x, Output(layer, layout));
                break;
            }
            case LayerKind.Add:
            case LayerKind.Concatenate:
            {
                // One layout for all inputs: the one they share, or channels first.
                var layouts = layer.InputIndices.Select(ProducedLayout).Distinct().ToList();
                var layout = layouts.Count == 1 ? layouts[0] : Layout.ChannelsFirst;
                string[] xs = layer.InputIndices.Select(i => Get(i, layout)).ToArray();
                string y = Output(layer, layout);
                if (layer.Kind == LayerKind.Concatenate)
                    _graph.AddNode("Concat", layer.Name, xs, [y], OnnxGraphBuilder.Attribute.Of("axis", ChannelAxis(layer.OutputShape, Wants(layer.OutputShape, layout))));
                else
                    _graph.AddNode(xs.Length == 2 ? "Add" : "Sum", layer.Name, xs, [y]);
                break;
            }
            default:
                throw new NotSupportedException($"Layer '{layer.Name}' is a {layer.TypeName}, which the ONNX export does not know.");
        }
    }

    /// <summary>
    /// A MaxPooling2D reading a ZeroPadding2D, without a Pad node: ONNX Runtime's PadFusion folds a zero Pad into a
    /// MaxPool's pads, which MaxPool treats as −∞, so a window of negative values next to the border would lose its
    /// zeros. Instead the MaxPool reads the padding's input with both paddings as pads, and a Max with a constant mask
    /// (0 where a window covers a zero of the ZeroPadding2D, the lowest float elsewhere) puts the zeros back: exactly
    /// max over the window of the zero-padded tensor, whatever an optimiser does.
    /// </summary>
    private void EmitMaxPoolOfZeroPadding(LayerInfo layer, LayerInfo padding)
    {
        LayerConfig s = layer.Settings, z = padding.Settings;
        string x = Get(padding.InputIndices[0], Layout.ChannelsFirst);
        string pooled = $"{layer.Name}/pooled";
        _graph.AddNode("MaxPool", layer.Name, [x], [pooled],
            OnnxGraphBuilder.Attribute.Of("kernel_shape", s.WindowHeight, s.WindowWidth),
            OnnxGraphBuilder.Attribute.Of("strides", s.StrideHeight, s.StrideWidth),
            OnnxGraphBuilder.Attribute.Of("pads", s.PadTop + z.PadTop, s.PadLeft + z.PadLeft, s.PadBottom + z.PadBottom, s.PadRight + z.PadRight));

        int height = padding.OutputShape[0], width = padding.OutputShape[1]; // the zero-padded tensor
        int outHeight = layer.OutputShape[0], outWidth = layer.OutputShape[1];
        var mask = new float[outHeight * outWidth];
        for (int i = 0; i < outHeight; i++)
        for (int j = 0; j < outWidth; j++)
        {
            bool coversZero = false;
            for (int r = i * s.StrideHeight - s.PadTop; r < i * s.StrideHeight - s.PadTop + s.WindowHeight; r++)
            for (int c = j * s.StrideWidth - s.PadLeft; c < j * s.StrideWidth - s.PadLeft + s.WindowWidth; c++)
                coversZero |= r >= 0 && r < height && c >= 0 && c < width // inside the zero-padded tensor (not Same padding's −∞)
                              && (r < z.PadTop || r >= height - z.PadBottom || c < z.PadLeft || c >= width - z.PadRight);
            mask[i * outWidth + j] = coversZero ? 0f : float.MinValue;
        }
        string maskName = $"{layer.Name}/zero_padding_mask";
        _graph.AddInitializer(maskName, [1, 1, outHeight, outWidth], mask);
        _graph.AddNode("Max", $"{layer.Name}/zero_padding", [pooled, maskName], [Output(layer, Layout.ChannelsFirst)]);
    }

    private void EmitBatchNormalization(LayerInfo layer, int input)
    {
        // Inference mode: the moving statistics normalise, as Predict does.
        string[] parameters =
        [
            Initializer(layer, Require(layer, "gamma")), Initializer(layer, Require(layer, "beta")),
            Initializer(layer, Require(layer, "moving_mean")), Initializer(layer, Require(layer, "moving_variance")),
        ];
        var epsilon = OnnxGraphBuilder.Attribute.Of("epsilon", (float)layer.Settings.Epsilon);
        int rank = layer.OutputShape.Rank;
        if (rank == 2)
        {
            // (batch, h, w): Keras normalises the last axis; ONNX's channels are axis 1, so swap them around it.
            string x = Get(input, Layout.Natural), swapped = $"{layer.Name}/swapped", normalised = $"{layer.Name}/normalised";
            _graph.AddNode("Transpose", $"{layer.Name}/swap", [x], [swapped], OnnxGraphBuilder.Attribute.Of("perm", 0L, 2L, 1L));
            _graph.AddNode("BatchNormalization", layer.Name, [swapped, .. parameters], [normalised], epsilon);
            _graph.AddNode("Transpose", $"{layer.Name}/swap_back", [normalised], [Output(layer, Layout.Natural)], OnnxGraphBuilder.Attribute.Of("perm", 0L, 2L, 1L));
            return;
        }
        // Rank 3 channels first, or rank 1 as (batch, channels).
        string y = Get(input, Layout.ChannelsFirst);
        _graph.AddNode("BatchNormalization", layer.Name, [y, .. parameters], [Output(layer, Layout.ChannelsFirst)], epsilon);
    }

    /// <summary>A layer's op, writing <c>layer/op</c>, then its fused activation writing the layer's output (or the op writes it directly when Linear).</summary>
    private void WithActivation(LayerInfo layer, Layout layout, string opName, Action<string> addOp)
    {
        if (layer.Activation == Activation.Linear)
        {
            addOp(Output(layer, layout));
            return;
        }
        string pre = $"{layer.Name}/{opName}";
        addOp(pre);
        Activate(layer.Activation, layer.OutputShape, layout, $"{layer.Name}/activation", pre, Output(layer, layout));
    }

    private void Activate(Activation activation, TensorShape shape, Layout layout, string nodeName, string x, string y)
    {
        switch (activation)
        {
            case Activation.Linear: _graph.AddNode("Identity", nodeName, [x], [y]); break;
            case Activation.ReLU: _graph.AddNode("Relu", nodeName, [x], [y]); break;
            case Activation.Sigmoid: _graph.AddNode("Sigmoid", nodeName, [x], [y]); break;
            case Activation.Tanh: _graph.AddNode("Tanh", nodeName, [x], [y]); break;
            case Activation.Softmax: // over the channels, Keras' last axis
                _graph.AddNode("Softmax", nodeName, [x], [y], OnnxGraphBuilder.Attribute.Of("axis", ChannelAxis(shape, Wants(shape, layout))));
                break;
            default: throw new NotSupportedException($"Activation {activation} cannot be exported to ONNX.");
        }
    }
}
