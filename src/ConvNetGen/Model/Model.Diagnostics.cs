namespace ConvNetGen;

public abstract partial class Model
{
    /// <summary>
    /// Runs one pass on <paramref name="x"/> on the calling thread and writes the outputs, for tests and tools that
    /// need the generated forward pass alone. <paramref name="training"/> selects training-mode layers (batch
    /// statistics, dropout masks); <paramref name="inferenceWorkspace"/> runs it on an inference workspace (only the
    /// buffers a forward pass with <c>training: false</c> uses).
    /// </summary>
    internal void ForwardPass(ReadOnlySpan<float> x, Span<float> outputs, bool training, bool inferenceWorkspace = false)
    {
        int n = InputChecks.ValidateSamples(x, Definition.InputShape.ElementCount, nameof(x));
        if (training && inferenceWorkspace)
            throw new ArgumentException("A training-mode pass needs a training workspace: an inference one has no batch-statistics or mask buffers.", nameof(inferenceWorkspace));
        var ws = NewWorkspace(n, training: !inferenceWorkspace);
        x.CopyTo(ws.Input);
        Forward(ws, n, training);
        ws.Output.AsSpan(0, n * Definition.OutputShape.ElementCount).CopyTo(outputs);
    }

    /// <summary>For tests and tools: a workspace of either mode, as the generated class allocates it.</summary>
    internal ModelWorkspace NewWorkspaceForTests(int capacity, bool training) => CreateWorkspace(capacity, training);

    /// <summary>For tests and tools: the generated <see cref="WorkspaceBytes"/>.</summary>
    internal long WorkspaceBytesForTests(int capacity, bool training) => WorkspaceBytes(capacity, training);

    /// <summary>For tests and tools: the generated <see cref="MaxWorkspaceCapacity"/>.</summary>
    internal int MaxWorkspaceCapacityForTests(bool training) => MaxWorkspaceCapacity(training);

    /// <summary>
    /// Runs a training-mode forward pass on <paramref name="x"/>, then back-propagates the given dL/d(output) and
    /// writes the parameter gradients (zero for frozen layers), on the calling thread. Where the last layer ends in
    /// Softmax, the softmax Jacobian is applied first, since the generated backward expects the loss to have fused it.
    /// </summary>
    internal void BackwardPass(ReadOnlySpan<float> x, ReadOnlySpan<float> outputGradient, Span<float> parameterGradients)
    {
        int n = InputChecks.ValidateSamples(x, Definition.InputShape.ElementCount, nameof(x));
        int outputSize = Definition.OutputShape.ElementCount;
        var ws = NewWorkspace(n, training: true);
        x.CopyTo(ws.Input);
        Forward(ws, n, training: true);
        var gradient = ws.OutputGradient.AsSpan(0, n * outputSize);
        outputGradient.CopyTo(gradient);
        if (Definition.Layers[^1].Activation == Activation.Softmax)
            Kernels.Activations.Backward(Activation.Softmax, ws.Output.AsSpan(0, n * outputSize), gradient,
                Definition.OutputShape[Definition.OutputShape.Rank - 1]); // softmax runs over the last axis
        ws.Gradients.Clear();
        Backward(ws, n);
        ws.Gradients.Span.CopyTo(parameterGradients);
    }
}
