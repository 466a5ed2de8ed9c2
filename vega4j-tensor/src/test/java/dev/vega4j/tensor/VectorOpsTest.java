package dev.vega4j.tensor;

import static dev.vega4j.tensor.OpsAssert.assertClose;
import static dev.vega4j.tensor.OpsAssert.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every VectorOps op against the ReferenceOps oracle over awkward shapes. */
class VectorOpsTest {
    private static final ReferenceOps REF = new ReferenceOps();
    private static final VectorOps FAST = new VectorOps(2);
    private static final double GEMM_TOL = 1e-5;
    private final Random rnd = new Random(42);

    @AfterAll
    static void done() {
        Ops.set(null);
    }

    @Test
    void loaderFindsVectorOps() {
        assertThat(Ops.create(Switches.OpsImplementation.FAST)).isInstanceOf(VectorOps.class);
    }

    @Test
    void linearMatchesReference() {
        int[][] shapes = {{1, 1, 1}, {7, 17, 5}, {17, 77, 33}, {13, 64, 31}, {77, 200, 65}, {100, 300, 130},
            {5, 1, 40}, {24, 257, 64}};
        for (int[] s : shapes) {
            Tensor x = random(rnd, s[0], s[1]);
            Tensor w = random(rnd, s[2], s[1]);
            Tensor b = random(rnd, s[2]);
            assertClose("linear " + java.util.Arrays.toString(s), FAST.linear(x, w, b), REF.linear(x, w, b), GEMM_TOL);
            assertClose("linear no bias " + java.util.Arrays.toString(s), FAST.linear(x, w, null),
                    REF.linear(x, w, null), GEMM_TOL);
        }
        Tensor x3 = random(rnd, 2, 7, 19);
        Tensor w3 = random(rnd, 9, 19);
        assertClose("linear rank 3", FAST.linear(x3, w3, null), REF.linear(x3, w3, null), GEMM_TOL);
    }

    @Test
    void matmulMatchesReference() {
        int[][] shapes = {{1, 1, 1, 1}, {2, 7, 17, 5}, {3, 33, 16, 77}, {1, 50, 129, 40}};
        for (int[] s : shapes) {
            Tensor a = random(rnd, s[0], s[1], s[2]);
            Tensor b = random(rnd, s[0], s[2], s[3]);
            assertClose("matmul " + java.util.Arrays.toString(s), FAST.matmul(a, b), REF.matmul(a, b), GEMM_TOL);
            Tensor b1 = random(rnd, 1, s[2], s[3]);
            assertClose("matmul broadcast " + java.util.Arrays.toString(s), FAST.matmul(a, b1), REF.matmul(a, b1),
                    GEMM_TOL);
        }
    }

    @Test
    void conv2dMatchesReference() {
        // {n, c, h, w, o, k, stride, pad}
        int[][] cases = {{1, 3, 7, 7, 5, 3, 1, 1}, {2, 4, 9, 13, 7, 3, 2, 1}, {1, 5, 17, 17, 13, 3, 1, 1},
            {2, 8, 33, 35, 16, 3, 1, 1}, {1, 16, 40, 40, 12, 3, 1, 1}, {1, 6, 11, 10, 9, 1, 1, 0},
            {2, 17, 8, 8, 33, 1, 1, 0}, {1, 3, 16, 16, 4, 3, 2, 1}, {1, 4, 10, 10, 6, 3, 1, 0},
            {1, 2, 9, 9, 3, 5, 1, 2}, {1, 1, 1, 1, 1, 1, 1, 0}, {1, 8, 64, 64, 8, 3, 1, 1}};
        for (int[] s : cases) {
            Tensor x = random(rnd, s[0], s[1], s[2], s[3]);
            Tensor w = random(rnd, s[4], s[1], s[5], s[5]);
            Tensor b = random(rnd, s[4]);
            assertClose("conv2d " + java.util.Arrays.toString(s), FAST.conv2d(x, w, b, s[6], s[7]),
                    REF.conv2d(x, w, b, s[6], s[7]), GEMM_TOL);
        }
        Tensor x = random(rnd, 1, 3, 5, 5);
        Tensor w = random(rnd, 2, 3, 3, 3);
        assertClose("conv2d no bias", FAST.conv2d(x, w, null, 1, 1), REF.conv2d(x, w, null, 1, 1), GEMM_TOL);
    }

