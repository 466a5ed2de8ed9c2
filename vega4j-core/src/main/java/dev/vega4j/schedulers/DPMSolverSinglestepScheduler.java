package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * DPM-Solver / DPM-Solver++ singlestep (Lu et al. 2022, Algorithm 1 / DPM-Solver-2S), diffusers 0.26.3
 * {@code schedulers/scheduling_dpmsolver_singlestep.py} ("DPM Single"): steps are grouped by the order list
 * (1, 2, 1, 2, ...) and each group restarts from the sample saved at its first-order step. Its timesteps are always
 * {@code linspace(0, N-1-clipped, n+1).round()} reversed without the last (no timestep_spacing option).
 */
public final class DPMSolverSinglestepScheduler extends AbstractScheduler {
    private float[] sigmas = new float[0];
    private final Tensor[] modelOutputs;
    private Tensor savedSample;
    private int[] orderList = new int[0];
    private boolean lowerOrderFinal;
    private final String algorithm;
    private final String solverType;

    public DPMSolverSinglestepScheduler(SchedulerConfig config) {
        super(config);
        String alg = config.algorithmType();
        if (alg.equals("deis")) {
            alg = "dpmsolver++";
        }
        if (!alg.equals("dpmsolver") && !alg.equals("dpmsolver++")) {
            throw new VegaException("DPMSolverSinglestepScheduler algorithm_type '" + config.algorithmType()
                    + "' is not supported (use dpmsolver++ or dpmsolver)");
        }
        algorithm = alg;
        String st = config.solverType();
        if (st.equals("logrho") || st.equals("bh1") || st.equals("bh2")) {
            st = "midpoint";
        }
        if (!st.equals("midpoint") && !st.equals("heun")) {
            throw new VegaException("DPMSolverSinglestepScheduler solver_type '" + config.solverType()
                    + "' is not supported");
        }
        solverType = st;
        if (!alg.equals("dpmsolver++") && config.finalSigmasType().equals("zero")) {
            throw new VegaException("final_sigmas_type 'zero' is not supported for algorithm_type " + alg
                    + "; use final_sigmas_type 'sigma_min'");
        }
        if (config.solverOrder() < 1 || config.solverOrder() > 3) {
            throw new VegaException("solver_order must be 1, 2 or 3, got " + config.solverOrder());
        }
        modelOutputs = new Tensor[config.solverOrder()];
        lowerOrderFinal = config.lowerOrderFinal();
    }

    /** diffusers {@code get_order_list}. */
    int[] orderList(int steps) {
        int order = config.solverOrder();
        List<Integer> o = new ArrayList<>();
        if (lowerOrderFinal) {
            if (order == 3) {
                if (steps % 3 == 0) {
                    repeat(o, new int[] {1, 2, 3}, steps / 3 - 1);
                    o.add(1);
                    o.add(2);
                    o.add(1);
                } else if (steps % 3 == 1) {
                    repeat(o, new int[] {1, 2, 3}, steps / 3);
                    o.add(1);
                } else {
                    repeat(o, new int[] {1, 2, 3}, steps / 3);
                    o.add(1);
                    o.add(2);
                }
            } else if (order == 2) {
                if (steps % 2 == 0) {
                    repeat(o, new int[] {1, 2}, steps / 2 - 1);
                    o.add(1);
                    o.add(1);
                } else {
                    repeat(o, new int[] {1, 2}, steps / 2);
                    o.add(1);
                }
            } else {
                repeat(o, new int[] {1}, steps);
            }
        } else {
            if (order == 3) {
                repeat(o, new int[] {1, 2, 3}, steps / 3);
            } else if (order == 2) {
                repeat(o, new int[] {1, 2}, steps / 2);
            } else {
                repeat(o, new int[] {1}, steps);
            }
        }
        if (config.finalSigmasType().equals("zero") && !o.isEmpty()) {
            o.set(o.size() - 1, 1); // a higher-order update cannot end at sigma 0 (infinite lambda)
        }
        return o.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void repeat(List<Integer> o, int[] pattern, int times) {
        for (int t = 0; t < times; t++) {
            for (int p : pattern) {
                o.add(p);
            }
        }
    }

    @Override
    public void setTimesteps(int n) {
        int numTrain = config.numTrainTimesteps();
        Spacing.checkSteps(n, numTrain);
        numInferenceSteps = n;
        int clipped = DpmMath.clippedIndex(schedule.alphasCumprod, config.lambdaMinClipped());
        double[] ts = Spacing.reverse(Spacing.rint(NoiseSchedule.linspace(0, numTrain - 1 - clipped, n + 1)));
        ts = java.util.Arrays.copyOf(ts, n);
        float[] train = schedule.trainSigmas();
        double[] s;
        if (config.useKarrasSigmas()) {
            float[] logSigmas = NoiseSchedule.logSigmas(train);
            // np.flip(sigmas): in_sigmas[-1] is the smallest training sigma, in_sigmas[0] the largest
            s = NoiseSchedule.karras(train[0], train[train.length - 1], n);
            ts = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                ts[i] = Math.rint(NoiseSchedule.sigmaToT(s[i], logSigmas));
            }
        } else {
            s = NoiseSchedule.interp(ts, train);
        }
        double sigmaLast = switch (config.finalSigmasType()) {
            case "sigma_min" -> {
                float a0 = schedule.alphasCumprod[0];
                yield F32.sqrt((1f - a0) / a0);
            }
            case "zero" -> 0.0;
            default -> throw new VegaException("final_sigmas_type '" + config.finalSigmasType()
                    + "' is not supported (use zero or sigma_min)");
        };
        sigmas = SigmaScheduler.toFloat(s, sigmaLast);
        timesteps = ts;
        java.util.Arrays.fill(modelOutputs, null);
        savedSample = null;
        lowerOrderFinal = config.lowerOrderFinal();
        if (!lowerOrderFinal && n % config.solverOrder() != 0) {
            lowerOrderFinal = true; // diffusers re-registers lower_order_final=True with a warning
        }
        if (!lowerOrderFinal && config.finalSigmasType().equals("zero")) {
            lowerOrderFinal = true;
        }
        orderList = orderList(n);
        resetIndices();
    }

