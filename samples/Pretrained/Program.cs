using ConvNetGen;
using Pretrained;

// ResNet18Base.cs is written by `convnetgen import ResNet18.onnx --class ResNet18Base --namespace Pretrained --out DIR`,
// which also writes DIR/ResNet18Base.safetensors (64 MB, not committed). Pass that file to load the weights and run
// one image. The model expects what ResNetPreprocess.onnx makes: BGR channels, 0–255, minus a mean image.
Console.WriteLine(ResNet18Base.Summary);
if (args.Length > 0)
{
    var model = new ResNet18Base();
    model.LoadWeights(args[0]);
    var features = model.Predict(new float[224 * 224 * 3]);
    Console.WriteLine($"{features.Length} features of a zero image; first: {string.Join(", ", features.Take(4).Select(f => f.ToString("G4")))}");
}