    @Test
    void attentionMatchesReference() {
        // {b, tq, tk, heads, d}
        int[][] cases = {{1, 1, 1, 1, 8}, {2, 7, 17, 2, 16}, {1, 77, 77, 3, 64}, {2, 130, 33, 2, 40},
            {1, 200, 300, 1, 64}, {1, 17, 77, 5, 7}};
        for (int[] s : cases) {
            Tensor q = random(rnd, s[0], s[1], s[3] * s[4]);
            Tensor k = random(rnd, s[0], s[2], s[3] * s[4]);
            Tensor v = random(rnd, s[0], s[2], s[3] * s[4]);
            float scale = (float) (1 / Math.sqrt(s[4]));
            assertClose("attention " + java.util.Arrays.toString(s), FAST.attention(q, k, v, s[3], scale, false),
                    REF.attention(q, k, v, s[3], scale, false), GEMM_TOL);
            if (s[1] == s[2]) {
                assertClose("attention causal " + java.util.Arrays.toString(s),
                        FAST.attention(q, k, v, s[3], scale, true), REF.attention(q, k, v, s[3], scale, true),
                        GEMM_TOL);
            }
        }
        // a long causal sequence crosses several key blocks
        Tensor q = random(rnd, 1, 300, 64), k = random(rnd, 1, 300, 64), v = random(rnd, 1, 300, 64);
        assertClose("attention causal 300", FAST.attention(q, k, v, 2, 0.17f, true),
                REF.attention(q, k, v, 2, 0.17f, true), GEMM_TOL);
        // large scores: the online max must rescale correctly
        Tensor qs = FAST.scale(q, 4f);
        assertClose("attention peaked", FAST.attention(qs, k, v, 1, 0.5f, false),
                REF.attention(qs, k, v, 1, 0.5f, false), GEMM_TOL);
    }

