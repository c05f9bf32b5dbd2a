using ConvNetGen.Onnx;

namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// Writes the model as an ONNX file (opset 17, IR version 8) that runs in ONNX Runtime and other ONNX tools and
    /// gives what <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> gives: inference mode (Dropout is an Identity,
    /// BatchNormalization uses its moving statistics), the weights as they are now.
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <param name="layout">
    /// The layout of an image input (and of an image output): <see cref="OnnxLayout.Nhwc"/>, the default, as the model
    /// declares it, (batch, height, width, channels), the same floats <c>Predict</c> takes; or <see cref="OnnxLayout.Nchw"/>,
    /// (batch, channels, height, width). A flat input or output is (batch, features) either way.
    /// </param>
    /// <remarks>
    /// <para>
    /// The graph's input is named after the model's input layer (<c>input_layer</c> unless declared otherwise) and its
    /// output after the last layer; the batch dimension is dynamic (<c>dim_param</c> "batch"). Every layer becomes the
    /// ONNX operators that compute it, named after the layer: Conv (kernels transposed from Keras' HWIO to OIHW; Same
    /// padding as explicit pads), MaxPool, AveragePool (padding left out of the mean, as in Keras), GlobalAveragePool /
    /// GlobalMaxPool and Flatten, Flatten, Gemm (Dense), Identity (Dropout), BatchNormalization, Mul and Add (Rescaling),
    /// Pad (ZeroPadding2D), Add or Sum, Concat, and Relu / Sigmoid / Tanh / Softmax for activations. Initializers are named
    /// <c>layer/weight</c> (<c>conv2d/kernel</c>, <c>batch_normalization/moving_mean</c>, …). Images are computed channels
    /// first inside the graph, with a Transpose where the layout changes (after an NHWC input, before a Flatten so a Dense
    /// sees Keras' flattening order, before an NHWC image output). A layer whose output reaches no output is left out.
    /// </para>
    /// <para>
    /// Thread safety: the weights are copied under the model's shared weights lock, as <see cref="SaveWeights"/> and
    /// <c>Predict</c> read them, so an export may run at the same time as <c>Predict</c> and <c>Evaluate</c> calls on other
    /// threads; while another thread trains, it waits for the running step and exports the weights between two steps.
    /// </para>
    /// <para>
    /// The file is written as <see cref="SaveWeights"/> writes: to a temporary file beside it, flushed to disk and renamed
    /// over <paramref name="path"/>, so <paramref name="path"/> holds either the old or the new complete file.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layout"/> is not an <see cref="OnnxLayout"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written to.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or writing failed; the old file is unchanged.</exception>
    /// <exception cref="InvalidOperationException">The model would pass protobuf's 2 GB limit.</exception>
    public void ExportOnnx(string path, OnnxLayout layout = OnnxLayout.Nhwc)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (layout is not (OnnxLayout.Nhwc or OnnxLayout.Nchw))
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Expected OnnxLayout.Nhwc or OnnxLayout.Nchw.");

        // A snapshot under the read lock: the weights between two training steps, never a mix; the lock is not held
        // while the graph is built and written.
        float[] parameters;
        using (ReadWeights())
            parameters = _parameters.ToArray();

        var model = OnnxModelTranslator.Translate(Definition, parameters, layout);
        AtomicFile.Write(path, file => file.Write(model.WrittenSpan));
    }
}
