package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/**
 * UniPC (Zhao et al. 2023): a multistep predictor (UniP) plus a corrector (UniC) that reuses the next model
 * evaluation, diffusers 0.26.3 {@code schedulers/scheduling_unipc_multistep.py} (B(h) variants bh1/bh2, data or noise
 * prediction). Like 0.26.3 the last sigma is sigma_min, not zero.
 */
public final class UniPCMultistepScheduler extends AlphaSigmaScheduler {
    private final Tensor[] modelOutputs;
    private int lowerOrderNums;
    private Tensor lastSample;
    private int thisOrder;
    private final SolverType solverType;

    public UniPCMultistepScheduler(SchedulerConfig config) {
        super(config);
        // diffusers: the DPM-Solver/DEIS names fall back to bh2
        solverType = switch (config.solverType()) {
            case BH1, BH2 -> config.solverType();
            case MIDPOINT, HEUN, LOGRHO -> SolverType.BH2;
        };
        if (config.solverOrder() < 1) {
            throw new VegaException("solver_order must be at least 1, got " + config.solverOrder());
        }
        modelOutputs = new Tensor[config.solverOrder()];
    }

    @Override
    public void setTimesteps(int n) {
        int numTrain = config.numTrainTimesteps();
        double[] ts = Spacing.multistep(config.timestepSpacing(), numTrain, numTrain, n, config.stepsOffset());
        float[] train = schedule.trainSigmas();
        if (config.useKarrasSigmas()) {
            double[] s = karrasSigmas(train, n);
            ts = roundedTimesteps(s, NoiseSchedule.logSigmas(train));
            sigmas = SigmaScheduler.toFloat(s, s[s.length - 1]);
        } else {
            sigmas = SigmaScheduler.toFloat(NoiseSchedule.interp(ts, train), trainSigmaMin());
        }
        timesteps = ts;
        numInferenceSteps = ts.length;
        Arrays.fill(modelOutputs, null);
        lowerOrderNums = 0;
        lastSample = null;
        timestepsSet();
    }

