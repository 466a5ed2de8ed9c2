package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * DPM-Solver / DPM-Solver++ singlestep (Lu et al. 2022, Algorithm 1 / DPM-Solver-2S), diffusers 0.26.3
 * {@code schedulers/scheduling_dpmsolver_singlestep.py} ("DPM Single"): steps are grouped by the order list
 * (1, 2, 1, 2, ...) and each group restarts from the sample saved at its first-order step. Its timesteps are always
 * {@code linspace(0, N-1-clipped, n+1).round()} reversed without the last (no timestep_spacing option).
 */
public final class DPMSolverSinglestepScheduler extends AlphaSigmaScheduler {
    private final Tensor[] modelOutputs;
    private Tensor savedSample;
    private int[] orderList = new int[0];
    private boolean lowerOrderFinal;
    private final AlgorithmType algorithm;
    private final SolverType solverType;

    public DPMSolverSinglestepScheduler(SchedulerConfig config) {
        super(config);
        algorithm = dpmAlgorithm(config, "DPMSolverSinglestepScheduler",
                EnumSet.of(AlgorithmType.DPMSOLVER, AlgorithmType.DPMSOLVER_PLUS_PLUS));
        solverType = dpmSolverType(config);
        checkDpmSolverOptions(config, algorithm);
        modelOutputs = new Tensor[config.solverOrder()];
        lowerOrderFinal = config.lowerOrderFinal();
    }

    /** diffusers 0.26.3 {@code get_order_list}. */
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
        // diffusers 0.26.3 does not lower the last order for final_sigmas_type zero (later versions do): with order 3
        // and n % 3 == 2 the last update is second order into sigma 0, and its infinite lambda gives infinities, as
        // there. lower_order_final (forced on by final_sigmas_type zero) keeps every other case first order at the end.
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
            s = karrasSigmas(train, n);
            ts = roundedTimesteps(s, NoiseSchedule.logSigmas(train));
        } else {
            s = NoiseSchedule.interp(ts, train);
        }
        sigmas = SigmaScheduler.toFloat(s, finalSigma());
        timesteps = ts;
        java.util.Arrays.fill(modelOutputs, null);
        savedSample = null;
        lowerOrderFinal = config.lowerOrderFinal();
        if (!lowerOrderFinal && n % config.solverOrder() != 0) {
            lowerOrderFinal = true; // diffusers re-registers lower_order_final=True with a warning
        }
        if (!lowerOrderFinal && config.finalSigmasType() == FinalSigmasType.ZERO) {
            lowerOrderFinal = true;
        }
        orderList = orderList(n);
        timestepsSet();
    }

    /** diffusers {@code convert_model_output}: x0 for dpmsolver++, epsilon for dpmsolver. */
    private Tensor convertModelOutput(Tensor modelOutput, Tensor sample) {
        return algorithm == AlgorithmType.DPMSOLVER_PLUS_PLUS ? dataPrediction(modelOutput, sample)
                : thresholdedNoisePrediction(modelOutput, sample);
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        Tensor m = convertModelOutput(modelOutput, sample);
        shiftIn(modelOutputs, m);
        int k = modelOutputs.length;
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
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s = DpmMath.alphaSigma(sigmas[stepIndex]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS = s.alpha(), sigmaS = s.sigma();
        float h = t.lambda() - s.lambda();
        if (algorithm == AlgorithmType.DPMSOLVER_PLUS_PLUS) {
            float c1 = sigmaT / sigmaS, c2 = alphaT * (F32.exp(-h) - 1f);
            return F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
        }
        float c1 = alphaT / alphaS, c2 = sigmaT * (F32.exp(h) - 1f);
        return F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
    }

    private Tensor secondOrder(Tensor sample) {
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s1 = DpmMath.alphaSigma(sigmas[stepIndex - 1]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS1 = s1.alpha(), sigmaS1 = s1.sigma();
        float lambdaT = t.lambda(), lambdaS0 = DpmMath.lambda(sigmas[stepIndex]), lambdaS1 = s1.lambda();
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1], m1 = modelOutputs[k - 2];
        float h = lambdaT - lambdaS1, h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        float inv = 1f / r0;
        Tensor d1 = F32.map(m0, m1, (a, b) -> inv * (a - b));
        boolean mid = solverType == SolverType.MIDPOINT;
        if (algorithm == AlgorithmType.DPMSOLVER_PLUS_PLUS) {
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
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s2 = DpmMath.alphaSigma(sigmas[stepIndex - 2]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS2 = s2.alpha(), sigmaS2 = s2.sigma();
        float lambdaT = t.lambda(), lambdaS2 = s2.lambda();
        float lambdaS0 = DpmMath.lambda(sigmas[stepIndex]), lambdaS1 = DpmMath.lambda(sigmas[stepIndex - 1]);
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
        boolean mid = solverType == SolverType.MIDPOINT;
        float[] x = sample.data(), a0 = m2.data(), a1 = (mid ? d11 : d1).data(), a2 = d2.data();
        float[] out = new float[x.length];
        if (algorithm == AlgorithmType.DPMSOLVER_PLUS_PLUS) {
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
}
