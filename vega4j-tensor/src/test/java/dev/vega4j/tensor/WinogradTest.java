package dev.vega4j.tensor;

import static dev.vega4j.tensor.OpsAssert.assertClose;
import static dev.vega4j.tensor.OpsAssert.assertSameBits;
import static dev.vega4j.tensor.OpsAssert.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.tensor.kernels.Winograd;
import dev.vega4j.tensor.kernels.WinogradTransform;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Winograd conv3x3 (stride 1, padding 1) against ReferenceOps, across transforms, shapes and thread counts. */
class WinogradTest {
    private static final ReferenceOps REF = new ReferenceOps();
    private static final VectorOps TWO = new VectorOps(2, false);
    private static final WinogradTransform[] TRANSFORMS = {WinogradTransform.F2, WinogradTransform.F4,
        WinogradTransform.F4_LAVIN};
    private final Random rnd = new Random(7);

    /** {n, c, h, w, o}: odd and even sides, 1x1 and 2x2 images, channels off the vector width, batch 2. */
    private static final int[][] SHAPES = {{1, 1, 1, 1, 1}, {1, 3, 2, 2, 5}, {2, 5, 7, 9, 13}, {1, 17, 8, 8, 12},
        {2, 4, 1, 9, 3}, {1, 2, 11, 1, 7}, {1, 19, 13, 15, 25}, {2, 8, 6, 33, 4}, {1, 3, 37, 5, 2},
        {1, 130, 9, 10, 27}, {1, 6, 40, 40, 30}, {1, 5, 64, 70, 6}};

