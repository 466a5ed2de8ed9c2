package dev.vega4j.schedulers;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * PNDM (Liu et al. 2022), diffusers 0.26.3 {@code schedulers/scheduling_pndm.py}: pseudo linear multistep (PLMS)
 * steps, preceded by three pseudo Runge-Kutta steps (12 model calls) unless {@code skip_prk_steps} is set, which is how
 * Stable Diffusion configs ship it.
 */
public final class PNDMScheduler extends AlphaBarScheduler {
    private final float finalAlphaCumprod;
    private final List<Tensor> ets = new ArrayList<>();
    private int counter;
    private Tensor curSample;
    private Tensor curModelOutput;
    private double[] prkTimesteps = new double[0];

    public PNDMScheduler(SchedulerConfig config) {
        super(config);
        finalAlphaCumprod = finalAlphaCumprod();
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new InvalidRequestException("PNDMScheduler supports prediction_type epsilon and v_prediction only");
        }
    }

    @Override
    public void setTimesteps(int n) {
        Spacing.checkSteps(n, config.numTrainTimesteps());
        Spacing.checkIndexable("PNDMScheduler", config.timestepSpacing(), n, config.skipPrkSteps() ? 1 : 4,
                config.numTrainTimesteps(), config.stepsOffset());
        numInferenceSteps = n;
        int numTrain = config.numTrainTimesteps();
        double[] asc = switch (config.timestepSpacing()) { // self._timesteps, ascending
            case LINSPACE -> Spacing.rint(NoiseSchedule.linspace(0, numTrain - 1, n));
            case LEADING -> {
                int ratio = numTrain / n;
                double[] leading = new double[n];
                for (int i = 0; i < n; i++) {
                    leading[i] = (double) i * ratio + config.stepsOffset();
                }
                yield leading;
            }
            case TRAILING -> {
                double[] trailing = Spacing.reverse(Spacing.rint(Spacing.arange(numTrain, 0,
                        -(double) numTrain / n)));
                for (int i = 0; i < trailing.length; i++) {
                    trailing[i] -= 1;
                }
                yield trailing;
            }
        };
        double[] t;
        if (config.skipPrkSteps()) {
            // plms = concat(_timesteps[:-1], _timesteps[-2:-1], _timesteps[-1:])[::-1]
            int m = asc.length;
            List<Double> plms = new ArrayList<>();
            for (int i = 0; i < m - 1; i++) {
                plms.add(asc[i]);
            }
            if (m >= 2) {
                plms.add(asc[m - 2]);
            }
            plms.add(asc[m - 1]);
            t = new double[plms.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = plms.get(t.length - 1 - i);
            }
            prkTimesteps = new double[0];
        } else {
            if (asc.length < 4) {
                throw new InvalidRequestException("PNDMScheduler with skip_prk_steps=false needs at least 4 inference"
                        + " steps, got " + n);
            }
            // prk = _timesteps[-4:].repeat(2) + tile([0, N//n//2], 4); prk = prk[:-1].repeat(2)[1:-1][::-1]
            int half = numTrain / n / 2;
            double[] p = new double[8];
            for (int i = 0; i < 4; i++) {
                double v = asc[asc.length - 4 + i];
                p[2 * i] = v;
                p[2 * i + 1] = v + half;
            }
            double[] rep = new double[14];
            for (int i = 0; i < 7; i++) {
                rep[2 * i] = p[i];
                rep[2 * i + 1] = p[i];
            }
            prkTimesteps = Spacing.reverse(java.util.Arrays.copyOfRange(rep, 1, 13));
            // plms = _timesteps[:-3][::-1]
            double[] plms = Spacing.reverse(java.util.Arrays.copyOf(asc, asc.length - 3));
            t = new double[prkTimesteps.length + plms.length];
            System.arraycopy(prkTimesteps, 0, t, 0, prkTimesteps.length);
            System.arraycopy(plms, 0, t, prkTimesteps.length, plms.length);
        }
        timesteps = t;
        ets.clear();
        counter = 0;
        curSample = null;
        curModelOutput = null;
        timestepsSet();
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        requireTimesteps();
        if (counter < prkTimesteps.length && !config.skipPrkSteps()) {
            return new StepOutput(stepPrk(modelOutput, timestep, sample), null);
        }
        return new StepOutput(stepPlms(modelOutput, timestep, sample), null);
    }

    /** Pseudo Runge-Kutta: four model calls per step, weights 1/6, 1/3, 1/3, 1/6 (diffusers {@code step_prk}). */
    private Tensor stepPrk(Tensor modelOutput, double timestep, Tensor sample) {
        int diffToPrev = counter % 2 != 0 ? 0 : config.numTrainTimesteps() / numInferenceSteps / 2;
        double prevT = timestep - diffToPrev;
        double t = prkTimesteps[counter / 4 * 4];
        Tensor mo = modelOutput;
        float sixth = (float) (1.0 / 6), third = (float) (1.0 / 3);
        switch (counter % 4) {
            case 0 -> {
                curModelOutput = accumulate(curModelOutput, sixth, modelOutput);
                ets.add(modelOutput);
                curSample = sample;
            }
            case 1, 2 -> curModelOutput = accumulate(curModelOutput, third, modelOutput);
            default -> {
                mo = accumulate(curModelOutput, sixth, modelOutput);
                curModelOutput = null;
            }
        }
        Tensor cur = curSample != null ? curSample : sample;
        Tensor prev = prevSample(cur, t, prevT, mo);
        counter++;
        return prev;
    }

    /** {@code acc + w * x}, where a missing accumulator is diffusers' integer 0. */
    private static Tensor accumulate(Tensor acc, float w, Tensor x) {
        if (acc == null) {
            return F32.map(x, v -> w * v);
        }
        return F32.map(acc, x, (a, v) -> a + w * v);
    }

    private Tensor stepPlms(Tensor modelOutput, double timestep, Tensor sample) {
        if (!config.skipPrkSteps() && ets.size() < 3) {
            throw new IllegalStateException("PNDM needs the Runge-Kutta warm-up steps before PLMS steps");
        }
        int skip = config.numTrainTimesteps() / numInferenceSteps;
        double prevT = timestep - skip;
        double t = timestep;
        if (counter != 1) {
            while (ets.size() > 3) {
                ets.removeFirst();
            }
            ets.add(modelOutput);
        } else {
            prevT = timestep;
            t = timestep + skip;
        }
        Tensor mo;
        int k = ets.size();
        if (k == 1 && counter == 0) {
            mo = modelOutput;
            curSample = sample;
        } else if (k == 1 && counter == 1) {
            Tensor e1 = ets.get(k - 1);
            mo = F32.map(modelOutput, e1, (m, e) -> (m + e) / 2f);
            sample = curSample;
            curSample = null;
        } else if (k == 2) {
            mo = F32.map(ets.get(1), ets.get(0), (a, b) -> (3f * a - b) / 2f);
        } else if (k == 3) {
            mo = F32.map(ets.get(2), ets.get(1), ets.get(0), (a, b, c) -> (23f * a - 16f * b + 5f * c) / 12f);
        } else {
            Tensor e4 = ets.get(k - 4), e3 = ets.get(k - 3), e2 = ets.get(k - 2), e1 = ets.get(k - 1);
            float c = (float) (1.0 / 24);
            float[] a1 = e1.data(), a2 = e2.data(), a3 = e3.data(), a4 = e4.data();
            float[] out = new float[a1.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = c * (55f * a1[i] - 59f * a2[i] + 37f * a3[i] - 9f * a4[i]);
            }
            mo = Tensor.of(out, e1.shape());
        }
        Tensor prev = prevSample(sample, t, prevT, mo);
        counter++;
        return prev;
    }

    /** PNDM eq. (9): the transfer from x_t to x_{t-delta} given the combined noise estimate. */
    private Tensor prevSample(Tensor sample, double t, double prevT, Tensor modelOutput) {
        float at = alphaBar(t);
        float atPrev = alphaBarPrev(prevT, finalAlphaCumprod);
        float bt = 1f - at;
        float btPrev = 1f - atPrev;
        Tensor mo = modelOutput;
        if (config.predictionType() == PredictionType.V_PREDICTION) {
            float sa = F32.sqrt(at), sb = F32.sqrt(bt);
            mo = F32.map(modelOutput, sample, (m, x) -> sa * m + sb * x);
        }
        float sampleCoeff = F32.sqrt(atPrev / at);
        float denom = at * F32.sqrt(btPrev) + F32.sqrt(at * bt * atPrev);
        float diff = atPrev - at;
        return F32.map(sample, mo, (x, m) -> sampleCoeff * x - diff * m / denom);
    }
}
