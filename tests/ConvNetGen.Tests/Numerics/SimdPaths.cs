// The numerics suite (this folder): generated forward and backward passes against a naive float64 reference.
//
// Run it on every SIMD path the kernels have, not only the machine's widest. The runtime's switches turn instruction
// sets off for the whole process, so each path is its own run (from the repository root):
//
//   dotnet test tests/ConvNetGen.Tests -c Release --filter "FullyQualifiedName~Numerics"                             # widest (Vector512 on AVX-512 machines)
//   DOTNET_EnableAVX512=0 dotnet test tests/ConvNetGen.Tests -c Release --filter "FullyQualifiedName~Numerics"       # no AVX-512: Vector256
//   DOTNET_EnableAVX2=0 dotnet test tests/ConvNetGen.Tests -c Release --filter "FullyQualifiedName~Numerics"         # Vector128
//   DOTNET_EnableHWIntrinsic=0 dotnet test tests/ConvNetGen.Tests -c Release --filter "FullyQualifiedName~Numerics"  # scalar
//
// On .NET 10 the old DOTNET_EnableAVX512F=0 is ignored: Vector512 stays accelerated (checked on this machine). Add
// --logger "console;verbosity=detailed" to see which path a run took (The_simd_path_is_reported, below).
//
// Files: ReferenceOps.cs (one naive op per layer kind), ReferenceModel.cs (forward, analytic backward, central
// differences; graphs too: each op reads its layer's InputIndices, fan-out gradients are summed), TestModels.cs (the
// models, and the hand-written references of the shared ones), GradientCheck.cs (tolerances), then one test class per
// concern (FrozenBranchTests: freezing in graphs). The ResNet-8 of Data/FashionMnistResNetTests.cs has its reference
// checked here (ForwardTests), so it runs on every path too; its Fashion-MNIST training run is outside this filter.

using System.Numerics;
using System.Runtime.Intrinsics;
using Xunit.Abstractions;

namespace ConvNetGen.Tests.Numerics;

public class SimdPaths(ITestOutputHelper output)
{
    [Fact]
    public void The_simd_path_is_reported()
    {
        string path = Vector512.IsHardwareAccelerated ? "Vector512"
            : Vector256.IsHardwareAccelerated ? "Vector256"
            : Vector128.IsHardwareAccelerated ? "Vector128"
            : "scalar";
        output.WriteLine($"Numerics ran on the {path} path (Vector<float>.Count = {Vector<float>.Count}, accelerated: {Vector.IsHardwareAccelerated}).");
        Assert.True(Vector<float>.Count >= 1);
    }
}
