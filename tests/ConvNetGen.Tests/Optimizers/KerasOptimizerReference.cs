namespace ConvNetGen.Tests.Optimizers;

/// <summary>
/// Straightforward double-precision transcriptions of the update_step methods in keras/src/optimizers/{sgd,rmsprop,adam}.py,
/// element by element, with the state of frozen parameters never touched. The optimizers under test must track these.
/// </summary>
internal abstract class KerasOptimizerReference(int parameterCount)
{
    protected int ParameterCount { get; } = parameterCount;

    public long Iterations { get; private set; }

    public void Step(double[] variables, double[] gradients, ParameterRange[] trainableRanges, double learningRate)
    {
        // Keras: local_step = iterations + 1 during the update, iterations += 1 afterwards.
        long localStep = Iterations + 1;
        foreach (var range in trainableRanges)
        {
            for (int i = range.Start; i < range.End; i++)
                UpdateStep(i, gradients[i], ref variables[i], learningRate, localStep);
        }
        Iterations++;
    }

    protected abstract void UpdateStep(int i, double gradient, ref double variable, double learningRate, long localStep);
}

internal sealed class SgdReference(int parameterCount, double momentum, bool nesterov) : KerasOptimizerReference(parameterCount)
{
    private readonly double[] _m = new double[parameterCount];

    public double[] Momentums => _m;

    protected override void UpdateStep(int i, double gradient, ref double variable, double learningRate, long localStep)
    {
        if (momentum != 0)
        {
            _m[i] = _m[i] * momentum - gradient * learningRate;
            if (nesterov)
                variable += _m[i] * momentum - gradient * learningRate;
            else
                variable += _m[i];
        }
        else
        {
            variable -= gradient * learningRate;
        }
    }
}

internal sealed class RmsPropReference(int parameterCount, double rho, double momentum, double epsilon, bool centered)
    : KerasOptimizerReference(parameterCount)
{
    private readonly double[] _velocity = new double[parameterCount];
    private readonly double[] _momentum = new double[parameterCount];
    private readonly double[] _averageGrad = new double[parameterCount];

    public double[] Velocities => _velocity;

    protected override void UpdateStep(int i, double gradient, ref double variable, double learningRate, long localStep)
    {
        _velocity[i] = rho * _velocity[i] + (1 - rho) * gradient * gradient;
        double denominator;
        if (centered)
        {
            _averageGrad[i] = rho * _averageGrad[i] + (1 - rho) * gradient;
            denominator = _velocity[i] - _averageGrad[i] * _averageGrad[i] + epsilon;
        }
        else
        {
            denominator = _velocity[i] + epsilon;
        }
        double increment = learningRate * gradient / Math.Sqrt(denominator);
        if (momentum > 0)
        {
            _momentum[i] = momentum * _momentum[i] + increment;
            variable -= _momentum[i];
        }
        else
        {
            variable -= increment;
        }
    }
}

internal sealed class AdamReference(int parameterCount, double beta1, double beta2, double epsilon, bool amsgrad)
    : KerasOptimizerReference(parameterCount)
{
    private readonly double[] _m = new double[parameterCount];
    private readonly double[] _v = new double[parameterCount];
    private readonly double[] _vHat = new double[parameterCount];

    public double[] Momentums => _m;

    protected override void UpdateStep(int i, double gradient, ref double variable, double learningRate, long localStep)
    {
        // beta_1_power = ops.power(ops.cast(self.beta_1, variable.dtype), local_step): the float32 beta is raised,
        // while 1 - self.beta_1 below is Python (double) arithmetic on the literal.
        double beta1Power = Math.Pow((float)beta1, localStep);
        double beta2Power = Math.Pow((float)beta2, localStep);
        double alpha = learningRate * Math.Sqrt(1 - beta2Power) / (1 - beta1Power);
        _m[i] += (gradient - _m[i]) * (1 - beta1);
        _v[i] += (gradient * gradient - _v[i]) * (1 - beta2);
        double v = _v[i];
        if (amsgrad)
        {
            _vHat[i] = Math.Max(_vHat[i], _v[i]);
            v = _vHat[i];
        }
        variable -= _m[i] * alpha / (Math.Sqrt(v) + epsilon);
    }
}
