package dev.vega4j.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Var;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    @Test
    void firstStepsMatchHandComputedAdamW() {
        Var p = Var.parameter(Tensor.of(new float[] {1f, -2f}, 2));
        AdamW opt = new AdamW(Map.of("w", p), new AdamW.Options(0.9, 0.999, 1e-8, 0.1));
        double[] w = {1, -2}, m = new double[2], v = new double[2];
        double[][] grads = {{0.5, -1}, {0.25, 3}};
        for (int t = 1; t <= 2; t++) {
            p.zeroGrad();
            setGrad(p, grads[t - 1]);
            opt.update(0.01);
            for (int i = 0; i < 2; i++) {
                double g = grads[t - 1][i];
                w[i] *= 1 - 0.01 * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                w[i] -= 0.01 * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
            }
            assertThat((double) p.value().data()[0]).isCloseTo(w[0], within(1e-6));
            assertThat((double) p.value().data()[1]).isCloseTo(w[1], within(1e-6));
        }
        AdamW again = new AdamW(Map.of("w", p), AdamW.Options.defaults(0.1));
        again.loadState(opt.state());
        assertThat(again.step()).isEqualTo(2);
    }

    @Test
    void clippingAndWarmup() {
        Var a = Var.parameter(Tensor.zeros(2)), b = Var.parameter(Tensor.zeros(1));
        setGrad(a, new double[] {3, 0});
        setGrad(b, new double[] {4});
        assertThat(AdamW.clipGradNorm(List.of(a, b), 1.0)).isCloseTo(5.0, within(1e-9));
        assertThat((double) a.grad().data()[0]).isCloseTo(0.6, within(1e-5));
        assertThat((double) b.grad().data()[0]).isCloseTo(0.8, within(1e-5));
        assertThat(AdamW.warmupLr(1e-3, 0, 10)).isCloseTo(1e-4, within(1e-12));
        assertThat(AdamW.warmupLr(1e-3, 50, 10)).isEqualTo(1e-3);
    }

    private static void setGrad(Var p, double[] g) {
        float[] f = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            f[i] = (float) g[i];
        }
        dev.vega4j.train.autograd.GradAccess.accumulate(p, Tensor.of(f, g.length));
    }
}
