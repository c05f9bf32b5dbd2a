using System.Runtime.CompilerServices;

// benchmarks/ConvNetGen.Benchmarks forces the narrower kernel paths (Gemm.ForcedWidth) to report each one's GFLOP/s.
[assembly: InternalsVisibleTo("ConvNetGen.Benchmarks")]