    @Override
    public String timestepsDtype() {
        return "int64";
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public Tensor scaleModelInput(Tensor sample, double timestep) {
        return sample;
    }

    private Tensor convertModelOutput(Tensor modelOutput, Tensor sample) {
        float sigma = sigmas[stepIndex];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        String p = config.predictionType();
        if (algorithm.equals("dpmsolver++")) {
            Tensor x0 = switch (p) {
                case "epsilon" -> F32.map(sample, modelOutput, (x, m) -> (x - s * m) / a);
                case "sample" -> modelOutput;
                default -> F32.map(sample, modelOutput, (x, m) -> a * x - s * m);
            };
            return config.thresholding() ? thresholdSample(x0) : x0;
        }
        Tensor eps = switch (p) {
            case "epsilon" -> modelOutput;
            case "sample" -> F32.map(sample, modelOutput, (x, m) -> (x - a * m) / s);
            default -> F32.map(modelOutput, sample, (m, x) -> a * m + s * x);
        };
        if (config.thresholding()) {
            Tensor x0 = thresholdSample(F32.map(sample, eps, (x, e) -> (x - s * e) / a));
            eps = F32.map(sample, x0, (x, q) -> (x - a * q) / s);
        }
        return eps;
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        Tensor m = convertModelOutput(modelOutput, sample);
        int k = modelOutputs.length;
        for (int i = 0; i < k - 1; i++) {
            modelOutputs[i] = modelOutputs[i + 1];
        }
        modelOutputs[k - 1] = m;
        int order = orderList[stepIndex];
        while (modelOutputs[k - order] == null) {
            order--;
        }
        if (order == 1) {
            savedSample = sample;
        }
        Tensor prev = switch (order) {
            case 1 -> firstOrder(modelOutputs[k - 1], savedSample);
            case 2 -> secondOrder(savedSample);
            default -> thirdOrder(savedSample);
        };
        stepIndex++;
        return new StepOutput(prev, null);
    }

    private Tensor firstOrder(Tensor m, Tensor sample) {
        float sT = sigmas[stepIndex + 1], sS = sigmas[stepIndex];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS = DpmMath.alpha(sS), sigmaS = sS * alphaS;
        float h = (F32.log(alphaT) - F32.log(sigmaT)) - (F32.log(alphaS) - F32.log(sigmaS));
        if (algorithm.equals("dpmsolver++")) {
            float c1 = sigmaT / sigmaS, c2 = alphaT * (F32.exp(-h) - 1f);
            return F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
        }
        float c1 = alphaT / alphaS, c2 = sigmaT * (F32.exp(h) - 1f);
        return F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
    }

    private Tensor secondOrder(Tensor sample) {
        float sT = sigmas[stepIndex + 1], s0 = sigmas[stepIndex], s1 = sigmas[stepIndex - 1];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS1 = DpmMath.alpha(s1), sigmaS1 = s1 * alphaS1;
        float lambdaT = F32.log(alphaT) - F32.log(sigmaT);
        float lambdaS0 = DpmMath.lambda(s0);
        float lambdaS1 = F32.log(alphaS1) - F32.log(sigmaS1);
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1], m1 = modelOutputs[k - 2];
        float h = lambdaT - lambdaS1, h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        float inv = 1f / r0;
        Tensor d1 = F32.map(m0, m1, (a, b) -> inv * (a - b));
        boolean mid = solverType.equals("midpoint");
        if (algorithm.equals("dpmsolver++")) {
            float c1 = sigmaT / sigmaS1, c2 = alphaT * (F32.exp(-h) - 1f);
            float c3 = mid ? 0.5f * (alphaT * (F32.exp(-h) - 1f)) : alphaT * ((F32.exp(-h) - 1f) / h + 1f);
            return mid ? F32.map(sample, m1, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b)
                    : F32.map(sample, m1, d1, (x, a, b) -> c1 * x - c2 * a + c3 * b);
        }
        float c1 = alphaT / alphaS1, c2 = sigmaT * (F32.exp(h) - 1f);
        float c3 = mid ? 0.5f * (sigmaT * (F32.exp(h) - 1f)) : sigmaT * ((F32.exp(h) - 1f) / h - 1f);
        return F32.map(sample, m1, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b);
    }

