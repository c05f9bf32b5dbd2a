namespace ConvNetGen;

/// <summary>Which axes <see cref="RandomFlipAttribute"/> flips. Keras' <c>mode</c> strings.</summary>
public enum RandomFlipMode
{
    /// <summary><c>"horizontal"</c>: left and right swap.</summary>
    Horizontal = 0,
    /// <summary><c>"vertical"</c>: top and bottom swap.</summary>
    Vertical = 1,
    /// <summary><c>"horizontal_and_vertical"</c> (Keras' default): both, with one draw per image, so both or neither.</summary>
    HorizontalAndVertical = 2,
}

/// <summary>How a warp fills the points it reads from outside the input. Keras' <c>fill_mode</c>.</summary>
public enum FillMode
{
    /// <summary><c>"reflect"</c> (Keras' default): the input mirrored about the edge of its last pixel (d c b a | a b c d | d c b a).</summary>
    Reflect = 0,
    /// <summary><c>"constant"</c>: the layer's <c>FillValue</c> (0 by default).</summary>
    Constant = 1,
}

/// <summary>
/// While training, flips each image with probability 1/2 (one seeded draw per image); the identity at inference.
/// Keras' <c>layers.RandomFlip</c>. Needs a (height, width, channels) input.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomFlipAttribute(RandomFlipMode mode = RandomFlipMode.HorizontalAndVertical) : LayerAttribute
{
    /// <summary>The axes flipped (default both, as Keras).</summary>
    public RandomFlipMode Mode { get; } = mode;
}

/// <summary>
/// While training, shifts each image by a random fraction of its height and width, drawn uniformly from
/// [-factor, factor], with bilinear interpolation; the identity at inference. Keras' <c>layers.RandomTranslation</c>
/// with a scalar factor per axis.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomTranslationAttribute(double heightFactor, double widthFactor) : LayerAttribute
{
    /// <summary>The largest vertical shift as a fraction of the height, in [-1, 1] (its absolute value is used).</summary>
    public double HeightFactor { get; } = heightFactor;
    /// <summary>The largest horizontal shift as a fraction of the width, in [-1, 1] (its absolute value is used).</summary>
    public double WidthFactor { get; } = widthFactor;
    /// <summary>What fills the points shifted in from outside (default <see cref="ConvNetGen.FillMode.Reflect"/>).</summary>
    public FillMode FillMode { get; set; } = FillMode.Reflect;
    /// <summary>The value <see cref="ConvNetGen.FillMode.Constant"/> fills with (default 0).</summary>
    public double FillValue { get; set; }
}

/// <summary>
/// While training, rotates each image about its centre by an angle drawn uniformly from [-factor, factor] of a full
/// turn (0.1 is ±36°), with bilinear interpolation; the identity at inference. Keras' <c>layers.RandomRotation</c> with
/// a scalar factor.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomRotationAttribute(double factor) : LayerAttribute
{
    /// <summary>The largest rotation as a fraction of 2π, in [-1, 1] (its absolute value is used).</summary>
    public double Factor { get; } = factor;
    /// <summary>What fills the points rotated in from outside (default <see cref="ConvNetGen.FillMode.Reflect"/>).</summary>
    public FillMode FillMode { get; set; } = FillMode.Reflect;
    /// <summary>The value <see cref="ConvNetGen.FillMode.Constant"/> fills with (default 0).</summary>
    public double FillValue { get; set; }
}

/// <summary>
/// While training, zooms each image about its centre by a factor drawn uniformly from [1 - f, 1 + f] per axis, with
/// bilinear interpolation; the identity at inference. As in Keras, a positive draw zooms out (the image shrinks and
/// the fill shows) and a negative one zooms in. Without a width factor both axes take the height's draw, keeping the
/// aspect ratio. Keras' <c>layers.RandomZoom</c> with scalar factors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomZoomAttribute : LayerAttribute
{
    /// <summary>Zooms both axes by one draw from [1 - |heightFactor|, 1 + |heightFactor|] (Keras' <c>width_factor=None</c>).</summary>
    public RandomZoomAttribute(double heightFactor) => HeightFactor = heightFactor;

    /// <summary>Zooms the height and the width by separate draws.</summary>
    public RandomZoomAttribute(double heightFactor, double widthFactor)
    {
        HeightFactor = heightFactor;
        WidthFactor = widthFactor;
    }

    /// <summary>How far the vertical zoom may move from 1, in (-1, 1] (its absolute value is used).</summary>
    public double HeightFactor { get; }
    /// <summary>How far the horizontal zoom may move from 1, in (-1, 1]; null when it follows the height's.</summary>
    public double? WidthFactor { get; }
    /// <summary>What fills the points zoomed in from outside (default <see cref="ConvNetGen.FillMode.Reflect"/>).</summary>
    public FillMode FillMode { get; set; } = FillMode.Reflect;
    /// <summary>The value <see cref="ConvNetGen.FillMode.Constant"/> fills with (default 0).</summary>
    public double FillValue { get; set; }
}

/// <summary>
/// Crops to (height, width): while training at a random place (one seeded draw per pass, as Keras crops a whole batch
/// at one place) when the input is larger on both axes, otherwise and at inference in the centre. Keras'
/// <c>layers.RandomCrop</c>; the crop must not be larger than the input.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomCropAttribute(int height, int width) : LayerAttribute
{
    /// <summary>The output's height.</summary>
    public int Height { get; } = height;
    /// <summary>The output's width.</summary>
    public int Width { get; } = width;
}

/// <summary>
/// While training, scales each image's channels about their means by a factor drawn per image from
/// [1 - factor, 1 + factor], then clips to the value range; the identity at inference. Keras' <c>layers.RandomContrast</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomContrastAttribute(double factor) : LayerAttribute
{
    /// <summary>How far the contrast factor may move from 1, in [0, 1].</summary>
    public double Factor { get; } = factor;
    /// <summary>The smallest value the output is clipped to (Keras' default 0).</summary>
    public double ValueRangeLow { get; set; }
    /// <summary>The largest value the output is clipped to (Keras' default 255).</summary>
    public double ValueRangeHigh { get; set; } = 255;
}

/// <summary>
/// While training, adds to each image a delta drawn per image from [-factor, factor] times the value range's width,
/// then clips to the value range; the identity at inference. Keras' <c>layers.RandomBrightness</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RandomBrightnessAttribute(double factor, double valueRangeLow = 0, double valueRangeHigh = 255) : LayerAttribute
{
    /// <summary>The largest change as a fraction of the value range, in [-1, 1] (its absolute value is used).</summary>
    public double Factor { get; } = factor;
    /// <summary>The smallest input value and the lower clip (Keras' default 0).</summary>
    public double ValueRangeLow { get; } = valueRangeLow;
    /// <summary>The largest input value and the upper clip (Keras' default 255).</summary>
    public double ValueRangeHigh { get; } = valueRangeHigh;
}