    @Test
    void normsMatchReference() {
        int[][] shapes = {{1, 4, 1, 1}, {2, 6, 7, 5}, {1, 64, 17, 17}, {2, 32, 9, 16}};
        for (int[] s : shapes) {
            Tensor x = random(rnd, s);
            int c = s[1];
            Tensor g = random(rnd, c), b = random(rnd, c);
            for (int groups : new int[] {1, 2, c}) {
                for (boolean silu : new boolean[] {false, true}) {
                    assertClose("groupNorm " + java.util.Arrays.toString(s) + " g" + groups + (silu ? " silu" : ""),
                            FAST.groupNorm(x, groups, g, b, 1e-5f, silu), REF.groupNorm(x, groups, g, b, 1e-5f, silu),
                            1e-5);
                }
            }
            assertClose("groupNorm no affine", FAST.groupNorm(x, 2, null, null, 1e-6f, false),
                    REF.groupNorm(x, 2, null, null, 1e-6f, false), 1e-5);
        }
        // offset data: statistics must not lose precision to a large mean
        Tensor off = FAST.add(random(rnd, 1, 8, 33, 33), Tensor.full(50f, 1, 8, 33, 33));
        assertClose("groupNorm offset", FAST.groupNorm(off, 4, null, null, 1e-5f, false),
                REF.groupNorm(off, 4, null, null, 1e-5f, false), 2e-5);
        Tensor seq = random(rnd, 2, 3, 40);
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {2, 77, 17}, {4, 640}, {2, 5, 1280}}) {
            Tensor x = random(rnd, s);
            int c = s[s.length - 1];
            Tensor g = random(rnd, c), b = random(rnd, c);
            assertClose("layerNorm " + java.util.Arrays.toString(s), FAST.layerNorm(x, g, b, 1e-5f),
                    REF.layerNorm(x, g, b, 1e-5f), 1e-5);
            assertClose("layerNorm plain " + java.util.Arrays.toString(s), FAST.layerNorm(x, null, null, 1e-5f),
                    REF.layerNorm(x, null, null, 1e-5f), 1e-5);
        }
        assertClose("groupNorm [N,C,L]", FAST.groupNorm(seq, 3, null, null, 1e-5f, true),
                REF.groupNorm(seq, 3, null, null, 1e-5f, true), 1e-5);
    }

    @Test
    void softmaxMatchesReference() {
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {2, 77}, {5, 17, 33}, {2, 4096}}) {
            Tensor x = FAST.scale(random(rnd, s), 5f);
            assertClose("softmax " + java.util.Arrays.toString(s), FAST.softmax(x), REF.softmax(x), 1e-6);
        }
        Tensor masked = Tensor.of(new float[] {1f, Float.NEGATIVE_INFINITY, 2f, Float.NEGATIVE_INFINITY, 0.5f}, 1, 5);
        assertClose("softmax with -inf", FAST.softmax(masked), REF.softmax(masked), 1e-6);
    }

    @Test
    void activationsMatchReference() {
        Tensor x = FAST.scale(random(rnd, 3, 1001), 4f);
        // add the tails and special points explicitly
        float[] extra = {0f, -0f, 1e-30f, -1e-30f, 0.46875f * 1.4142135f, -0.6629f, 5.6f, -5.6f, -8f, 8f, -12f, 12f,
            -30f, 30f, -100f, 100f, 1e30f, -1e30f, Float.MIN_VALUE, -3.3f, 2.2f};
        float[] grid = new float[20001 + extra.length];
        for (int i = 0; i <= 20000; i++) {
            grid[i] = -10f + i * 0.001f;
        }
        System.arraycopy(extra, 0, grid, 20001, extra.length);
        for (Tensor t : new Tensor[] {x, Tensor.of(grid, grid.length)}) {
            check("silu", FAST.silu(t), REF.silu(t), 5e-6);
            // a few ulp in the negative tail (x < -3, |gelu| < 1e-3): the erfcx rational is within 3e-8 of the double one
            check("gelu", FAST.gelu(t), accurateGelu(t), 5e-7);
            // the exponent 2u reaches -20 for x near -5: float rounding of u costs a few 1e-6 relative there
            check("geluTanh", FAST.geluTanh(t), accurateGeluTanh(t), 5e-6);
            assertClose("geluTanh vs reference", FAST.geluTanh(t), REF.geluTanh(t), 1e-7);
            assertClose("gelu vs reference", FAST.gelu(t), REF.gelu(t), 1e-7);
            check("quickGelu", FAST.quickGelu(t), REF.quickGelu(t), 5e-6);
        }
        for (int[] s : new int[][] {{2, 2}, {3, 34}, {2, 5, 80}, {1, 1300}}) {
            Tensor g = FAST.scale(random(rnd, s), 3f);
            assertClose("geglu " + java.util.Arrays.toString(s), FAST.geglu(g), REF.geglu(g), 3e-7);
        }
    }

    /** GELU in double with erfc for negative inputs: accurate in the tail, where the reference's 1 + erf cancels. */
    private static Tensor accurateGelu(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < x.numel(); i++) {
            double v = x.data()[i], z = v / Math.sqrt(2);
            y.data()[i] = (float) (0.5 * v * (z < 0 ? Erf.erfc(-z) : 1 + Erf.erf(z)));
        }
        return y;
    }

    /** The tanh GELU as x·sigmoid(2u) in double: the reference's 1 + tanh(u) cancels to 0 for x below about -9. */
    private static Tensor accurateGeluTanh(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < x.numel(); i++) {
            double v = x.data()[i];
            double u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
            y.data()[i] = (float) (v / (1 + Math.exp(-2 * u)));
        }
        return y;
    }

    @Test
    void erfcMatchesErfWhereNoCancellation() {
        for (double x = -3; x < 6; x += 0.01) {
            assertThat(Erf.erfc(x)).isCloseTo(1 - Erf.erf(x), org.assertj.core.data.Offset.offset(1e-15));
        }
        assertThat(Erf.erfc(10)).isCloseTo(2.088487583762545e-45, org.assertj.core.data.Percentage.withPercentage(1e-9));
    }

    private static void check(String what, Tensor actual, Tensor expected, double tol) {
        // relative down to 1e-12, absolute below: exponent arguments near -55 carry float rounding of the argument
        double err = OpsAssert.elementRelError(actual, expected, 1e-12);
        double abs = 0;
        for (int i = 0; i < actual.numel(); i++) {
            abs = Math.max(abs, Math.abs(actual.data()[i] - expected.data()[i]));
        }
        int worst = 0;
        double we = -1;
        for (int i = 0; i < actual.numel(); i++) {
            double e = Math.abs((double) actual.data()[i] - expected.data()[i]) / (Math.abs(expected.data()[i]) + 1e-12);
            if (e > we) {
                we = e;
                worst = i;
            }
        }
        System.out.printf("%-50s max elementwise rel err %.3e (abs %.3e) worst at x=%s: %s vs %s%n", what, err, abs,
                "#" + worst, actual.data()[worst], expected.data()[worst]);
        assertThat(err).as(what).isLessThanOrEqualTo(tol);
    }

    @Test
    void layoutAndElementwiseMatchReference() {
        Tensor x = random(rnd, 2, 5, 7, 9);
        Tensor y = random(rnd, 2, 5, 7, 9);
        assertExact("add", FAST.add(x, y), REF.add(x, y));
        assertExact("mul", FAST.mul(x, y), REF.mul(x, y));
        assertExact("scale", FAST.scale(x, 0.3f), REF.scale(x, 0.3f));
        assertExact("addInPlace", FAST.addInPlace(x.copy(), y), REF.addInPlace(x.copy(), y));
        Tensor cb = random(rnd, 2, 5);
        assertExact("addChannelBias", FAST.addChannelBias(x, cb), REF.addChannelBias(x, cb));
        Tensor z = random(rnd, 2, 3, 7, 9);
        assertExact("concatChannels", FAST.concatChannels(x, z), REF.concatChannels(x, z));
        assertExact("nchwToNlc", FAST.nchwToNlc(x), REF.nchwToNlc(x));
        Tensor nlc = random(rnd, 2, 63, 37);
        assertExact("nlcToNchw", FAST.nlcToNchw(nlc, 7, 9), REF.nlcToNchw(nlc, 7, 9));
        Tensor big = random(rnd, 2, 40, 33, 35);
        assertExact("nchwToNlc big", FAST.nchwToNlc(big), REF.nchwToNlc(big));
        Tensor bigNlc = random(rnd, 2, 33 * 35, 40);
        assertExact("nlcToNchw big", FAST.nlcToNchw(bigNlc, 33, 35), REF.nlcToNchw(bigNlc, 33, 35));
        for (int[] o : new int[][] {{14, 18}, {7, 9}, {3, 4}, {15, 20}, {1, 1}}) {
            assertExact("upsample " + o[0] + "x" + o[1], FAST.upsampleNearest(x, o[0], o[1]),
                    REF.upsampleNearest(x, o[0], o[1]));
        }
        Tensor large = random(rnd, 3, 70001);
        Tensor large2 = random(rnd, 3, 70001);
        assertExact("add large", FAST.add(large, large2), REF.add(large, large2));
        assertExact("silu large, 1 vs 2 threads", new VectorOps(1).silu(large), FAST.silu(large));
        float[] t = {0f, 1f, 999f, 500.5f};
        assertExact("timestepEmbedding", FAST.timestepEmbedding(t, 321, true, 1f, 1f, 10000),
                REF.timestepEmbedding(t, 321, true, 1f, 1f, 10000));
    }

    @Test
    void badInputGetsReadableErrors() {
        assertThatThrownBy(() -> FAST.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 5), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linear");
        assertThatThrownBy(() -> FAST.conv2d(Tensor.zeros(1, 3, 4, 4), Tensor.zeros(2, 4, 3, 3), null, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv2d");
        assertThatThrownBy(() -> FAST.attention(Tensor.zeros(1, 2, 6), Tensor.zeros(1, 2, 6), Tensor.zeros(1, 2, 6), 4,
                1f, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attention");
        assertThatThrownBy(() -> FAST.groupNorm(Tensor.zeros(1, 6, 2, 2), 4, null, null, 1e-5f, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groupNorm");
    }

    private static void assertExact(String what, Tensor actual, Tensor expected) {
        OpsAssert.assertSameBits(what, actual, expected);
    }
}
