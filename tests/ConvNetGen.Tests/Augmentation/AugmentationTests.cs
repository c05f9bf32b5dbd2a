using ConvNetGen.Tests.Numerics;

namespace ConvNetGen.Tests.Augmentation;

/// <summary>
/// The augmentation layers (Keras 3's RandomFlip, RandomTranslation, RandomRotation, RandomZoom, RandomCrop,
/// RandomContrast, RandomBrightness): training-mode outputs against naive float64 references for the same draws, the identity (RandomCrop: the centre
/// window) at inference, the same outputs for the same seed, and the statistics of many draws. Their gradients are in
/// GradientTests (a trainable conv below each).
/// </summary>
public class AugmentationTests
{
    private const int Batch = 6;

    /// <summary>Each layer-only model with its reference for the first training workspace's draws (model seed 3).</summary>
    private static readonly Dictionary<string, (Func<int, Model> Create, Func<RefOp> Reference)> Layers = new()
    {
        ["FlipHorizontal"] = (s => new FlipHorizontalNet(seed: s), () => new RefRandomFlip(AugmentationDraws.FirstWorkspace(3, 64), RandomFlipMode.Horizontal)),
        ["FlipVertical"] = (s => new FlipVerticalNet(seed: s), () => new RefRandomFlip(AugmentationDraws.FirstWorkspace(3, 64), RandomFlipMode.Vertical)),
        ["FlipBoth"] = (s => new FlipBothNet(seed: s), () => new RefRandomFlip(AugmentationDraws.FirstWorkspace(3, 64), RandomFlipMode.HorizontalAndVertical)),
        ["TranslationReflect"] = (s => new TranslationReflectNet(seed: s), () => new RefRandomTranslation(AugmentationDraws.FirstWorkspace(3, 64), 0.5, 0.4)),
        ["TranslationConstant"] = (s => new TranslationConstantNet(seed: s), () => new RefRandomTranslation(AugmentationDraws.FirstWorkspace(3, 64), -0.3, 1.0, reflect: false, fill: 0.25)),
        ["RotationReflect"] = (s => new RotationReflectNet(seed: s), () => new RefRandomRotation(AugmentationDraws.FirstWorkspace(3, 64), 0.2)),
        ["RotationConstant"] = (s => new RotationConstantNet(seed: s), () => new RefRandomRotation(AugmentationDraws.FirstWorkspace(3, 64), -0.5, reflect: false, fill: 0.25)),
        ["ZoomReflect"] = (s => new ZoomReflectNet(seed: s), () => new RefRandomZoom(AugmentationDraws.FirstWorkspace(3, 64), 0.5)),
        ["ZoomConstant"] = (s => new ZoomConstantNet(seed: s), () => new RefRandomZoom(AugmentationDraws.FirstWorkspace(3, 64), 0.3, -0.6, reflect: false, fill: 0.25)),
        ["Crop"] = (s => new CropNet(seed: s), () => new RefRandomCrop(AugmentationDraws.FirstWorkspace(3, 64), 5, 4)),
        ["CropFullHeight"] = (s => new CropFullHeightNet(seed: s), () => new RefRandomCrop(AugmentationDraws.FirstWorkspace(3, 64), 8, 3)),
        ["Contrast"] = (s => new ContrastNet(seed: s), () => new RefRandomContrast(AugmentationDraws.FirstWorkspace(3, 64), 0.5)),
        ["Brightness"] = (s => new BrightnessNet(seed: s), () => new RefRandomBrightness(AugmentationDraws.FirstWorkspace(3, 64), 0.4, 0, 1)),
    };

    public static TheoryData<string> Names => new(Layers.Keys);

    /// <summary>Inputs in the layers' value ranges: [0, 255] for contrast (clipping some), [0, 1] for brightness (clipping some).</summary>
    private static float[] Inputs(string name, int count) => name switch
    {
        "Contrast" => NumericsKit.Uniform(count, 11, 0, 255),
        "Brightness" => NumericsKit.Uniform(count, 11, 0, 1),
        _ => NumericsKit.Uniform(count, 11),
    };

