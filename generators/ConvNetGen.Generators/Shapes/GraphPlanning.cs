using System.Collections.Generic;
using System.Linq;
using ConvNetGen.Generators.Model;

namespace ConvNetGen.Generators.Shapes;

/// <summary>
/// Who reads whom, decided once: which layers reach the output (the last layer), each live layer's consumers, which
/// gradient buffer each read writes back into — the last reader the producer's own, earlier ones a branch buffer each
/// that the producer's backward adds in first — and whether the output's Softmax is left to the loss.
/// </summary>
internal static class GraphPlanning
{
    public static List<LayerPlan> Decide(IReadOnlyList<LayerPlan> layers)
    {
        var live = new bool[layers.Count];
        if (layers.Count > 0) live[layers.Count - 1] = true;
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            if (!live[i]) continue;
            foreach (int producer in layers[i].Inputs)
                if (producer >= 0) live[producer] = true;
        }

        var consumers = layers.Select(_ => new List<(int Layer, int Slot)>()).ToArray();
        for (int i = 0; i < layers.Count; i++)
        {
            if (!live[i]) continue;
            for (int slot = 0; slot < layers[i].Inputs.Count; slot++)
                if (layers[i].Inputs[slot] >= 0) consumers[layers[i].Inputs[slot]].Add((i, slot));
        }

        var branches = layers.Select(l => new int[l.Inputs.Count]).ToArray();
        foreach (var reads in consumers)
            for (int k = 0; k < reads.Count - 1; k++)
                branches[reads[k].Layer][reads[k].Slot] = k + 1; // the last read keeps 0: the producer's own buffer

        return layers.Select((l, i) => l with
        {
            IsLive = live[i],
            Consumers = consumers[i].Select(c => c.Layer).ToEquatableArray(),
            InputGradientBranches = branches[i].ToEquatableArray(),
            SoftmaxFusedIntoLoss = i == layers.Count - 1 && l.Spec.Activation == ActivationKind.Softmax,
        }).ToList();
    }

    /// <summary>Every layer <paramref name="index"/> depends on, through its inputs.</summary>
    public static HashSet<int> Ancestors(IReadOnlyList<LayerPlan> layers, int index)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>(layers[index].Inputs.Where(p => p >= 0));
        while (stack.Count > 0)
        {
            int p = stack.Pop();
            if (!seen.Add(p)) continue;
            foreach (int q in layers[p].Inputs) if (q >= 0) stack.Push(q);
        }
        return seen;
    }

    /// <summary>The one layer that reads <paramref name="index"/>, when exactly one does (and reads it once).</summary>
    public static LayerPlan? SoleConsumer(IReadOnlyList<LayerPlan> layers, int index) =>
        layers[index].Consumers.Count == 1 ? layers[layers[index].Consumers[0]] : null;
}
