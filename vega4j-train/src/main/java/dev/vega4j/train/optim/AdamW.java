package dev.vega4j.train.optim;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Var;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov &amp; Hutter, as torch.optim.AdamW computes it):
 * {@code p ← p·(1 − lr·wd)}, {@code m ← β1 m + (1−β1) g}, {@code v ← β2 v + (1−β2) g²},
 * {@code p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)}. Parameters are the fp32 master weights; state is kept
 * per parameter name so it can be saved and resumed ({@link #state()} / {@link #loadState}).
 */
public final class AdamW {
    public record Options(double beta1, double beta2, double eps, double weightDecay) {
        public static Options defaults(double weightDecay) {
            return new Options(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    private final Map<String, Var> params;
    private final Options o;
    private final Map<String, float[]> m = new LinkedHashMap<>();
    private final Map<String, float[]> v = new LinkedHashMap<>();
    private long step;

    public AdamW(Map<String, Var> params, Options options) {
        this.params = params;
        this.o = options;
        params.forEach((k, p) -> {
            m.put(k, new float[p.numel()]);
            v.put(k, new float[p.numel()]);
        });
    }

    public long step() {
        return step;
    }

    /** One update with learning rate {@code lr}; parameters without a gradient are left alone. */
    public void update(double lr) {
        step++;
        double bc1 = 1 - Math.pow(o.beta1(), step), bc2 = 1 - Math.pow(o.beta2(), step);
        for (var e : params.entrySet()) {
            Var p = e.getValue();
            if (p.grad() == null) {
                continue;
            }
            float[] w = p.value().data(), g = p.grad().data(), mm = m.get(e.getKey()), vv = v.get(e.getKey());
            double decay = 1 - lr * o.weightDecay();
            for (int i = 0; i < w.length; i++) {
                double gi = g[i];
                mm[i] = (float) (o.beta1() * mm[i] + (1 - o.beta1()) * gi);
                vv[i] = (float) (o.beta2() * vv[i] + (1 - o.beta2()) * gi * gi);
                double upd = (mm[i] / bc1) / (Math.sqrt(vv[i] / bc2) + o.eps());
                w[i] = (float) (w[i] * decay - lr * upd);
            }
        }
    }

    public void zeroGrad() {
        params.values().forEach(Var::zeroGrad);
    }

    /** First and second moments as tensors ({@code exp_avg.<name>}, {@code exp_avg_sq.<name>}), plus the step. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        params.forEach((k, p) -> {
            s.put("exp_avg." + k, Tensor.of(m.get(k).clone(), p.shape()));
            s.put("exp_avg_sq." + k, Tensor.of(v.get(k).clone(), p.shape()));
        });
        s.put("step", Tensor.of(new float[] {step}, 1));
        return s;
    }

    public void loadState(Map<String, Tensor> s) {
        for (var e : params.entrySet()) {
            Tensor a = s.get("exp_avg." + e.getKey()), b = s.get("exp_avg_sq." + e.getKey());
            if (a == null || b == null || !Arrays.equals(a.shape(), e.getValue().shape())) {
                throw new VegaException("optimizer state has no (or a mis-shaped) entry for " + e.getKey()
                        + ": it belongs to another model");
            }
            System.arraycopy(a.data(), 0, m.get(e.getKey()), 0, a.numel());
            System.arraycopy(b.data(), 0, v.get(e.getKey()), 0, b.numel());
        }
        Tensor st = s.get("step");
        step = st == null ? 0 : (long) st.data()[0];
    }

    /**
     * Scales all gradients so their global L2 norm is at most {@code maxNorm} (torch clip_grad_norm_); returns the
     * norm before clipping.
     */
    public static double clipGradNorm(Iterable<Var> params, double maxNorm) {
        double sq = 0;
        for (Var p : params) {
            if (p.grad() != null) {
                for (float g : p.grad().data()) {
                    sq += (double) g * g;
                }
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float k = (float) (maxNorm / (norm + 1e-6));
            for (Var p : params) {
                if (p.grad() != null) {
                    float[] g = p.grad().data();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= k;
                    }
                }
            }
        }
        return norm;
    }

    /** Linear warm-up from 0 to {@code lr} over {@code warmupSteps}, then constant (diffusers constant_with_warmup). */
    public static double warmupLr(double lr, long step, int warmupSteps) {
        return warmupSteps <= 0 || step >= warmupSteps ? lr : lr * (step + 1) / (double) warmupSteps;
    }
}
