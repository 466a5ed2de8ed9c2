package dev.vega4j.rng;

import dev.vega4j.tensor.Tensor;

/**
 * A port of PyTorch 1.13's CPU generator ({@code torch.Generator().manual_seed(seed)}) so that noise drawn here equals,
 * value for value, what diffusers users get from {@code torch.randn(shape, generator=g)} on the CPU.
 *
 * <p>What is reproduced (ATen 1.13: {@code CPUGeneratorImpl.cpp}, {@code core/DistributionsHelper.h},
 * {@code native/cpu/DistributionTemplates.h}):
 * <ul>
 *   <li>{@code manual_seed(s)} seeds mt19937 with {@code s & 0xffffffff} and clears the cached normal;</li>
 *   <li>float uniform = {@code (random() & 0xFFFFFF) * 2^-24}; double uniform = {@code (random64() & (2^53-1)) * 2^-53}
 *       with {@code random64() = first << 32 | second};</li>
 *   <li>{@code randn} of 16 or more elements ({@code normal_fill}): all slots first get float uniforms, then Box-Muller
 *       in float on blocks of 16 (8 pairs {@code j, j+8}); when {@code n % 16 != 0} the last 16 slots get fresh
 *       uniforms and that block is redone;</li>
 *   <li>{@code randn} of fewer than 16 elements: per element the double Box-Muller sampler of
 *       {@code at::normal_distribution<double>}, whose second value is cached in the generator between calls.</li>
 * </ul>
 * The AVX2 build of torch evaluates log/sin/cos with Sleef, so large {@code randn} draws agree with this scalar version
 * to about 1e-6, while the uniforms underneath are bit-identical. Not thread-safe, like a torch generator.
 */
public final class TorchGenerator {
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);
    private static final double FLOAT_DIVISOR = 1.0 / (1 << 24);
    private static final double DOUBLE_DIVISOR = 1.0 / (1L << 53);

    private final long seed;
    private Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** {@code torch.Generator().manual_seed(seed)}; any 64-bit value, only its low 32 bits reach the engine. */
    public TorchGenerator(long seed) {
        this.seed = seed;
        manualSeed(seed);
    }

    /** Re-seeds like {@code manual_seed}: new engine state, cached normal dropped. */
    public TorchGenerator manualSeed(long newSeed) {
        engine = new Mt19937((int) (newSeed & 0xffffffffL));
        hasCachedNormal = false;
        return this;
    }

    /** The seed this generator was created with (as given, all 64 bits). */
    public long initialSeed() {
        return seed;
    }

    /** {@code random()}: one tempered 32-bit engine output, as an unsigned value. */
    public long random() {
        return engine.nextInt() & 0xffffffffL;
    }

    /** {@code random64()}: two engine outputs, the first in the high half. */
    public long random64() {
        long hi = random();
        long lo = random();
        return (hi << 32) | lo;
    }

    /** Float uniform in [0, 1) ({@code uniform_real_distribution<float>}: 24 random bits). */
    public float nextFloat() {
        return (float) ((random() & 0xFFFFFF) * FLOAT_DIVISOR);
    }

    /** Double uniform in [0, 1) ({@code uniform_real_distribution<double>}: 53 random bits of {@code random64()}). */
    public double nextDouble() {
        return (random64() & ((1L << 53) - 1)) * DOUBLE_DIVISOR;
    }

    /**
     * One standard normal from {@code at::normal_distribution<double>}: Box-Muller on two double uniforms, the sine
     * half cached for the next call.
     */
    public double nextGaussian() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /** {@code torch.rand(shape, generator=g)} in float32. */
    public Tensor rand(int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = nextFloat();
        }
        return t;
    }

    /** {@code torch.randn(shape, generator=g)} in float32 (contiguous CPU tensor). */
    public Tensor randn(int... shape) {
        Tensor t = Tensor.zeros(shape);
        fillNormal(t.data());
        return t;
    }

    /** Fills {@code out} exactly as {@code normal_} fills a contiguous float tensor with mean 0, std 1. */
    public void fillNormal(float[] out) {
        int n = out.length;
        if (n >= 16) {
            for (int i = 0; i < n; i++) {
                out[i] = nextFloat();
            }
            for (int off = 0; off <= n - 16; off += 16) {
                boxMuller16(out, off);
            }
            if (n % 16 != 0) {
                // torch recomputes the tail: fresh uniforms for the last 16 slots, then one more block there
                for (int i = n - 16; i < n; i++) {
                    out[i] = nextFloat();
                }
                boxMuller16(out, n - 16);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) nextGaussian();
            }
        }
    }

    /** {@code normal_fill_16}: float Box-Muller over slots off..off+15, pairing j with j+8. */
    private static void boxMuller16(float[] d, int off) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - d[off + j];
            float u2 = d[off + 8 + j];
            float radius = (float) Math.sqrt(-2f * (float) Math.log(u1));
            float theta = TWO_PI_F * u2;
            d[off + j] = radius * (float) Math.cos(theta);
            d[off + 8 + j] = radius * (float) Math.sin(theta);
        }
    }
}
