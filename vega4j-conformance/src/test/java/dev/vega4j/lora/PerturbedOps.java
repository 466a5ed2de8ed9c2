package dev.vega4j.lora;

import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.util.SplittableRandom;

/**
 * A {@link TensorOps} that runs a delegate and then moves each output element to its float neighbour (up or down)
 * with probability {@code 1/24} each: zero-mean noise with the variance of one extra round-to-nearest error
 * ({@code ulp²/12}) per operation. Several runs with different seeds are "equally valid float32 evaluations" of the
 * same network; their spread is the rounding noise floor of float32 for that input (Monte Carlo arithmetic, Parker
 * 1997). Used only to measure how well-conditioned a golden case is.
 */
final class PerturbedOps implements TensorOps {
    private final TensorOps d;
    private final SplittableRandom rnd;

    PerturbedOps(TensorOps delegate, long seed) {
        this.d = delegate;
        this.rnd = new SplittableRandom(seed);
    }

    private Tensor p(Tensor t) {
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) {
            int r = rnd.nextInt(24);
            if (r == 0) {
                a[i] = Math.nextUp(a[i]);
            } else if (r == 1) {
                a[i] = Math.nextDown(a[i]);
            }
        }
        return t;
    }

    @Override public Tensor linear(Tensor x, Tensor w, Tensor b) { return p(d.linear(x, w, b)); }
    @Override public Tensor matmul(Tensor a, Tensor b) { return p(d.matmul(a, b)); }
    @Override public Tensor conv2d(Tensor x, Tensor w, Tensor b, int s, int pad) { return p(d.conv2d(x, w, b, s, pad)); }
    @Override public Tensor groupNorm(Tensor x, int g, Tensor ga, Tensor be, float eps, boolean silu) {
        return p(d.groupNorm(x, g, ga, be, eps, silu));
    }
    @Override public Tensor layerNorm(Tensor x, Tensor g, Tensor b, float eps) { return p(d.layerNorm(x, g, b, eps)); }
    @Override public Tensor softmax(Tensor x) { return p(d.softmax(x)); }
    @Override public Tensor attention(Tensor q, Tensor k, Tensor v, int h, float s, boolean c) {
        return p(d.attention(q, k, v, h, s, c));
    }
    @Override public Tensor silu(Tensor x) { return p(d.silu(x)); }
    @Override public Tensor gelu(Tensor x) { return p(d.gelu(x)); }
    @Override public Tensor geluTanh(Tensor x) { return p(d.geluTanh(x)); }
    @Override public Tensor quickGelu(Tensor x) { return p(d.quickGelu(x)); }
    @Override public Tensor geglu(Tensor x) { return p(d.geglu(x)); }
    @Override public Tensor upsampleNearest(Tensor x, int h, int w) { return d.upsampleNearest(x, h, w); }
    @Override public Tensor concatChannels(Tensor a, Tensor b) { return d.concatChannels(a, b); }
    @Override public Tensor add(Tensor a, Tensor b) { return p(d.add(a, b)); }
    @Override public Tensor addInPlace(Tensor a, Tensor b) { return p(d.addInPlace(a, b)); }
    @Override public Tensor addChannelBias(Tensor x, Tensor b) { return p(d.addChannelBias(x, b)); }
    @Override public Tensor mul(Tensor a, Tensor b) { return p(d.mul(a, b)); }
    @Override public Tensor scale(Tensor x, float s) { return p(d.scale(x, s)); }
    @Override public Tensor nchwToNlc(Tensor x) { return d.nchwToNlc(x); }
    @Override public Tensor nlcToNchw(Tensor x, int h, int w) { return d.nlcToNchw(x, h, w); }
    @Override public Tensor timestepEmbedding(float[] t, int dim, boolean flip, float shift, float scale, int maxPeriod) {
        return d.timestepEmbedding(t, dim, flip, shift, scale, maxPeriod);
    }
    @Override public void weightChanged(Tensor w) { d.weightChanged(w); }
}