    private Tensor thirdOrder(Tensor sample) {
        float sT = sigmas[stepIndex + 1], s0 = sigmas[stepIndex], s1 = sigmas[stepIndex - 1],
                s2 = sigmas[stepIndex - 2];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS2 = DpmMath.alpha(s2), sigmaS2 = s2 * alphaS2;
        float lambdaT = F32.log(alphaT) - F32.log(sigmaT);
        float lambdaS0 = DpmMath.lambda(s0), lambdaS1 = DpmMath.lambda(s1);
        float lambdaS2 = F32.log(alphaS2) - F32.log(sigmaS2);
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1], m1 = modelOutputs[k - 2], m2 = modelOutputs[k - 3];
        float h = lambdaT - lambdaS2, h0 = lambdaS0 - lambdaS2, h1 = lambdaS1 - lambdaS2;
        float r0 = h0 / h, r1 = h1 / h;
        float i1 = 1f / r1, i0 = 1f / r0;
        Tensor d10 = F32.map(m1, m2, (a, b) -> i1 * (a - b));
        Tensor d11 = F32.map(m0, m2, (a, b) -> i0 * (a - b));
        float rd = r0 - r1;
        Tensor d1 = F32.map(d10, d11, (a, b) -> (r0 * a - r1 * b) / rd);
        Tensor d2 = F32.map(d10, d11, (a, b) -> 2f * (b - a) / rd);
        boolean mid = solverType.equals("midpoint");
        float[] x = sample.data(), a0 = m2.data(), a1 = (mid ? d11 : d1).data(), a2 = d2.data();
        float[] out = new float[x.length];
        if (algorithm.equals("dpmsolver++")) {
            float c1 = sigmaT / sigmaS2, c2 = alphaT * (F32.exp(-h) - 1f);
            float c3 = alphaT * ((F32.exp(-h) - 1f) / h + 1f);
            float c4 = alphaT * ((F32.exp(-h) - 1f + h) / (h * h) - 0.5f);
            for (int i = 0; i < x.length; i++) {
                float v = c1 * x[i] - c2 * a0[i] + c3 * a1[i];
                out[i] = mid ? v : v - c4 * a2[i];
            }
        } else {
            float c1 = alphaT / alphaS2, c2 = sigmaT * (F32.exp(h) - 1f);
            float c3 = sigmaT * ((F32.exp(h) - 1f) / h - 1f);
            float c4 = sigmaT * ((F32.exp(h) - 1f - h) / (h * h) - 0.5f);
            for (int i = 0; i < x.length; i++) {
                float v = c1 * x[i] - c2 * a0[i] - c3 * a1[i];
                out[i] = mid ? v : v - c4 * a2[i];
            }
        }
        return Tensor.of(out, sample.shape());
    }

    @Override
    public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
        float sigma = sigmas[beginIndex >= 0 ? beginIndex : indexForTimestep(timestep)];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        return F32.map(original, noise, (x, z) -> a * x + s * z);
    }
}
