using System.Globalization;
using System.Numerics.Tensors;
using System.Text;

namespace ConvNetGen;

/// <summary>
/// How many samples of each true class were predicted as each class (the highest output, ties to the first, as
/// <c>argmax</c>): row = true class, column = predicted class, as <c>sklearn.metrics.confusion_matrix</c> and
/// <c>tf.math.confusion_matrix</c> lay it out. <c>Evaluate</c> with integer labels fills one.
/// </summary>
/// <remarks>Immutable, so safe to share between threads.</remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>A matrix of <paramref name="classes"/> × <paramref name="classes"/> counts, row-major (true class, then predicted class).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="counts"/> is not classes² non-negative counts.</exception>
    public ConfusionMatrix(int classes, ReadOnlySpan<long> counts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (counts.Length != (long)classes * classes)
            throw new ArgumentException($"A confusion matrix of {classes} classes holds {(long)classes * classes} counts, not {counts.Length}.", nameof(counts));
        foreach (long count in counts)
            if (count < 0) throw new ArgumentException("Counts cannot be negative.", nameof(counts));
        Classes = classes;
        _counts = counts.ToArray();
    }

    /// <summary>The number of classes (rows and columns).</summary>
    public int Classes { get; }

    /// <summary>How many samples of class <paramref name="trueClass"/> were predicted as <paramref name="predictedClass"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <see cref="Classes"/>).</exception>
    public long this[int trueClass, int predictedClass]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)trueClass, (uint)Classes, nameof(trueClass));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)predictedClass, (uint)Classes, nameof(predictedClass));
            return _counts[trueClass * Classes + predictedClass];
        }
    }

    /// <summary>The number of samples counted.</summary>
    public long Total => _counts.Sum();

    /// <summary>The counts as a new [true class, predicted class] array.</summary>
    public long[,] ToArray()
    {
        var result = new long[Classes, Classes];
        for (int i = 0; i < Classes; i++)
            for (int j = 0; j < Classes; j++)
                result[i, j] = _counts[i * Classes + j];
        return result;
    }

    /// <summary>The matrix as right-aligned text, one row per true class.</summary>
    public override string ToString()
    {
        int width = Math.Max(Classes.ToString(CultureInfo.InvariantCulture).Length, _counts.Max().ToString(CultureInfo.InvariantCulture).Length) + 1;
        var text = new StringBuilder();
        text.Append("true\\pred".PadRight(10));
        for (int j = 0; j < Classes; j++) text.Append(j.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        for (int i = 0; i < Classes; i++)
        {
            text.AppendLine().Append(i.ToString(CultureInfo.InvariantCulture).PadRight(10));
            for (int j = 0; j < Classes; j++) text.Append(_counts[i * Classes + j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
        }
        return text.ToString();
    }

    /// <summary>Adds a batch's samples to row-major counts (labels already checked).</summary>
    internal static void Count(long[] counts, ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int classes)
    {
        for (int sample = 0; sample < labels.Length; sample++)
            counts[labels[sample] * classes + TensorPrimitives.IndexOfMax(outputs.Slice(sample * classes, classes))]++;
    }
}