    private static (Model Model, RefOp Reference) Bound(string name, int seed = 3)
    {
        var (create, createReference) = Layers[name];
        var model = create(seed);
        var reference = createReference();
        var layer = model.Definition.Layers[0];
        reference.Bind(layer, layer.InputShape.ToArray());
        return (model, reference);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Training_matches_the_reference_for_the_same_draws(string name)
    {
        var (model, reference) = Bound(name);
        var x = Inputs(name, Batch * reference.InSize);
        var output = new float[Batch * reference.OutSize];
        model.ForwardPass(x, output, training: true);
        var expected = reference.Forward(NumericsKit.ToDouble(x), Batch, [], training: true, null);
        NumericsKit.AssertClose(output, expected, NumericsKit.ForwardTolerance, name);
        Assert.NotEqual(NumericsKit.ToDouble(x).Take(expected.Length), expected); // the draws changed something
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Inference_is_the_identity_or_the_centre_crop(string name)
    {
        var (model, reference) = Bound(name);
        var x = Inputs(name, Batch * reference.InSize);
        var expected = reference.Forward(NumericsKit.ToDouble(x), Batch, [], training: false, null);
        foreach (bool inferenceWorkspace in new[] { false, true })
        {
            var output = new float[Batch * reference.OutSize];
            model.ForwardPass(x, output, training: false, inferenceWorkspace);
            Assert.Equal(expected.Select(v => (float)v), output);
        }
        if (reference.InSize == reference.OutSize) Assert.Equal(x, expected.Select(v => (float)v));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_seed_gives_the_same_augmentation_and_another_seed_another(string name)
    {
        var (model, reference) = Bound(name, seed: 3);
        var (again, _) = Bound(name, seed: 3);
        var (other, _) = Bound(name, seed: 4);
        var x = Inputs(name, 32 * reference.InSize);
        float[] Run(Model m)
        {
            var output = new float[32 * reference.OutSize];
            m.ForwardPass(x, output, training: true);
            return output;
        }
        var first = Run(model);
        Assert.Equal(first, Run(again));
        if (name == "CropFullHeight") return; // as Keras: the full height leaves only the centre window, nothing random
        Assert.NotEqual(first, Run(other));
        Assert.NotEqual(first, Run(model)); // a second pass draws again
    }

    [Fact]
    public void About_half_the_images_are_flipped()
    {
        const int Images = 4000;
        var model = new FlipPairNet(seed: 1);
        var x = Enumerable.Range(0, Images).SelectMany(_ => new[] { 0f, 1f }).ToArray();
        var output = new float[x.Length];
        model.ForwardPass(x, output, training: true);
        int flipped = 0;
        for (int i = 0; i < Images; i++)
        {
            Assert.True(output[2 * i] + output[2 * i + 1] == 1 && output[2 * i] * output[2 * i + 1] == 0, $"image {i} is neither kept nor flipped");
            if (output[2 * i] == 1) flipped++;
        }
        // 4000 draws: the fraction's standard deviation is 0.008.
        Assert.InRange(flipped / (double)Images, 0.46, 0.54);
    }

    [Fact]
    public void Translations_spread_over_the_whole_range_and_average_zero()
    {
        const int Images = 2000;
        var reference = Bound("TranslationReflect").Reference;
        var draws = AugmentationDraws.FirstWorkspace(3, 2 * Images);
        var shifts = Enumerable.Range(0, Images).Select(b => new RefRandomTranslation(draws, 0.5, 0.4)).First();
        shifts.Bind(new TranslationReflectNet(seed: 3).Definition.Layers[0], [6, 7, 2]);
        var dy = Enumerable.Range(0, Images).Select(b => shifts.Shift(b).Dy).ToArray();
        var dx = Enumerable.Range(0, Images).Select(b => shifts.Shift(b).Dx).ToArray();
        Assert.InRange(dy.Min(), -3, -2.8);
        Assert.InRange(dy.Max(), 2.8, 3);
        Assert.InRange(dx.Min(), -2.8, -2.6);
        Assert.InRange(dx.Max(), 2.6, 2.8);
        Assert.InRange(dy.Average(), -0.1, 0.1);
        Assert.InRange(dx.Average(), -0.1, 0.1);

        // And the generated layer applies those shifts to a whole batch of that size.
        var model = new TranslationReflectNet(seed: 3);
        var x = NumericsKit.Uniform(Images * reference.InSize, 5);
        var output = new float[x.Length];
        model.ForwardPass(x, output, training: true);
        NumericsKit.AssertClose(output, shifts.Forward(NumericsKit.ToDouble(x), Images, [], training: true, null), NumericsKit.ForwardTolerance, "2000 images");
    }

    [Fact]
    public void Crop_windows_cover_every_place()
    {
        // One window per pass, as Keras; each pass on a fresh workspace draws a new one.
        var model = new CropNet(seed: 9);
        var x = Enumerable.Range(0, 8 * 7 * 2).Select(i => (float)i).ToArray();
        var seen = new HashSet<(int, int)>();
        var output = new float[5 * 4 * 2];
        for (int pass = 0; pass < 200; pass++)
        {
            model.ForwardPass(x, output, training: true);
            int first = (int)output[0];
            seen.Add((first / (7 * 2), first % (7 * 2) / 2));
        }
        Assert.Equal(4 * 4, seen.Count); // tops 0..3, lefts 0..3
    }

    [Fact]
    public void Affine_warp_matches_a_naive_bilinear_reference_for_a_general_matrix()
    {
        // Beyond translation: a rotation-and-zoom-like matrix, both fill modes, points far outside included.
        const int H = 5, W = 6, C = 2;
        var x = NumericsKit.Uniform(H * W * C, 21);
        var dy = NumericsKit.Uniform(H * W * C, 22);
        float a0 = 0.8f, a1 = -0.45f, a2 = 1.3f, b0 = 0.5f, b1 = 1.2f, b2 = -2.7f;
        foreach (var fill in new[] { FillMode.Reflect, FillMode.Constant })
        {
            var y = new float[x.Length];
            ConvNetGen.Kernels.Augmentation.AffineWarp(x, y, H, W, C, a0, a1, a2, b0, b1, b2, fill, 0.75f);
            var gradient = new float[x.Length];
            ConvNetGen.Kernels.Augmentation.AffineWarpBackward(dy, gradient, H, W, C, a0, a1, a2, b0, b1, b2, fill);
            var expected = new double[x.Length];
            var expectedGradient = new double[x.Length];
            for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++)
            {
                double sx = a0 * j + a1 * i + a2, sy = b0 * j + b1 * i + b2;
                int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                for (int c = 0; c < C; c++)
                for (int di = 0; di < 2; di++)
                for (int dj = 0; dj < 2; dj++)
                {
                    double weight = (di == 0 ? 1 - (sy - y0) : sy - y0) * (dj == 0 ? 1 - (sx - x0) : sx - x0);
                    int yy = y0 + di, xx = x0 + dj;
                    bool inside = yy >= 0 && yy < H && xx >= 0 && xx < W;
                    if (!inside && fill == FillMode.Constant)
                    {
                        expected[(i * W + j) * C + c] += weight * 0.75;
                        continue;
                    }
                    while (yy < 0 || yy >= H) yy = yy < 0 ? -yy - 1 : 2 * H - 1 - yy;
                    while (xx < 0 || xx >= W) xx = xx < 0 ? -xx - 1 : 2 * W - 1 - xx;
                    expected[(i * W + j) * C + c] += weight * x[(yy * W + xx) * C + c];
                    expectedGradient[(yy * W + xx) * C + c] += weight * dy[(i * W + j) * C + c];
                }
            }
            NumericsKit.AssertClose(y, expected, 1e-5, $"warp, {fill}");
            NumericsKit.AssertClose(gradient, expectedGradient, 1e-5, $"warp backward, {fill}");
        }
    }

    [Fact]
    public void A_quarter_turn_with_kerass_rotation_matrix_turns_the_image_counter_clockwise()
    {
        // θ = 90° about the centre of a 3×3 image: Keras' matrix (cos, −sin, a2; sin, cos, b2) moves the bottom-right
        // pixel to the top right, the left column to the bottom row — pixel centres land on pixel centres, so exact.
        const int N = 3;
        var x = Enumerable.Range(0, N * N).Select(i => (float)i).ToArray(); // row-major 0 … 8
        var y = new float[N * N];
        float c = (N - 1) / 2f;
        ConvNetGen.Kernels.Augmentation.AffineWarp(x, y, N, N, 1, 0f, -1f, c + c, 1f, 0f, c - c, FillMode.Constant, -1f);
        Assert.Equal([2f, 5f, 8f, 1f, 4f, 7f, 0f, 3f, 6f], y.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void Rotations_and_zooms_spread_over_their_ranges()
    {
        const int Images = 2000;
        var draws = AugmentationDraws.FirstWorkspace(3, 2 * Images);
        var rotation = new RefRandomRotation(draws, 0.2);
        var angles = Enumerable.Range(0, Images).Select(rotation.Angle).ToArray();
        Assert.InRange(angles.Min(), -0.4 * Math.PI, -0.39 * Math.PI);
        Assert.InRange(angles.Max(), 0.39 * Math.PI, 0.4 * Math.PI);
        Assert.InRange(angles.Average(), -0.05, 0.05);

        var zoom = new RefRandomZoom(draws, 0.5);
        var zooms = Enumerable.Range(0, Images).Select(zoom.Zooms).ToArray();
        Assert.All(zooms, z => Assert.Equal(z.Zy, z.Zx)); // no width factor: the aspect ratio is kept
        Assert.InRange(zooms.Min(z => z.Zy), 0.5, 0.51);
        Assert.InRange(zooms.Max(z => z.Zy), 1.49, 1.5);

        // And the generated layers apply those draws to a whole batch of that size.
        foreach (var (model, reference) in new (Model, RefOp)[] { (new RotationReflectNet(seed: 3), rotation), (new ZoomReflectNet(seed: 3), zoom) })
        {
            reference.Bind(model.Definition.Layers[0], [6, 7, 2]);
            var input = NumericsKit.Uniform(Images * 6 * 7 * 2, 5);
            var output = new float[input.Length];
            model.ForwardPass(input, output, training: true);
            NumericsKit.AssertClose(output, reference.Forward(NumericsKit.ToDouble(input), Images, [], training: true, null), NumericsKit.ForwardTolerance, $"{reference.Kind}, 2000 images");
        }
    }

    [Fact]
    public void Reflect_follows_keras_symmetric_padding()
    {
        // numpy.pad(mode="symmetric") of [0, 1, 2] by 4 each side: 0 1 2 2 1 0 | 0 1 2 | 2 1 0 0 1 2... read back as indices.
        int[] expected = [2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0];
        for (int i = -4; i <= 6; i++)
            Assert.Equal(expected[i + 4], ConvNetGen.Kernels.Augmentation.Reflect(i, 3));
    }
}
