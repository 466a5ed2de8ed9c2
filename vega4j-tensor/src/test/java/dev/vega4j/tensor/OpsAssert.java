package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

/** Comparison helpers for fast-vs-reference tests. */
final class OpsAssert {
    private OpsAssert() {}

    static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /** max |a - b| / max |b| (a norm-wise relative error: robust where single outputs cancel to ~0). */
    static double relError(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        float[] a = actual.data(), e = expected.data();
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) != Float.isNaN(e[i])) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - e[i]));
            maxRef = Math.max(maxRef, Math.abs(e[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /** max over elements of |a - b| / (|b| + floor): elementwise accuracy of activations. */
    static double elementRelError(Tensor actual, Tensor expected, double floor) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        float[] a = actual.data(), e = expected.data();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - e[i]) / (Math.abs(e[i]) + floor));
        }
        return worst;
    }

    /** Same shape and the same bits everywhere (AssertJ's containsExactly is quadratic on big arrays). */
    static void assertSameBits(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        float[] a = actual.data(), e = expected.data();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i])) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
            }
        }
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double tol) {
        double err = relError(actual, expected);
        System.out.printf("%-50s max rel err %.3e%n", what, err);
        assertThat(err).as(what + " relative error").isLessThanOrEqualTo(tol);
    }
}
