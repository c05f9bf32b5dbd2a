using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConvNetGen.Benchmarks;

/// <summary>
/// BenchmarkDotNet: each GEMM kernel at the reference model's sizes, with allocations and GFLOP/s. By default on the
/// machine's widest path next to the legacy kernel; set CONVNETGEN_BENCH_PATHS=all to add every narrower path, and
/// CONVNETGEN_BENCH_CASES=TEXT to keep only the cases whose name contains TEXT (e.g. "conv2d_1 fwd").
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GemmConfig))]
public class GemmBenchmarks
{
    public static IEnumerable<GemmCase> Cases =>
        GemmCase.Build(Environment.GetEnvironmentVariable("CONVNETGEN_BENCH_PATHS") == "all" ? GemmCase.SupportedWidths : [0], legacy: true)
            .Where(c => Environment.GetEnvironmentVariable("CONVNETGEN_BENCH_CASES") is not { Length: > 0 } filter ||
                        c.ToString().Contains(filter, StringComparison.OrdinalIgnoreCase));

    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = null!;

    private GemmOperands _operands = null!;

    [GlobalSetup]
    public void Setup() => _operands = new GemmOperands(Case);

    [Benchmark]
    public void Gemm() => _operands.Run();

    private sealed class GemmConfig : ManualConfig
    {
        public GemmConfig()
        {
            AddColumn(new GflopsColumn());
            WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(72)); // case names in full
        }
    }
}

/// <summary>GFLOP/s from the mean time: 2·m·n·k floating-point operations per product.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Billions of floating-point operations (2·m·n·k per product) per second, from the mean";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || benchmarkCase.Parameters["Case"] is not GemmCase gemmCase) return "NA";
        return (gemmCase.Flops / stats.Mean).ToString("F1"); // flops per nanosecond = GFLOP/s
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
