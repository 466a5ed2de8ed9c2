package dev.vega4j.train.autograd;

import dev.vega4j.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Finite-difference check of reverse-mode gradients along one random direction: the loss is a random projection
 * {@code L = Σ f(θ) ∘ r} (double accumulation); the analytic directional derivative {@code Σ_p ⟨∂L/∂p, d_p⟩} is compared
 * with central differences {@code (L(θ + h d) − L(θ − h d)) / 2h}, Richardson-extrapolated over h and h/2 so a larger
 * h (less float32 cancellation) keeps an O(h⁴) truncation error.
 */
public final class GradCheck {
    private GradCheck() {}

    /** @param rel {@code |analytic − numeric| / max(|analytic|, |numeric|)} */
    public record Result(double analytic, double numeric, double rel) {}

    /**
     * @param f      builds the output from {@code wrt} (re-run for every evaluation; must read their current values)
     * @param wrt    leaves whose gradient is checked (parameters; their values are perturbed in place and restored)
     * @param h      step along a direction with N(0, 1) entries
     */
    public static Result check(Supplier<Var> f, List<Var> wrt, double h, long seed) {
        Random rnd = new Random(seed);
        Var out0 = f.get();
        Tensor r = gaussian(rnd, out0.shape());
        for (Var p : wrt) {
            p.zeroGrad();
        }
        Autograd.backward(F.dot(out0, r));
        float[][] dirs = new float[wrt.size()][];
        double analytic = 0;
        for (int i = 0; i < wrt.size(); i++) {
            Var p = wrt.get(i);
            dirs[i] = gaussian(rnd, p.shape()).data();
            Tensor g = p.grad();
            if (g != null) {
                for (int j = 0; j < dirs[i].length; j++) {
                    analytic += (double) g.data()[j] * dirs[i][j];
                }
            }
            p.zeroGrad();
        }
        double d1 = central(f, wrt, dirs, r, h);
        double d2 = central(f, wrt, dirs, r, h / 2);
        double numeric = (4 * d2 - d1) / 3;
        double denom = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-30);
        return new Result(analytic, numeric, Math.abs(analytic - numeric) / denom);
    }

    private static double central(Supplier<Var> f, List<Var> wrt, float[][] dirs, Tensor r, double h) {
        float[][] saved = new float[wrt.size()][];
        for (int i = 0; i < wrt.size(); i++) {
            saved[i] = wrt.get(i).value().data().clone();
        }
        double plus = eval(f, wrt, dirs, saved, r, h);
        double minus = eval(f, wrt, dirs, saved, r, -h);
        for (int i = 0; i < wrt.size(); i++) {
            System.arraycopy(saved[i], 0, wrt.get(i).value().data(), 0, saved[i].length);
        }
        return (plus - minus) / (2 * h);
    }

    private static double eval(Supplier<Var> f, List<Var> wrt, float[][] dirs, float[][] saved, Tensor r, double h) {
        for (int i = 0; i < wrt.size(); i++) {
            float[] v = wrt.get(i).value().data();
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (saved[i][j] + h * dirs[i][j]);
            }
        }
        Var out = Autograd.noGrad(f);
        float[] o = out.value().data(), rd = r.data();
        double s = 0;
        for (int j = 0; j < o.length; j++) {
            s += (double) o[j] * rd[j];
        }
        return s;
    }

    static Tensor gaussian(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return t;
    }
}
