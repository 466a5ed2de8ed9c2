package dev.vega4j.schedulers;

import dev.vega4j.tensor.Tensor;

/**
 * Elementwise float32 arithmetic for scheduler formulas. Each lambda is written in the operation order of the torch
 * expression it mirrors (Java float arithmetic rounds every operation like torch's float kernels, with no FMA), so the
 * results match diffusers bit for bit up to transcendental-function rounding.
 */
final class F32 {
    private F32() {}

    interface Op1 {
        float apply(float a);
    }

    interface Op2 {
        float apply(float a, float b);
    }

    interface Op3 {
        float apply(float a, float b, float c);
    }

    static Tensor map(Tensor a, Op1 f) {
        float[] x = a.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.apply(x[i]);
        }
        return Tensor.of(out, a.shape());
    }

    static Tensor map(Tensor a, Tensor b, Op2 f) {
        float[] x = a.data(), y = b.data();
        check(x.length, y.length);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.apply(x[i], y[i]);
        }
        return Tensor.of(out, a.shape());
    }

    static Tensor map(Tensor a, Tensor b, Tensor c, Op3 f) {
        float[] x = a.data(), y = b.data(), z = c.data();
        check(x.length, y.length);
        check(x.length, z.length);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.apply(x[i], y[i], z[i]);
        }
        return Tensor.of(out, a.shape());
    }

    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    static float log(float x) {
        return (float) Math.log(x);
    }

    static float exp(float x) {
        return (float) Math.exp(x);
    }

    static float expm1(float x) {
        return (float) Math.expm1(x);
    }

    private static void check(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("tensor sizes differ: " + a + " vs " + b);
        }
    }
}
