package dev.vega4j.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sums follow their documented order exactly: checked against plain scalar loops written from the class comment,
 * at lengths around the group (16), block (256) and vector widths. Whatever the vector width of the JVM running the
 * test, the result must equal the scalar order, which is what makes it the same on every CPU.
 */
class FixedOrderSumsTest {
    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 77, 128, 192, 255, 256, 257, 300, 511, 512, 640,
        655, 1024, 1040, 4099};

    private static float[] random(Random r, int n) {
        float[] a = new float[n + 5];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 3));
        }
        return a;
    }

    /** Whole blocks of 256 in 16 float lanes, block sums and the rest in double. */
    private static double sumOrder(float[] a, int off, int len, boolean squares, float mean) {
        double total = 0;
        int groups = len / 256 * 256;
        for (int b = 0; b < groups; b += 256) {
            int n = 256;
            float[] lane = new float[16];
            for (int j = 0; j < n; j++) {
                float x = a[off + b + j];
                if (squares) {
                    float d = x - mean;
                    lane[j % 16] = Math.fma(d, d, lane[j % 16]);
                } else {
                    lane[j % 16] = j < 16 ? x : lane[j % 16] + x;
                }
            }
            float s = 0f;
            for (float x : lane) {
                s += x;
            }
            total += s;
        }
        for (int i = groups; i < len; i++) {
            double d = squares ? a[off + i] - mean : a[off + i];
            total += squares ? d * d : d;
        }
        return total;
    }

    /** 16 float lanes from 0f, a fixed pairwise tree, then the rest in float in index order. */
    private static float shortOrder(float[] a, int off, int len) {
        float[] l = new float[16];
        int end = len / 16 * 16;
        for (int i = 0; i < end; i++) {
            l[i % 16] += a[off + i];
        }
        float s = (((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])))
                + (((l[8] + l[9]) + (l[10] + l[11])) + ((l[12] + l[13]) + (l[14] + l[15])));
        for (int i = end; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    @Test
    void theCheaperExponentialHasTheSameBitsWhereItApplies() {
        Random r = new Random(9);
        float[] x = new float[4096 + 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < 64 ? -87f + i / 1000f : -(float) (r.nextDouble() * 87); // the edge, then [-87, 0]
        }
        x[100] = 0f;
        x[101] = -0f;
        x[102] = -Float.MIN_VALUE;
        // attention skips e^0 when its running max does not move: exactly 1, for both zeros
        assertThat(VMath.exp(0f)).isEqualTo(1f);
        assertThat(VMath.exp(-0f)).isEqualTo(1f);
        float[] slow = x.clone(), fast = x.clone();
        float sSlow = FixedOrderSums.expShiftedShortSum(slow, 3, 4096, 4096, 0f, false);
        float sFast = FixedOrderSums.expShiftedShortSum(fast, 3, 4096, 4096, 0f, true);
        assertThat(fast).isEqualTo(slow);
        assertThat(sFast).isEqualTo(sSlow);
        for (float v : x) {
            jdk.incubator.vector.FloatVector vx = jdk.incubator.vector.FloatVector.broadcast(Lanes.S, v);
            assertThat(VMath.expNonPositiveNormal(vx).lane(0)).as("e^" + v)
                    .isEqualTo(VMath.expNonPositive(vx).lane(0));
        }
    }

    @Test
    void everySumFollowsItsDocumentedOrderBitForBit() {
        Random r = new Random(3);
        for (int len : LENGTHS) {
            float[] a = random(r, len);
            int off = 3;
            float mean = (float) (sumOrder(a, off, len, false, 0f) / Math.max(1, len));
            assertThat(FixedOrderSums.sum(a, off, len)).as("sum " + len).isEqualTo(sumOrder(a, off, len, false, 0f));
            assertThat(FixedOrderSums.sumSquaredDeviation(a, off, len, mean)).as("squares " + len)
                    .isEqualTo(sumOrder(a, off, len, true, mean));
            assertThat(FixedOrderSums.shortSum(a, off, len)).as("short " + len).isEqualTo(shortOrder(a, off, len));
            double tail = FixedOrderSums.blockSum(a, off, len);
            for (int i = len / 256 * 256; i < len; i++) {
                tail += a[off + i];
            }
            assertThat(tail).as("blockSum + tail " + len).isEqualTo(sumOrder(a, off, len, false, 0f));

            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                max = Math.max(max, a[off + i]);
            }
            float[] expected = a.clone();
            for (int i = 0; i < len; i++) {
                expected[off + i] = VMath.exp(a[off + i] - max);
            }
            for (int room : new int[] {len, len + 4, len + 16}) {
                float[] got = java.util.Arrays.copyOf(a, a.length + 16);
                float s = FixedOrderSums.expShiftedShortSum(got, off, len, room, max, false);
                assertThat(java.util.Arrays.copyOf(got, off + len)).as("exponentials " + len + "/" + room)
                        .isEqualTo(java.util.Arrays.copyOf(expected, off + len));
                assertThat(s).as("exp sum " + len + "/" + room).isEqualTo(shortOrder(expected, off, len));
            }
        }
    }
}
