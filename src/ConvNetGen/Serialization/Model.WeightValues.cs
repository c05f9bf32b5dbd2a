namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// A copy of every weight by its full name (<c>conv2d/kernel</c>, …), in Keras layouts, as Keras' <c>get_weights</c>
    /// but keyed by name: what a writer of another file format needs.
    /// </summary>
    /// <remarks>
    /// Thread-safe: taken under the weights' read lock, so a copy taken while another thread trains holds the weights
    /// between two steps, not a mix. The arrays are the caller's; changing them does not change the model.
    /// </remarks>
    public IReadOnlyDictionary<string, float[]> GetWeights()
    {
        var copy = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using (ReadWeights())
            foreach (var layer in Definition.Layers)
            foreach (var weight in layer.Weights)
                copy[$"{layer.Name}/{weight.Name}"] = _parameters.AsSpan(weight.Offset, weight.Length).ToArray();
        return copy;
    }

    /// <summary>
    /// Replaces the given weights (full names, Keras layouts, each with exactly the weight's element count) in one
    /// step, as Keras' <c>set_weights</c> for a subset keyed by name: what a reader of another file format needs.
    /// All or nothing: every name and length is checked first, and every mismatch is listed in one exception.
    /// </summary>
    /// <remarks>
    /// Thread-safe as <see cref="LoadWeights"/> is: refused while training, and it waits for running inference calls,
    /// so none of them sees half old and half new weights. Values are copied in; the arrays stay the caller's (do not
    /// change them during the call). Values are not checked for NaN or infinity (<see cref="LoadWeights"/> does).
    /// </remarks>
    /// <exception cref="ArgumentException">A name is not a weight of this model, or a length differs; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">The model is training; nothing was changed.</exception>
    public void SetWeights(IReadOnlyDictionary<string, float[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var byName = new Dictionary<string, WeightInfo>(StringComparer.Ordinal);
        foreach (var layer in Definition.Layers)
        foreach (var weight in layer.Weights)
            byName[$"{layer.Name}/{weight.Name}"] = weight;

        var problems = new List<string>();
        var validated = new List<(int Offset, ReadOnlyMemory<float> Values)>();
        foreach (var (name, array) in values)
        {
            if (!byName.TryGetValue(name, out var weight))
                problems.Add($"'{name}' is not a weight of {Definition.Name}");
            else if (array is null || array.Length != weight.Length)
                problems.Add($"'{name}' {weight.Shape} takes {weight.Length} values; got {array?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
            else
                validated.Add((weight.Offset, array)); // copied into the parameters under the lock; no second copy, as a base can be hundreds of MB
        }
        if (problems.Count > 0)
        {
            string nl = Environment.NewLine;
            throw new ArgumentException($"Cannot set weights of {Definition.Name}; nothing was changed:{nl}  - {string.Join(nl + "  - ", problems)}", nameof(values));
        }
        WriteParameters(validated);
    }
}
