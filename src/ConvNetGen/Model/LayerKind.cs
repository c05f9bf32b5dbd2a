namespace ConvNetGen;

/// <summary>The kinds of layer a model can declare; each matches the Keras layer of the same name.</summary>
public enum LayerKind
{
    /// <summary>The model's input (Keras' <c>InputLayer</c>).</summary>
    Input,
    /// <summary>See <see cref="Conv2DAttribute"/>.</summary>
    Conv2D,
    /// <summary>See <see cref="MaxPooling2DAttribute"/>.</summary>
    MaxPooling2D,
    /// <summary>See <see cref="AveragePooling2DAttribute"/>.</summary>
    AveragePooling2D,
    /// <summary>See <see cref="GlobalAveragePooling2DAttribute"/>.</summary>
    GlobalAveragePooling2D,
    /// <summary>See <see cref="FlattenAttribute"/>.</summary>
    Flatten,
    /// <summary>See <see cref="DenseAttribute"/>.</summary>
    Dense,
    /// <summary>See <see cref="DropoutAttribute"/>.</summary>
    Dropout,
    /// <summary>See <see cref="BatchNormalizationAttribute"/>.</summary>
    BatchNormalization,
    /// <summary>See <see cref="RescalingAttribute"/>.</summary>
    Rescaling,
    /// <summary>See <see cref="ZeroPadding2DAttribute"/>.</summary>
    ZeroPadding2D,
    /// <summary>See <see cref="ActivationAttribute"/>.</summary>
    Activation,
    /// <summary>See <see cref="AddAttribute"/>.</summary>
    Add,
    /// <summary>See <see cref="ConcatenateAttribute"/>.</summary>
    Concatenate,
    /// <summary>See <see cref="GlobalMaxPooling2DAttribute"/>.</summary>
    GlobalMaxPooling2D,
    /// <summary>See <see cref="RandomFlipAttribute"/>.</summary>
    RandomFlip,
    /// <summary>See <see cref="RandomTranslationAttribute"/>.</summary>
    RandomTranslation,
    /// <summary>See <see cref="RandomCropAttribute"/>.</summary>
    RandomCrop,
    /// <summary>See <see cref="RandomContrastAttribute"/>.</summary>
    RandomContrast,
    /// <summary>See <see cref="RandomBrightnessAttribute"/>.</summary>
    RandomBrightness,
    /// <summary>See <see cref="RandomRotationAttribute"/>.</summary>
    RandomRotation,
    /// <summary>See <see cref="RandomZoomAttribute"/>.</summary>
    RandomZoom,
}
