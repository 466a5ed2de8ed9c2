package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022), diffusers 0.26.3
 * {@code schedulers/scheduling_dpmsolver_multistep.py}: "DPM++ 2M" (algorithm dpmsolver++, order 2), "+ Karras",
 * "DPM++ 2M SDE" (sde-dpmsolver++), and the dpmsolver / sde-dpmsolver / order 1 and 3 variants.
 */
public final class DPMSolverMultistepScheduler extends AbstractScheduler {
    private float[] sigmas = new float[0];
    private final Tensor[] modelOutputs;
    private int lowerOrderNums;
    private final String algorithm;
    private final String solverType;

    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        super(config);
        String alg = config.algorithmType();
        if (alg.equals("deis")) {
            alg = "dpmsolver++";
        }
        if (!alg.equals("dpmsolver") && !alg.equals("dpmsolver++") && !alg.equals("sde-dpmsolver")
                && !alg.equals("sde-dpmsolver++")) {
            throw new VegaException("DPMSolverMultistepScheduler algorithm_type '" + config.algorithmType()
                    + "' is not supported");
        }
        algorithm = alg;
        String st = config.solverType();
        if (st.equals("logrho") || st.equals("bh1") || st.equals("bh2")) {
            st = "midpoint";
        }
        if (!st.equals("midpoint") && !st.equals("heun")) {
            throw new VegaException("DPMSolverMultistepScheduler solver_type '" + config.solverType()
                    + "' is not supported");
        }
        solverType = st;
        if (!alg.equals("dpmsolver++") && !alg.equals("sde-dpmsolver++") && config.finalSigmasType().equals("zero")) {
            throw new VegaException("final_sigmas_type 'zero' is not supported for algorithm_type " + alg
                    + "; use final_sigmas_type 'sigma_min'");
        }
        if (config.solverOrder() < 1 || config.solverOrder() > 3) {
            throw new VegaException("solver_order must be 1, 2 or 3, got " + config.solverOrder());
        }
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
            // flipped training sigmas: in_sigmas[-1] = smallest, in_sigmas[0] = largest
            s = NoiseSchedule.karras(train[0], train[train.length - 1], n);
            ts = toTimesteps(s, logSigmas);
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
            ts = toTimesteps(s, logSigmas);
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
        numInferenceSteps = ts.length;
        java.util.Arrays.fill(modelOutputs, null);
        lowerOrderNums = 0;
        resetIndices();
    }

    private static double[] toTimesteps(double[] s, float[] logSigmas) {
        double[] t = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            t[i] = Math.rint(NoiseSchedule.sigmaToT(s[i], logSigmas));
        }
        return t;
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
    public int order() {
        return 1;
    }

    @Override
    public boolean isStochastic() {
        return algorithm.startsWith("sde");
    }

    @Override
    public boolean acceptsGenerator() {
        return true;
    }

    @Override
    public Tensor scaleModelInput(Tensor sample, double timestep) {
        return sample;
    }

    /** diffusers {@code convert_model_output}: x0 for the ++ algorithms, epsilon otherwise. */
    private Tensor convertModelOutput(Tensor modelOutput, Tensor sample) {
        float sigma = sigmas[stepIndex];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        boolean dataPrediction = algorithm.endsWith("++");
        String p = config.predictionType();
        if (dataPrediction) {
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
        int len = timesteps.length;
        boolean lowerOrderFinal = stepIndex == len - 1 && (config.eulerAtFinal()
                || (config.lowerOrderFinal() && len < 15) || config.finalSigmasType().equals("zero"));
        boolean lowerOrderSecond = stepIndex == len - 2 && config.lowerOrderFinal() && len < 15;
        Tensor m = convertModelOutput(modelOutput, sample);
        int order = config.solverOrder();
        for (int i = 0; i < order - 1; i++) {
            modelOutputs[i] = modelOutputs[i + 1];
        }
        modelOutputs[order - 1] = m;
        Tensor noise = algorithm.startsWith("sde") ? randn(m.shape(), generator) : null;
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
        float sT = sigmas[stepIndex + 1], sS = sigmas[stepIndex];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS = DpmMath.alpha(sS), sigmaS = sS * alphaS;
        float lambdaT = F32.log(alphaT) - F32.log(sigmaT);
        float lambdaS = F32.log(alphaS) - F32.log(sigmaS);
        float h = lambdaT - lambdaS;
        return switch (algorithm) {
            case "dpmsolver++" -> {
                float c1 = sigmaT / sigmaS, c2 = alphaT * (F32.exp(-h) - 1f);
                yield F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
            }
            case "dpmsolver" -> {
                float c1 = alphaT / alphaS, c2 = sigmaT * (F32.exp(h) - 1f);
                yield F32.map(sample, m, (x, d) -> c1 * x - c2 * d);
            }
            case "sde-dpmsolver++" -> {
                float c1 = sigmaT / sigmaS * F32.exp(-h);
                float c2 = alphaT * (1f - F32.exp(-2f * h));
                float c3 = sigmaT * F32.sqrt(1f - F32.exp(-2f * h));
                yield F32.map(sample, m, noise, (x, d, z) -> c1 * x + c2 * d + c3 * z);
            }
            default -> { // sde-dpmsolver
                float c1 = alphaT / alphaS, c2 = 2f * (sigmaT * (F32.exp(h) - 1f));
                float c3 = sigmaT * F32.sqrt(F32.exp(2f * h) - 1f);
                yield F32.map(sample, m, noise, (x, d, z) -> c1 * x - c2 * d + c3 * z);
            }
        };
    }

    private Tensor secondOrder(Tensor sample, Tensor noise) {
        float sT = sigmas[stepIndex + 1], s0 = sigmas[stepIndex], s1 = sigmas[stepIndex - 1];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS0 = DpmMath.alpha(s0), sigmaS0 = s0 * alphaS0;
        float alphaS1 = DpmMath.alpha(s1), sigmaS1 = s1 * alphaS1;
        float lambdaT = F32.log(alphaT) - F32.log(sigmaT);
        float lambdaS0 = F32.log(alphaS0) - F32.log(sigmaS0);
        float lambdaS1 = F32.log(alphaS1) - F32.log(sigmaS1);
        Tensor m0 = modelOutputs[modelOutputs.length - 1], m1 = modelOutputs[modelOutputs.length - 2];
        float h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        float invR0 = 1f / r0;
        Tensor d1 = F32.map(m0, m1, (a, b) -> invR0 * (a - b));
        boolean mid = solverType.equals("midpoint");
        switch (algorithm) {
            case "dpmsolver++" -> {
                float c1 = sigmaT / sigmaS0, c2 = alphaT * (F32.exp(-h) - 1f);
                float c3 = mid ? 0.5f * (alphaT * (F32.exp(-h) - 1f)) : alphaT * ((F32.exp(-h) - 1f) / h + 1f);
                return mid ? F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b)
                        : F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a + c3 * b);
            }
            case "dpmsolver" -> {
                float c1 = alphaT / alphaS0, c2 = sigmaT * (F32.exp(h) - 1f);
                float c3 = mid ? 0.5f * (sigmaT * (F32.exp(h) - 1f)) : sigmaT * ((F32.exp(h) - 1f) / h - 1f);
                return F32.map(sample, m0, d1, (x, a, b) -> c1 * x - c2 * a - c3 * b);
            }
            case "sde-dpmsolver++" -> {
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
            default -> { // sde-dpmsolver
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
        float sT = sigmas[stepIndex + 1], s0 = sigmas[stepIndex], s1 = sigmas[stepIndex - 1],
                s2 = sigmas[stepIndex - 2];
        float alphaT = DpmMath.alpha(sT), sigmaT = sT * alphaT;
        float alphaS0 = DpmMath.alpha(s0), sigmaS0 = s0 * alphaS0;
        float lambdaT = F32.log(alphaT) - F32.log(sigmaT);
        float lambdaS0 = F32.log(alphaS0) - F32.log(sigmaS0);
        float lambdaS1 = DpmMath.lambda(s1);
        float lambdaS2 = DpmMath.lambda(s2);
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
        if (algorithm.equals("dpmsolver++")) {
            float c1 = sigmaT / sigmaS0, c2 = alphaT * (F32.exp(-h) - 1f);
            float c3 = alphaT * ((F32.exp(-h) - 1f) / h + 1f);
            float c4 = alphaT * ((F32.exp(-h) - 1f + h) / (h * h) - 0.5f);
            for (int i = 0; i < x.length; i++) {
                out[i] = c1 * x[i] - c2 * a0[i] + c3 * a1[i] - c4 * a2[i];
            }
        } else if (algorithm.equals("dpmsolver")) {
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

    /** diffusers 0.26: alpha-sigma form at the timestep's sigma, {@code alpha_t * x0 + sigma_t * noise}. */
    @Override
    public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
        float sigma = sigmas[beginIndex >= 0 ? beginIndex : indexForTimestep(timestep)];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        return F32.map(original, noise, (x, z) -> a * x + s * z);
    }
}
