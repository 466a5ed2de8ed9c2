package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.EnumSet;

/**
 * DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022), diffusers 0.26.3
 * {@code schedulers/scheduling_dpmsolver_multistep.py}: "DPM++ 2M" (algorithm dpmsolver++, order 2), "+ Karras",
 * "DPM++ 2M SDE" (sde-dpmsolver++), and the dpmsolver / sde-dpmsolver / order 1 and 3 variants.
 */
public final class DPMSolverMultistepScheduler extends AlphaSigmaScheduler {
    private final Tensor[] modelOutputs;
    private int lowerOrderNums;
    private final AlgorithmType algorithm;
    private final SolverType solverType;

    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        super(config);
        algorithm = dpmAlgorithm(config, "DPMSolverMultistepScheduler", EnumSet.of(AlgorithmType.DPMSOLVER,
                AlgorithmType.DPMSOLVER_PLUS_PLUS, AlgorithmType.SDE_DPMSOLVER, AlgorithmType.SDE_DPMSOLVER_PLUS_PLUS));
        solverType = dpmSolverType(config);
        checkDpmSolverOptions(config, algorithm);
        modelOutputs = new Tensor[config.solverOrder()];
    }

    @Override
    public void setTimesteps(int n) {
        int numTrain = config.numTrainTimesteps();
        int clipped = DpmMath.clippedIndex(schedule.alphasCumprod, config.lambdaMinClipped());
        int last = numTrain - clipped;
        double[] ts = Spacing.multistep(config.timestepSpacing(), numTrain, last, n, config.stepsOffset());
        float[] train = schedule.trainSigmas();
        float[] logSigmas = NoiseSchedule.logSigmas(train);
        double[] s;
        if (config.useKarrasSigmas()) {
            s = karrasSigmas(train, n);
            ts = roundedTimesteps(s, logSigmas);
        } else if (config.useLuLambdas()) {
            // Lu et al. 2022 (DPM-Solver++ Appendix): uniform in lambda between the ends, from the flipped log-sigmas
            double lmin = logSigmas[0], lmax = logSigmas[logSigmas.length - 1];
            double rho = 1.0;
            s = new double[n];
            for (int i = 0; i < n; i++) {
                double ramp = NoiseSchedule.linspaceValue(0, 1, n, i);
                double minInv = Math.pow(lmin, 1 / rho), maxInv = Math.pow(lmax, 1 / rho);
                s[i] = Math.exp(Math.pow(maxInv + ramp * (minInv - maxInv), rho));
            }
            ts = roundedTimesteps(s, logSigmas);
        } else {
            s = NoiseSchedule.interp(ts, train);
        }
        sigmas = SigmaScheduler.toFloat(s, finalSigma());
        timesteps = ts;
        numInferenceSteps = ts.length;
        java.util.Arrays.fill(modelOutputs, null);
        lowerOrderNums = 0;
        timestepsSet();
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public boolean isStochastic() {
        return algorithm.isSde();
    }

    @Override
    public boolean acceptsGenerator() {
        return true;
    }

    /** diffusers {@code convert_model_output}: x0 for the ++ algorithms, epsilon otherwise. */
    private Tensor convertModelOutput(Tensor modelOutput, Tensor sample) {
        return algorithm.predictsData() ? dataPrediction(modelOutput, sample)
                : thresholdedNoisePrediction(modelOutput, sample);
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        int len = timesteps.length;
        boolean lowerOrderFinal = stepIndex == len - 1 && (config.eulerAtFinal()
                || (config.lowerOrderFinal() && len < 15) || config.finalSigmasType() == FinalSigmasType.ZERO);
        boolean lowerOrderSecond = stepIndex == len - 2 && config.lowerOrderFinal() && len < 15;
        Tensor m = convertModelOutput(modelOutput, sample);
        int order = config.solverOrder();
        shiftIn(modelOutputs, m);
        Tensor noise = algorithm.isSde() ? randn(m.shape(), generator) : null;
        Tensor prev;
        if (order == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
            prev = firstOrder(m, sample, noise);
        } else if (order == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
            prev = secondOrder(sample, noise);
        } else {
            prev = thirdOrder(sample);
        }
        if (lowerOrderNums < order) {
            lowerOrderNums++;
        }
        stepIndex++;
        return new StepOutput(prev, null);
    }

    private Tensor firstOrder(Tensor m, Tensor sample, Tensor noise) {
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s = DpmMath.alphaSigma(sigmas[stepIndex]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS = s.alpha(), sigmaS = s.sigma();
        float h = t.lambda() - s.lambda();
        return switch (algorithm) {
            case DPMSOLVER_PLUS_PLUS -> {
                float c1 = sigmaT / sigmaS, c2 = alphaT * (F32.exp(-h) - 1f);
                yield F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
            }
            case DPMSOLVER -> {
                float c1 = alphaT / alphaS, c2 = sigmaT * (F32.exp(h) - 1f);
                yield F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
            }
            case SDE_DPMSOLVER_PLUS_PLUS -> {
                float c1 = sigmaT / sigmaS * F32.exp(-h);
                float c2 = alphaT * (1f - F32.exp(-2f * h));
                float c3 = sigmaT * F32.sqrt(1f - F32.exp(-2f * h));
                yield F32.map(sample, m, noise, (x, d, z) -> c1 * x + c2 * d + c3 * z);
            }
            default -> { // SDE_DPMSOLVER (DEIS runs as DPMSOLVER_PLUS_PLUS)
                float c1 = alphaT / alphaS, c2 = 2f * (sigmaT * (F32.exp(h) - 1f));
                float c3 = sigmaT * F32.sqrt(F32.exp(2f * h) - 1f);
                yield F32.map(sample, m, noise, (x, d, z) -> c1 * x - c2 * d + c3 * z);
            }
        };
    }

    private Tensor secondOrder(Tensor sample, Tensor noise) {
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s0 = DpmMath.alphaSigma(sigmas[stepIndex]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS0 = s0.alpha(), sigmaS0 = s0.sigma();
        float lambdaT = t.lambda(), lambdaS0 = s0.lambda(), lambdaS1 = DpmMath.lambda(sigmas[stepIndex - 1]);
        Tensor m0 = modelOutputs[modelOutputs.length - 1], m1 = modelOutputs[modelOutputs.length - 2];
        float h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        float invR0 = 1f / r0;
        Tensor d1 = F32.map(m0, m1, (a, b) -> invR0 * (a - b));
        boolean mid = solverType == SolverType.MIDPOINT;
        switch (algorithm) {
            case DPMSOLVER_PLUS_PLUS -> {
                float c1 = sigmaT / sigmaS0, c2 = alphaT * (F32.exp(-h) - 1f);
                float c3 = mid ? 0.5f * (alphaT * (F32.exp(-h) - 1f)) : alphaT * ((F32.exp(-h) - 1f) / h + 1f);
                return mid ? F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b)
                        : F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a + c3 * b);
            }
            case DPMSOLVER -> {
                float c1 = alphaT / alphaS0, c2 = sigmaT * (F32.exp(h) - 1f);
                float c3 = mid ? 0.5f * (sigmaT * (F32.exp(h) - 1f)) : sigmaT * ((F32.exp(h) - 1f) / h - 1f);
                return F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b);
            }
            case SDE_DPMSOLVER_PLUS_PLUS -> {
                float c1 = sigmaT / sigmaS0 * F32.exp(-h);
                float c2 = alphaT * (1f - F32.exp(-2f * h));
                float c3 = mid ? 0.5f * (alphaT * (1f - F32.exp(-2f * h)))
                        : alphaT * ((1f - F32.exp(-2f * h)) / (-2f * h) + 1f);
                float c4 = sigmaT * F32.sqrt(1f - F32.exp(-2f * h));
                float[] x = sample.data(), a = m0.data(), b = d1.data(), z = noise.data();
                float[] out = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = c1 * x[i] + c2 * a[i] + c3 * b[i] + c4 * z[i];
                }
                return Tensor.of(out, sample.shape());
            }
            default -> { // SDE_DPMSOLVER
                float c1 = alphaT / alphaS0, c2 = 2f * (sigmaT * (F32.exp(h) - 1f));
                float c3 = mid ? sigmaT * (F32.exp(h) - 1f) : 2f * (sigmaT * ((F32.exp(h) - 1f) / h - 1f));
                float c4 = sigmaT * F32.sqrt(F32.exp(2f * h) - 1f);
                float[] x = sample.data(), a = m0.data(), b = d1.data(), z = noise.data();
                float[] out = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = c1 * x[i] - c2 * a[i] - c3 * b[i] + c4 * z[i];
                }
                return Tensor.of(out, sample.shape());
            }
        }
    }

    private Tensor thirdOrder(Tensor sample) {
        DpmMath.AlphaSigma t = DpmMath.alphaSigma(sigmas[stepIndex + 1]), s0 = DpmMath.alphaSigma(sigmas[stepIndex]);
        float alphaT = t.alpha(), sigmaT = t.sigma(), alphaS0 = s0.alpha(), sigmaS0 = s0.sigma();
        float lambdaT = t.lambda(), lambdaS0 = s0.lambda();
        float lambdaS1 = DpmMath.lambda(sigmas[stepIndex - 1]), lambdaS2 = DpmMath.lambda(sigmas[stepIndex - 2]);
        int k = modelOutputs.length;
        Tensor m0 = modelOutputs[k - 1], m1 = modelOutputs[k - 2], m2 = modelOutputs[k - 3];
        float h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1, h1 = lambdaS1 - lambdaS2;
        float r0 = h0 / h, r1 = h1 / h;
        float i0 = 1f / r0, i1 = 1f / r1;
        Tensor d10 = F32.map(m0, m1, (a, b) -> i0 * (a - b));
        Tensor d11 = F32.map(m1, m2, (a, b) -> i1 * (a - b));
        float cr = r0 / (r0 + r1), cr2 = 1f / (r0 + r1);
        Tensor d1 = F32.map(d10, d11, (a, b) -> a + cr * (a - b));
        Tensor d2 = F32.map(d10, d11, (a, b) -> cr2 * (a - b));
        float[] x = sample.data(), a0 = m0.data(), a1 = d1.data(), a2 = d2.data();
        float[] out = new float[x.length];
        if (algorithm == AlgorithmType.DPMSOLVER_PLUS_PLUS) {
            float c1 = sigmaT / sigmaS0, c2 = alphaT * (F32.exp(-h) - 1f);
            float c3 = alphaT * ((F32.exp(-h) - 1f) / h + 1f);
            float c4 = alphaT * ((F32.exp(-h) - 1f + h) / (h * h) - 0.5f);
            for (int i = 0; i < x.length; i++) {
                out[i] = c1 * x[i] - c2 * a0[i] + c3 * a1[i] - c4 * a2[i];
            }
        } else if (algorithm == AlgorithmType.DPMSOLVER) {
            float c1 = alphaT / alphaS0, c2 = sigmaT * (F32.exp(h) - 1f);
            float c3 = sigmaT * ((F32.exp(h) - 1f) / h - 1f);
            float c4 = sigmaT * ((F32.exp(h) - 1f - h) / (h * h) - 0.5f);
            for (int i = 0; i < x.length; i++) {
                out[i] = c1 * x[i] - c2 * a0[i] - c3 * a1[i] - c4 * a2[i];
            }
        } else {
            throw new VegaException("third-order " + algorithm + " is not supported; use solver_order 2");
        }
        return Tensor.of(out, sample.shape());
    }
}
