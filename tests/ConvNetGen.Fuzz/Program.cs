using SharpFuzz;

namespace ConvNetGen.Fuzz;

/// <summary>
/// <c>ConvNetGen.Fuzz TARGET</c> runs a target under afl-fuzz (see run-afl.sh);
/// <c>ConvNetGen.Fuzz write-seeds DIR</c> writes the seed corpora to DIR/TARGET/;
/// <c>ConvNetGen.Fuzz replay TARGET FILE…</c> runs a target on saved inputs, e.g. AFL's crashes, printing what each does.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["write-seeds", string directory]:
                foreach (string target in FuzzTargets.ByName.Keys)
                {
                    string folder = Directory.CreateDirectory(Path.Combine(directory, target)).FullName;
                    foreach (var (name, bytes) in SeedCorpus.For(target))
                        File.WriteAllBytes(Path.Combine(folder, name), bytes);
                }
                return 0;
            case ["replay", string name, .. var files] when FuzzTargets.ByName.TryGetValue(name, out var replayed):
                int failures = 0;
                foreach (string file in files)
                {
                    try
                    {
                        replayed(File.ReadAllBytes(file));
                        Console.WriteLine($"{file}: ok");
                    }
                    catch (Exception e)
                    {
                        failures++;
                        Console.WriteLine($"{file}: {e}");
                    }
                }
                return failures == 0 ? 0 : 1;
            case [string name] when FuzzTargets.ByName.TryGetValue(name, out var target):
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var input = new MemoryStream();
                    stream.CopyTo(input);
                    target(input.GetBuffer().AsSpan(0, (int)input.Length));
                });
                return 0;
            default:
                Console.Error.WriteLine($"usage: ConvNetGen.Fuzz {string.Join("|", FuzzTargets.ByName.Keys)} | write-seeds DIR | replay TARGET FILE...");
                return 2;
        }
    }
}
