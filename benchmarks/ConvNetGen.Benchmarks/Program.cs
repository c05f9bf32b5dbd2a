// ConvNetGen benchmarks.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- e2e [--data DIR] [--steps N] [--threads N] [--infer-calls N]
//       the reference model end to end: median training step (batch 64), batch-1 latency, throughput, allocations.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- resnet18 [--calls N] [--rounds N]
//       ResNet18 inference against ONNX Runtime: batch-1 latency and batch-32 throughput on 1 and 2 threads, the fp32 peak.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- scale [--model cifar|big128|all|mnist] [--rounds N] [--torch PATH | --no-torch]
//       the CIFAR VGG and the 128×128 net against TorchSharp (torch-scale.sh) and ONNX Runtime, interleaved: train step,
//       batch-1 latency, throughput at 64 and 1000, the ratios of the targets, the fp32 peak (--train-only: our step on 1 and 2 threads; --inference-only: ours and ONNX Runtime only;
//       --model mnist: the reference model's inference against ONNX Runtime, whose batch-1 target is half its latency).
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- layers [batch=32] [--model …] [--inference [--threads 2]] [--in-sequence]
//       each generated layer method alone, forward and backward, one thread: µs, GFLOP/s and % of one core's peak.
//       (--in-sequence: each layer once per round in the pass order, cold from the ones before, instead of 200 calls in a row)
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- winograd
//       conv2d_1's Winograd forward piece by piece (transforms, position GEMMs), next to the direct GEMM.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- model [BenchmarkDotNet options]
//       BenchmarkDotNet with MemoryDiagnoser: training step, Predict (1 and 64 images), each layer method.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- gemm [BenchmarkDotNet options, e.g. --filter *conv2d_1*]
//       BenchmarkDotNet: each kernel at the model's sizes, with [MemoryDiagnoser] and a GFLOP/s column
//       (CONVNETGEN_BENCH_PATHS=all adds the forced narrower paths; CONVNETGEN_BENCH_CASES=TEXT keeps the cases naming TEXT).
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- gemm-quick [--filter TEXT] [--paths auto|all] [--rounds N]
//       the same products without BenchmarkDotNet, on every path, median and best GFLOP/s, in a minute.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- predict-loop [--model cifar|big128|mnist|resnet18] [--batch 1] [--seconds 10] [--threads N] [--train-steps N]
//       Predict in a loop for a profiler (perf record with DOTNET_PerfMapEnabled=1), the median call printed
//       (--train-steps: that many 32-sample training steps first, as the scale benchmark trains before it predicts).
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- peak [rounds=5]
//       the fp32 FMA peak, measured again each round: how steady the machine is in this sitting.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- products [--m 36] [--k 128] [--n 256] [--positions 25]
//       one Winograd conv's position products alone, each position's own U against one U for all (what streaming U costs).
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- memory [--model cifar|big128|resnet18|all] [--batch 1,32]
//       inference's peak RSS against ONNX Runtime's, each in a process of its own, and the ratio of the target.
//   dotnet run -c Release --project benchmarks/ConvNetGen.Benchmarks -- ort-layers [batch] [--model cifar|big128|resnet18] [--threads 2]
//       ONNX Runtime's own per-node kernel times for the exported model, to set beside `layers --inference`.
//   Anything else goes to BenchmarkDotNet's switcher (e.g. --filter *Gemm*).
using BenchmarkDotNet.Running;
using ConvNetGen.Benchmarks;

string mode = args.Length > 0 ? args[0] : "";
string[] rest = args.Skip(1).ToArray();
switch (mode)
{
    case "e2e":
        return EndToEnd.Run(rest);
    case "resnet18":
        return ResNetInference.Run(rest);
    case "scale":
        return ScaleBenchmark.Run(rest);
    case "peak":
        for (int i = 0; i < (rest.Length > 0 ? int.Parse(rest[0]) : 5); i++) Console.WriteLine(FmaPeak.Line());
        return 0;
    case "products":
        return ProductsProfile.Run(rest);
    case "predict-loop":
        return PredictLoop.Run(rest);
    case "memory":
        return InferenceMemory.Run(rest);
    case "memory-child":
        return InferenceMemory.RunChild(rest);
    case "layers":
        return LayerProfile.Run(rest);
    case "ort-layers":
        return OrtLayerProfile.Run(rest);
    case "winograd":
        return WinogradProfile.Run(rest);
    case "model":
        BenchmarkSwitcher.FromTypes([typeof(ModelBenchmarks), typeof(LayerBenchmarks)]).Run(rest.Contains("--filter") ? rest : [.. rest, "--filter", "*"]);
        return 0;
    case "gemm-quick":
        return GemmQuick.Run(rest);
    case "gemm":
        if (rest.Contains("--quick")) return GemmQuick.Run(rest.Where(a => a != "--quick").ToArray());
        BenchmarkSwitcher.FromTypes([typeof(GemmBenchmarks)]).Run(rest.Contains("--filter") ? rest : [.. rest, "--filter", "*"]);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
        return 0;
}
