namespace ConvNetGen;

/// <summary>The layout of an exported ONNX model's image input (and of its output, when that is an image too).</summary>
public enum OnnxLayout
{
    /// <summary>Channels last, (batch, height, width, channels), as the model declares it and as Keras and <c>Predict</c> take it.</summary>
    Nhwc,
    /// <summary>Channels first, (batch, channels, height, width), as PyTorch and most ONNX image pipelines take it.</summary>
    Nchw,
}