    /** diffusers {@code convert_model_output}: x0 with predict_x0, else epsilon (not thresholded). */
    private Tensor convertModelOutput(Tensor modelOutput, Tensor sample) {
        return config.predictX0() ? dataPrediction(modelOutput, sample) : noisePrediction(modelOutput, sample);
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        boolean useCorrector = stepIndex > 0 && !contains(config.disableCorrector(), stepIndex - 1)
                && lastSample != null;
        Tensor converted = convertModelOutput(modelOutput, sample);
        if (useCorrector) {
            sample = correct(converted, lastSample, sample, thisOrder);
        }
        int order = config.solverOrder();
        shiftIn(modelOutputs, converted);
        int o = config.lowerOrderFinal() ? Math.min(order, timesteps.length - stepIndex) : order;
        thisOrder = Math.min(o, lowerOrderNums + 1);
        lastSample = sample;
        Tensor prev = predict(sample, thisOrder);
        if (lowerOrderNums < order) {
            lowerOrderNums++;
        }
        stepIndex++;
        return new StepOutput(prev, null);
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** The h*phi_k / B(h) coefficient vector b and the rk powers (diffusers builds R and b the same way). */
    private record Coefficients(float hPhi1, float bH, float[] b, float[][] r) {}

    private Coefficients coefficients(float h, float[] rks, int order) {
        float hh = config.predictX0() ? -h : h;
        float hPhi1 = F32.expm1(hh);
        float hPhiK = hPhi1 / hh - 1f;
        int factorial = 1;
        float bH = solverType == SolverType.BH1 ? hh : F32.expm1(hh);
        float[] b = new float[order];
        float[][] r = new float[order][rks.length];
        for (int i = 1; i <= order; i++) {
            for (int j = 0; j < rks.length; j++) {
                r[i - 1][j] = (float) Math.pow(rks[j], i - 1);
            }
            b[i - 1] = hPhiK * factorial / bH;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - (float) (1.0 / factorial);
        }
        return new Coefficients(hPhi1, bH, b, r);
    }

    /** UniP-B(h): {@code multistep_uni_p_bh_update}. */
    private Tensor predict(Tensor x, int order) {
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1];
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s0 = DpmMath.alphaSigma(sigmas[stepIndex]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS0 = s0.alpha(), sigmaS0 = s0.sigma();
        float lambdaS0 = s0.lambda();
        float h = t.lambda() - lambdaS0;
        float[] rks = new float[order];
        Tensor[] d1s = new Tensor[order - 1];
        for (int i = 1; i < order; i++) {
            int si = stepIndex - i;
            Tensor mi = modelOutputs[k - (i + 1)];
            float rk = (DpmMath.lambda(sigmas[si]) - lambdaS0) / h;
            rks[i - 1] = rk;
            d1s[i - 1] = F32.map(mi, m0, (a, b) -> (a - b) / rk);
        }
        rks[order - 1] = 1f;
        Coefficients c = coefficients(h, rks, order);
        float[] rhos = null;
        if (order == 2) {
            rhos = new float[] {0.5f};
        } else if (order > 2) {
            int q = order - 1;
            float[][] a = new float[q][q];
            for (int i = 0; i < q; i++) {
                a[i] = Arrays.copyOf(c.r()[i], q);
            }
            rhos = solve(a, Arrays.copyOf(c.b(), q));
        }
        Tensor predRes = weightedSum(rhos, d1s, 0, order - 1);
        float[] xv = x.data(), m = m0.data();
        float[] out = new float[xv.length];
        float[] pr = predRes == null ? null : predRes.data();
        if (config.predictX0()) {
            float c1 = sigmaT / sigmaS0, c2 = alphaT * c.hPhi1(), c3 = alphaT * c.bH();
            for (int i = 0; i < out.length; i++) {
                float xt = c1 * xv[i] - c2 * m[i];
                out[i] = xt - c3 * (pr == null ? 0f : pr[i]);
            }
        } else {
            float c1 = alphaT / alphaS0, c2 = sigmaT * c.hPhi1(), c3 = sigmaT * c.bH();
            for (int i = 0; i < out.length; i++) {
                float xt = c1 * xv[i] - c2 * m[i];
                out[i] = xt - c3 * (pr == null ? 0f : pr[i]);
            }
        }
        return Tensor.of(out, x.shape());
    }

    /** UniC-B(h): {@code multistep_uni_c_bh_update}, correcting {@code thisSample} with the new model output. */
    private Tensor correct(Tensor modelT, Tensor last, Tensor thisSample, int order) {
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1];
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex]), s0 = DpmMath.alphaSigma(sigmas[stepIndex - 1]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS0 = s0.alpha(), sigmaS0 = s0.sigma();
        float lambdaS0 = s0.lambda();
        float h = t.lambda() - lambdaS0;
        float[] rks = new float[order];
        Tensor[] d1s = new Tensor[order - 1];
        for (int i = 1; i < order; i++) {
            int si = stepIndex - (i + 1);
            Tensor mi = modelOutputs[k - (i + 1)];
            float rk = (DpmMath.lambda(sigmas[si]) - lambdaS0) / h;
            rks[i - 1] = rk;
            d1s[i - 1] = F32.map(mi, m0, (a, b) -> (a - b) / rk);
        }
        rks[order - 1] = 1f;
        Coefficients c = coefficients(h, rks, order);
        float[] rhos = order == 1 ? new float[] {0.5f} : solve(c.r(), c.b());
        Tensor corrRes = weightedSum(rhos, d1s, 0, order - 1);
        float rhoLast = rhos[rhos.length - 1];
        float[] xv = last.data(), m = m0.data(), mt = modelT.data();
        float[] cr = corrRes == null ? null : corrRes.data();
        float[] out = new float[xv.length];
        float c1, c2, c3;
        if (config.predictX0()) {
            c1 = sigmaT / sigmaS0;
            c2 = alphaT * c.hPhi1();
            c3 = alphaT * c.bH();
        } else {
            c1 = alphaT / alphaS0;
            c2 = sigmaT * c.hPhi1();
            c3 = sigmaT * c.bH();
        }
        for (int i = 0; i < out.length; i++) {
            float xt = c1 * xv[i] - c2 * m[i];
            float d1t = mt[i] - m[i];
            float corr = (cr == null ? 0f : cr[i]) + rhoLast * d1t;
            out[i] = xt - c3 * corr;
        }
        return Tensor.of(out, last.shape());
    }

    /** {@code einsum("k,bkc...->bc...", rhos[from:to], D1s)}; null when there are no terms. */
    private static Tensor weightedSum(float[] rhos, Tensor[] d, int from, int to) {
        if (to - from <= 0 || d.length == 0) {
            return null;
        }
        float[] out = new float[d[0].numel()];
        for (int j = from; j < to; j++) {
            float w = rhos[j];
            float[] v = d[j].data();
            for (int i = 0; i < out.length; i++) {
                out[i] = j == from ? w * v[i] : out[i] + w * v[i];
            }
        }
        return Tensor.of(out, d[0].shape());
    }

    /** {@code torch.linalg.solve} in float32: Gaussian elimination with partial pivoting (LAPACK sgesv). */
    static float[] solve(float[][] aIn, float[] bIn) {
        int n = bIn.length;
        float[][] a = new float[n][];
        for (int i = 0; i < n; i++) {
            a[i] = Arrays.copyOf(aIn[i], n);
        }
        float[] b = Arrays.copyOf(bIn, n);
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            float[] tr = a[col];
            a[col] = a[piv];
            a[piv] = tr;
            float tb = b[col];
            b[col] = b[piv];
            b[piv] = tb;
            for (int r = col + 1; r < n; r++) {
                float f = a[r][col] / a[col][col];
                for (int cc = col; cc < n; cc++) {
                    a[r][cc] = a[r][cc] - f * a[col][cc];
                }
                b[r] = b[r] - f * b[col];
            }
        }
        float[] x = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            float s = b[i];
            for (int j = i + 1; j < n; j++) {
                s = s - a[i][j] * x[j];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