    @Test
    void transformsComputeCorrelationExactly() {
        // 1-D: y = Aᵀ [(G g) ⊙ (Bᵀ d)] equals Σ_k g_k d_{i+k} in double to rounding
        for (WinogradTransform tf : TRANSFORMS) {
            double[] g = {0.3, -1.2, 0.7};
            double[] d = new double[tf.alpha()];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian();
            }
            double[] prod = new double[tf.alpha()];
            for (int a = 0; a < tf.alpha(); a++) {
                double gg = 0, dd = 0;
                for (int k = 0; k < 3; k++) {
                    gg += tf.g()[a][k] * g[k];
                }
                for (int j = 0; j < tf.alpha(); j++) {
                    dd += tf.bt()[a][j] * d[j];
                }
                prod[a] = gg * dd;
            }
            for (int i = 0; i < tf.m(); i++) {
                double y = 0, direct = 0;
                for (int a = 0; a < tf.alpha(); a++) {
                    y += tf.at()[i][a] * prod[a];
                }
                for (int k = 0; k < 3; k++) {
                    direct += g[k] * d[i + k];
                }
                assertThat(y).as(tf + " output " + i).isCloseTo(direct, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    @Test
    void matchesReferenceOnAwkwardShapes() {
        for (WinogradTransform tf : TRANSFORMS) {
            VectorOps ops = TWO.withWinograd(tf);
            double tol = tf.m() == 2 ? 1e-5 : 1e-4;
            for (int[] s : SHAPES) {
                Tensor x = random(rnd, s[0], s[1], s[2], s[3]);
                Tensor w = random(rnd, s[4], s[1], 3, 3);
                Tensor b = random(rnd, s[4]);
                String what = tf.m() + " " + Arrays.toString(s);
                assertClose("winograd F" + what, ops.conv2d(x, w, b, 1, 1), REF.conv2d(x, w, b, 1, 1), tol);
                assertClose("winograd no bias F" + what, ops.conv2d(x, w, null, 1, 1), REF.conv2d(x, w, null, 1, 1),
                        tol);
            }
        }
    }

    @Test
    void bitIdenticalForOneTwoAndThreeThreads() {
        Tensor x = random(rnd, 2, 21, 19, 23);
        Tensor w = random(rnd, 29, 21, 3, 3);
        Tensor b = random(rnd, 29);
        for (WinogradTransform tf : TRANSFORMS) {
            Tensor one = new VectorOps(1, false).withWinograd(tf).conv2d(x, w, b, 1, 1);
            for (int threads = 2; threads <= 3; threads++) {
                Tensor many = new VectorOps(threads, false).withWinograd(tf).conv2d(x, w, b, 1, 1);
                assertSameBits(tf + ", " + threads + " threads", many, one);
            }
        }
    }

    /**
     * Which F(2x2) route a tile takes (interior tiles straight from the input, rows of Bᵀ d then whole vectors of
     * columns, or a gather; whole output tiles straight to the output or through a scatter) is decided per group of L
     * consecutive tiles, so it depends on the vector width: every route must give a tile the same bits. A patch's
     * inner tiles, computed alone (tile rows shorter than a vector: the general route) and placed at even offsets in
     * wide images (groups of L interior tiles, aligned differently per offset and row: the fast routes), must agree.
     */
    @Test
    void everyF2RouteGivesATileTheSameBits() {
        int c = 6, o = 5, ph = 10, pw = 14;
        Tensor patch = random(rnd, 1, c, ph, pw);
        Tensor w = random(rnd, o, c, 3, 3);
        Tensor b = random(rnd, o);
        VectorOps ops = TWO.withWinograd(WinogradTransform.F2);
        float[] alone = ops.conv2d(patch, w, b, 1, 1).data();
        // {top, left, height, width} of each wide image, top and left even so that the tiles line up
        int[][] placements = {{2, 40, 16, 100}, {4, 34, 20, 97}, {6, 2, 24, 70}, {2, 58, 14, 75}};
        for (int[] pl : placements) {
            int top = pl[0], left = pl[1], h = pl[2], wd = pl[3];
            Tensor wide = random(rnd, 1, c, h, wd);
            for (int ci = 0; ci < c; ci++) {
                for (int y = 0; y < ph; y++) {
                    System.arraycopy(patch.data(), (ci * ph + y) * pw, wide.data(), (ci * h + top + y) * wd + left,
                            pw);
                }
            }
            float[] embedded = ops.conv2d(wide, w, b, 1, 1).data();
            // the tiles whose whole 4 x 4 input window (rows and columns 2t-1 .. 2t+2) lies inside the patch
            int compared = 0;
            for (int ty = 1; 2 * ty + 2 < ph; ty++) {
                for (int tx = 1; 2 * tx + 2 < pw; tx++) {
                    for (int co = 0; co < o; co++) {
                        for (int px = 0; px < 4; px++) {
                            int y = 2 * ty + px / 2, x = 2 * tx + px % 2;
                            float expected = alone[(co * ph + y) * pw + x];
                            float actual = embedded[(co * h + top + y) * wd + left + x];
                            assertThat(Float.floatToRawIntBits(actual)).as("placement %s, channel %d, output (%d, %d)",
                                    Arrays.toString(pl), co, y, x).isEqualTo(Float.floatToRawIntBits(expected));
                            compared++;
                        }
                    }
                }
            }
            assertThat(compared).isEqualTo(3 * 5 * o * 4);
        }
    }

    @Test
    void packCacheGivesTheSameBitsAndIsInvalidated() {
        Tensor x = random(rnd, 1, 9, 10, 11);
        Tensor w = random(rnd, 14, 9, 3, 3);
        VectorOps cached = new VectorOps(2, true).withWinograd(WinogradTransform.F2);
        Tensor first = cached.conv2d(x, w, null, 1, 1);
        assertSameBits("cached", cached.conv2d(x, w, null, 1, 1), first);
        assertSameBits("uncached", TWO.withWinograd(WinogradTransform.F2).conv2d(x, w, null, 1, 1), first);
        w.data()[0] += 1f;
        cached.weightChanged(w);
        assertSameBits("after weightChanged", cached.conv2d(x, w, null, 1, 1),
                TWO.withWinograd(WinogradTransform.F2).conv2d(x, w, null, 1, 1));
    }

    @Test
    void fallbackSwitchRunsImplicitGemm() {
        VectorOps gemm = TWO.withWinograd(null);
        assertThat(gemm.winograd()).isNull();
        assertThat(gemm.toString()).contains("implicit GEMM");
        Tensor x = random(rnd, 1, 7, 9, 9);
        Tensor w = random(rnd, 5, 7, 3, 3);
        Tensor viaGemm = gemm.conv2d(x, w, null, 1, 1);
        assertClose("implicit GEMM fallback", viaGemm, REF.conv2d(x, w, null, 1, 1), 1e-5);
        // the two algorithms round differently: different bits are the sign the switch took effect
        assertThat(Arrays.equals(viaGemm.data(), TWO.withWinograd(WinogradTransform.F2).conv2d(x, w, null, 1, 1)
                .data())).isFalse();
        assertThat(winogradSwitch("false")).isNull();
        assertThat(winogradSwitch("4")).isSameAs(WinogradTransform.F4);
        assertThat(winogradSwitch("4:0,1,-1,2,-2").points()).containsExactly(0, 1, -1, 2, -2);
        assertThat(Switches.parse(Map.of()).winograd()).isSameAs(Winograd.DEFAULT);
    }

    private static WinogradTransform winogradSwitch(String value) {
        return Switches.parse(Map.of(Switches.WINOGRAD, value)).winograd();
    }

    @Test
    void otherConvolutionsDoNotUseIt() {
        assertThat(Winograd.applies(3, 3, 1, 1)).isTrue();
        assertThat(Winograd.applies(3, 3, 2, 1)).isFalse();
        assertThat(Winograd.applies(1, 1, 1, 0)).isFalse();
        assertThat(Winograd.applies(3, 3, 1, 0)).isFalse();
    }
}
