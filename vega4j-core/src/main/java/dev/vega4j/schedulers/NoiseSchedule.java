package dev.vega4j.schedulers;

import dev.vega4j.VegaException;

/**
 * The training noise schedule shared by all schedulers: betas, alphas and their cumulative product, computed with the
 * same float32 torch operations diffusers uses ({@code torch.linspace(..., dtype=float32)}, {@code torch.cumprod}),
 * plus the numpy helpers the timestep/sigma code relies on. Source: diffusers 0.26.3
 * {@code schedulers/scheduling_ddpm.py} ({@code betas_for_alpha_bar}, {@code rescale_zero_terminal_snr}) and the
 * {@code __init__} of each scheduler.
 */
final class NoiseSchedule {
    final float[] betas;
    final float[] alphas;
    final float[] alphasCumprod;

    /** diffusers trains with 1000; a bound keeps a corrupt config from allocating gigabytes. */
    static final int MAX_TRAIN_TIMESTEPS = 100_000;

    NoiseSchedule(SchedulerConfig c) {
        int n = c.numTrainTimesteps();
        if (n < 2 || n > MAX_TRAIN_TIMESTEPS) {
            throw new VegaException("num_train_timesteps must be between 2 and " + MAX_TRAIN_TIMESTEPS + ", got " + n);
        }
        float[] b;
        if (c.trainedBetas() != null) {
            if (c.trainedBetas().length < 2 || c.trainedBetas().length > MAX_TRAIN_TIMESTEPS) {
                // found by fuzzing: "trained_betas": false read as no betas, and the schedule indexed an empty array
                throw new VegaException("trained_betas must be a list of 2 to " + MAX_TRAIN_TIMESTEPS + " betas, got "
                        + c.trainedBetas().length + " values");
            }
            b = new float[c.trainedBetas().length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) c.trainedBetas()[i];
            }
        } else {
            b = switch (c.betaSchedule()) {
                case LINEAR -> torchLinspace((float) c.betaStart(), (float) c.betaEnd(), n);
                case SCALED_LINEAR -> {
                    float[] s = torchLinspace((float) Math.sqrt(c.betaStart()), (float) Math.sqrt(c.betaEnd()), n);
                    for (int i = 0; i < n; i++) {
                        s[i] = s[i] * s[i];
                    }
                    yield s;
                }
                case SQUAREDCOS_CAP_V2 -> betasForAlphaBar(n, 0.999);
            };
        }
        for (int i = 0; i < b.length; i++) {
            // a beta outside [0, 1) makes an alpha <= 0: the cumulative product's square roots and logs are NaN and
            // every timestep and sigma with them (diffusers computes them silently)
            if (!(b[i] >= 0 && b[i] < 1)) {
                throw new VegaException((c.trainedBetas() != null ? "trained_betas[" + i + "] is "
                        : "beta_start " + c.betaStart() + " and beta_end " + c.betaEnd() + " give beta " + i + " = ")
                        + b[i] + "; every beta must be in [0, 1)");
            }
        }
        if (c.rescaleBetasZeroSnr()) {
            b = rescaleZeroTerminalSnr(b);
        }
        betas = b;
        alphas = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            alphas[i] = 1f - b[i];
        }
        alphasCumprod = cumprod(alphas);
    }

    /**
     * {@code torch.linspace(start, end, steps)} for float32 on the CPU (ATen 1.13 {@code RangeFactoriesKernel.cpp}): a
     * float step, the first half counted up from start, the second half down from end, produced by the AVX2 vector
     * loop (2 x 8 lanes per iteration, {@code Vectorized::arange(base, step)}) with a scalar tail. GCC contracts those
     * multiply-adds into FMA instructions, so each value is one fused operation; verified against the reference
     * sigmas, which differ by up to 2 ulps without it.
     */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        final int lanes = 8;
        int vectorEnd = steps - steps % (2 * lanes);
        int idx = 0;
        for (; idx < vectorEnd; idx += lanes) {
            float base = linspaceScalar(start, end, step, halfway, steps, idx);
            for (int l = 0; l < lanes; l++) {
                out[idx + l] = Math.fma((float) l, step, base);
            }
        }
        for (; idx < steps; idx++) {
            out[idx] = linspaceScalar(start, end, step, halfway, steps, idx);
        }
        return out;
    }

    private static float linspaceScalar(float start, float end, float step, int halfway, int steps, int idx) {
        return idx < halfway ? Math.fma(step, (float) idx, start) : Math.fma(-step, (float) (steps - idx - 1), end);
    }

    /** {@code torch.cumprod} of a float tensor: CPU accumulates in double (acc_type), each output rounded to float. */
    static float[] cumprod(float[] a) {
        float[] out = new float[a.length];
        double acc = 1.0;
        for (int i = 0; i < a.length; i++) {
            acc *= a[i];
            out[i] = (float) acc;
        }
        return out;
    }

    /** diffusers {@code betas_for_alpha_bar} with the cosine transform (Nichol &amp; Dhariwal), in double, then float32. */
    static float[] betasForAlphaBar(int n, double maxBeta) {
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            b[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
        }
        return b;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** diffusers {@code rescale_zero_terminal_snr} (Lin et al. 2023, Algorithm 1), float32 torch ops. */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] alphas = new float[n];
        for (int i = 0; i < n; i++) {
            alphas[i] = 1f - betas[i];
        }
        float[] cp = cumprod(alphas);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) Math.sqrt(cp[i]);
        }
        float s0 = s[0], sT = s[n - 1];
        float scale = s0 / (s0 - sT);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (s[i] - sT) * scale;
            bar[i] = v * v;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    /** {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5} in float32, as numpy float32 values. */
    float[] trainSigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            float a = alphasCumprod[i];
            s[i] = (float) Math.sqrt((1f - a) / a);
        }
        return s;
    }

    // ---- numpy helpers (float64) ----

    /** {@code np.interp(x, arange(len(fp)), fp)} in float64 (numpy {@code arr_interp}). */
    static double[] interp(double[] x, float[] fp) {
        double[] out = new double[x.length];
        int last = fp.length - 1;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (Double.isNaN(v)) {
                out[i] = v;
            } else if (v >= last) {
                out[i] = fp[last];
            } else if (v <= 0) {
                out[i] = fp[0];
            } else {
                int j = (int) Math.floor(v);
                if (v == j) {
                    out[i] = fp[j];
                } else {
                    double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
                    out[i] = slope * (v - j) + fp[j];
                }
            }
        }
        return out;
    }

    /** Karras et al. (2022) sigma ramp, rho 7, in float64 (diffusers {@code _convert_to_karras}). */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double ramp = n == 1 ? 0 : linspaceValue(0, 1, n, i);
            out[i] = Math.pow(maxInv + ramp * (minInv - maxInv), rho);
        }
        return out;
    }

    /** Element i of {@code np.linspace(start, stop, num)} (endpoint included): {@code start + i*step}, last = stop. */
    static double linspaceValue(double start, double stop, int num, int i) {
        if (num == 1) {
            return start;
        }
        if (i == num - 1) {
            return stop;
        }
        double step = (stop - start) / (num - 1);
        return start + i * step;
    }

    /** {@code np.linspace(start, stop, num)}. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        for (int i = 0; i < num; i++) {
            out[i] = linspaceValue(start, stop, num, i);
        }
        return out;
    }

    /** float32 {@code np.log(sigmas)} of the training sigmas (numpy's SIMD float32 log, see {@link NumpyLog}). */
    static float[] logSigmas(float[] sigmas) {
        float[] out = new float[sigmas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = NumpyLog.log(sigmas[i]);
        }
        return out;
    }

    /**
     * diffusers {@code _sigma_to_t} for a float64 sigma against the float32 log-sigmas, with numpy 1.24's promotion
     * rules: the float64 log(sigma) meets float32 arrays, so the distances and the weight {@code w = (low -
     * log_sigma) / (low - high)} are float32; only {@code (1-w)*low_idx + w*high_idx} is float64 (float32 times an
     * int64 array). The index is the last log-sigma at or below log(sigma), capped at len-2.
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        float ls = (float) Math.log(Math.max(sigma, 1e-10));
        int lowIdx = lowIndex(ls, logSigmas);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx], high = logSigmas[highIdx];
        float w = (low - ls) / (low - high);
        w = Math.min(Math.max(w, 0f), 1f);
        return (double) (1f - w) * lowIdx + (double) w * highIdx;
    }

    /** {@code cumsum(dists >= 0).argmax()} capped at len-2: the first index where the count reaches its maximum. */
    private static int lowIndex(float logSigma, float[] logSigmas) {
        int count = 0, lowIdx = 0, best = -1;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                count++;
            }
            if (count > best) {
                best = count;
                lowIdx = i;
            }
        }
        return Math.min(lowIdx, logSigmas.length - 2);
    }

    /**
     * {@code _sigma_to_t} as KDPM2 calls it with torch float32 tensors (sigma a float32 0-d tensor, log-sigmas a
     * float32 tensor): the whole interpolation runs in float32.
     */
    static float sigmaToTFloat(float sigma, float[] logSigmas) {
        // np.log(np.maximum(tensor, 1e-10)): numpy's float32 log, wrapped back into a torch tensor
        float logSigma = NumpyLog.log(Math.max(sigma, 1e-10f));
        int lowIdx = lowIndex(logSigma, logSigmas);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx], high = logSigmas[highIdx];
        float w = (low - logSigma) / (low - high);
        w = Math.min(Math.max(w, 0f), 1f);
        return (1f - w) * lowIdx + w * highIdx;
    }
}
