package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear multistep (k-diffusion {@code sample_lms}, order 4), diffusers 0.26.3
 * {@code schedulers/scheduling_lms_discrete.py}. The coefficients integrate the Lagrange basis polynomial over
 * [sigma_i, sigma_{i+1}] with scipy's {@code quad(epsrel=1e-4)}; diffusers evaluates that integrand with float32 torch
 * scalars, which is mirrored here, and the quadrature is {@link GaussKronrod}.
 */
public final class LMSDiscreteScheduler extends SigmaScheduler {
    private static final int ORDER = 4;
    private final List<Tensor> derivatives = new ArrayList<>();

    public LMSDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public void setTimesteps(int n) {
        numInferenceSteps = n;
        double[] ts = spacedTimesteps(n);
        double[] s = interpSigmas(ts);
        timestepsDtype = "float32";
        if (config.useKarrasSigmas()) {
            s = karrasBetweenEnds(s, n);
            ts = sigmasToTimesteps(s);
            timestepsDtype = "float64";
        }
        sigmas = toFloat(s, 0.0);
        timesteps = ts;
        derivatives.clear();
        timestepsSet();
    }

    /** diffusers {@code get_lms_coefficient(order, t, current_order)}. */
    double lmsCoefficient(int order, int t, int currentOrder) {
        float[] s = sigmas;
        return GaussKronrod.integrate(tau -> {
            float tf = (float) tau;
            float prod = 1f;
            boolean any = false;
            for (int k = 0; k < order; k++) {
                if (k == currentOrder) {
                    continue;
                }
                float term = (tf - s[t - k]) / (s[t - currentOrder] - s[t - k]);
                prod = any ? prod * term : term;
                any = true;
            }
            return prod;
        }, s[t], s[t + 1], 1.49e-8, 1e-4);
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        float sigma = sigmas[stepIndex];
        Tensor x0 = predOriginalKarras(modelOutput, sample, sigma);
        derivatives.add(F32.map(sample, x0, (x, p) -> (x - p) / sigma));
        if (derivatives.size() > ORDER) {
            derivatives.removeFirst();
        }
        int order = Math.min(stepIndex + 1, ORDER);
        float[] coeffs = new float[order];
        for (int c = 0; c < order; c++) {
            coeffs[c] = (float) lmsCoefficient(order, stepIndex, c);
        }
        // sample + sum(coeff * derivative for coeff, derivative in zip(coeffs, reversed(derivatives)))
        float[] acc = null;
        for (int c = 0; c < order; c++) {
            float[] d = derivatives.get(derivatives.size() - 1 - c).data();
            float k = coeffs[c];
            if (acc == null) {
                acc = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    acc[i] = k * d[i];
                }
            } else {
                for (int i = 0; i < d.length; i++) {
                    acc[i] = acc[i] + k * d[i];
                }
            }
        }
        float[] x = sample.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + acc[i];
        }
        stepIndex++;
        return new StepOutput(Tensor.of(out, sample.shape()), x0);
    }
}
