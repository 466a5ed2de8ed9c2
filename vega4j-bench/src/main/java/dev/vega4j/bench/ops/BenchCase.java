package dev.vega4j.bench.ops;

import dev.vega4j.tensor.TensorOps;

/**
 * One benchmarked op on one shape: how to prepare inputs, how to run it, and its work (flops for compute-bound ops,
 * bytes moved for memory-bound ones; one of the two is zero).
 *
 * @param group  op family (linear, conv3x3, attention, groupNorm, ...)
 * @param shape  human-readable shape
 * @param flops  floating-point operations of one run (2 per multiply-add)
 * @param bytes  minimal bytes read and written by one run
 * @param setup  builds the inputs and returns the op to time
 */
public record BenchCase(String group, String shape, double flops, double bytes, Setup setup) {

    /** Allocates inputs once; the returned runnable is timed. */
    @FunctionalInterface
    public interface Setup {
        Runnable prepare(TensorOps ops);
    }

    public boolean computeBound() {
        return flops > 0;
    }

    public static double linearFlops(long m, long k, long n) {
        return 2.0 * m * k * n;
    }

    /** Direct-convolution flops: 2 · N · O · OH · OW · C · kh · kw. */
    public static double convFlops(long n, long c, long oh, long ow, long o, long kh, long kw) {
        return 2.0 * n * o * oh * ow * c * kh * kw;
    }

    /** QKᵀ and PV: 4 · B · H · Tq · Tk · d (softmax not counted). */
    public static double attentionFlops(long b, long heads, long tq, long tk, long d) {
        return 4.0 * b * heads * tq * tk * d;
    }
}
