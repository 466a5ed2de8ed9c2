package dev.vega4j.train.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every op's backward against central finite differences along a random direction (rel ≤ 1e-3, float32). */
class OpGradientTest {
    private static final double TOL = 1e-3;
    private final Random rnd = new Random(7);

    private Var p(int... shape) {
        return Var.parameter(GradCheck.gaussian(rnd, shape));
    }

    private void check(String name, Supplier<Var> f, Var... wrt) {
        GradCheck.Result r = GradCheck.check(f, List.of(wrt), 1e-2, 11);
        System.out.printf("%-18s analytic %+.6e numeric %+.6e rel %.2e%n", name, r.analytic(), r.numeric(), r.rel());
        assertThat(r.rel()).as(name + " " + r).isLessThan(TOL);
        assertThat(Math.abs(r.analytic())).as(name + " gradient is not trivially zero").isGreaterThan(1e-6);
    }

    @Test
    void linear() {
        Var x = p(2, 3, 5), w = p(4, 5), b = p(4);
        check("linear", () -> F.linear(x, w, b), x, w, b);
        check("linear no bias", () -> F.linear(x, w, null), x, w);
    }

    @Test
    void conv2d() {
        Var x = p(2, 3, 6, 5), w = p(4, 3, 3, 3), b = p(4);
        check("conv3x3 pad1", () -> F.conv2d(x, w, b, 1, 1), x, w, b);
        check("conv3x3 stride2", () -> F.conv2d(x, w, b, 2, 1), x, w, b);
        Var w1 = p(5, 3, 1, 1);
        check("conv1x1", () -> F.conv2d(x, w1, null, 1, 0), x, w1);
    }

    @Test
    void norms() {
        Var x = p(2, 6, 3, 4), g = p(6), b = p(6);
        check("groupNorm", () -> F.groupNorm(x, 3, g, b, 1e-5f), x, g, b);
        Var s = p(2, 5, 8), lg = p(8), lb = p(8);
        check("layerNorm", () -> F.layerNorm(s, lg, lb, 1e-5f), s, lg, lb);
    }

    @Test
    void activations() {
        Var x = p(3, 10);
        check("silu", () -> F.silu(x), x);
        check("gelu", () -> F.gelu(x), x);
        check("geglu", () -> F.geglu(x), x);
        check("softmax", () -> F.softmax(x), x);
    }

    @Test
    void attention() {
        Var q = p(2, 5, 8), k = p(2, 7, 8), v = p(2, 7, 8);
        check("attention 2 heads", () -> F.attention(q, k, v, 2, 0.5f), q, k, v);
        check("self-attention", () -> F.attention(q, q, q, 4, (float) (1 / Math.sqrt(2))), q);
    }

    @Test
    void layoutAndArithmetic() {
        Var x = p(2, 3, 3, 4), y = p(2, 2, 3, 4), c = p(2, 3);
        check("upsample x2", () -> F.upsampleNearest(x, 6, 8), x);
        check("upsample 5x7", () -> F.upsampleNearest(x, 5, 7), x);
        check("concatChannels", () -> F.concatChannels(x, y), x, y);
        check("add, scale", () -> F.add(F.scale(x, 0.3f), F.silu(x)), x);
        check("mul", () -> F.mul(x, F.silu(x)), x);
        check("addChannelBias", () -> F.addChannelBias(x, c), x, c);
        check("nchw<->nlc", () -> F.nlcToNchw(F.mul(F.nchwToNlc(x), F.nchwToNlc(x)), 3, 4), x);
        Var a = p(2, 3), b = p(2, 5);
        check("concatLast", () -> F.concatLast(a, F.mul(b, b)), a, b);
        check("reshape", () -> F.mul(x.reshape(2, -1), x.reshape(2, -1)), x);
    }

    @Test
    void timestepEmbeddingAndLosses() {
        Var t = Var.parameter(Tensor.of(new float[] {3.5f, 17f, 2.25f}, 3));
        check("timestep emb", () -> F.timestepEmbedding(t, 12, true, 0f), t);
        check("timestep emb sin", () -> F.timestepEmbedding(t, 11, false, 1f), t);
        Var a = p(4, 6), b = p(4, 6);
        check("mse", () -> F.mse(F.silu(a), b), a, b);
        check("weightedSum", () -> F.weightedSum(new Var[] {F.mse(a, b), F.mse(F.silu(a), b)},
                new float[] {1f, 0.5f}), a, b);
    }

    @Test
    void checkpointMatchesPlainBackward() {
        Var x = p(2, 4, 4, 4), w = p(4, 4, 3, 3), g = p(4), b = p(4);
        java.util.function.Function<Var[], Var> block = in -> F.silu(F.groupNorm(F.conv2d(in[0], w, null, 1, 1), 2, g,
                b, 1e-5f));
        check("checkpoint", () -> F.checkpoint(block, x), x, w, g, b);
        Tensor r = GradCheck.gaussian(new Random(3), 2, 4, 4, 4);
        Autograd.backward(F.dot(block.apply(new Var[] {x}), r));
        float[] plain = w.grad().data().clone();
        w.zeroGrad();
        x.zeroGrad();
        Autograd.backward(F.dot(F.checkpoint(block, x), r));
        assertThat(w.grad().data()).containsExactly(plain);
    }
}
