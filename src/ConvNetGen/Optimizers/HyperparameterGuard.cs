using System.Globalization;

namespace ConvNetGen;

/// <summary>Argument checks shared by the optimizers' constructors, so every optimizer rejects bad values the same way.</summary>
internal static class HyperparameterGuard
{
    public static float LearningRate(float value, string parameterName)
    {
        if (!float.IsFinite(value) || value <= 0f)
            throw new ArgumentOutOfRangeException(parameterName, value, "The learning rate must be a finite number greater than 0.");
        return value;
    }

    /// <summary>Decay rates (rho, beta_1, beta_2) and momentum: 1 would freeze the running averages forever.</summary>
    public static float UnitInterval(float value, string parameterName)
    {
        if (!(value >= 0f && value < 1f))
            throw new ArgumentOutOfRangeException(parameterName, value, $"'{parameterName}' must be in [0, 1).");
        return value;
    }

    public static float Epsilon(float value, string parameterName)
    {
        if (!float.IsFinite(value) || value <= 0f)
            throw new ArgumentOutOfRangeException(parameterName, value, "Epsilon must be a finite number greater than 0.");
        return value;
    }

    /// <summary>
    /// <c>1 - value</c> as Keras computes it: in double precision from the decimal the user wrote (0.999, not the float
    /// 0.99900001), then rounded to float. Computing <c>1f - 0.999f</c> instead would be off by 1.3e-5 relative.
    /// </summary>
    public static float OneMinus(float value)
    {
        // float.ToString() yields the shortest decimal that round-trips, i.e. the literal the caller wrote.
        double asWritten = double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (float)(1.0 - asWritten);
    }
}
