package dev.vega4j.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every register tile computes exactly the scalar fused-multiply-add chain; the choice is ranked and cached. */
class MicroKernelsTest {
    private static final Random R = new Random(5);

    private static float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) R.nextGaussian();
        }
        return a;
    }

    /** What every kernel promises: c = fma(a[i][kc-1], b[kc-1][j], ... fma(a[i][0], b[0][j], start)). */
    private static float chain(float start, float[] a, int aOff, int aRowStep, int aKStep, float[] b, int bOff,
            int bStride, int kc, int i, int j) {
        float c = start;
        for (int k = 0; k < kc; k++) {
            c = Math.fma(a[aOff + i * aRowStep + k * aKStep], b[bOff + k * bStride + j], c);
        }
        return c;
    }

    @Test
    void everyCandidateEqualsTheScalarFmaChainBitForBit() {
        for (MicroKernel k : MicroKernels.CANDIDATES) {
            int mr = k.mr(), nr = k.nr();
            for (int kc : new int[] {1, 3, 77, 128}) {
                int bStride = nr + 5, ldc = nr + 3, aOff = 2, bOff = 7, cOff = 4;
                float[] a = random(aOff + kc * Math.max(mr, MicroKernel.ROW_A_STRIDE) + mr * MicroKernel.ROW_A_STRIDE);
                float[] b = random(bOff + kc * bStride + nr);
                float[] c0 = random(cOff + mr * ldc + nr);
                float[] init = random(nr + mr + 3);

                float[] c = c0.clone();
                k.kernelPacked(a, aOff, b, bOff, bStride, kc, c, cOff, ldc);
                float[] ci = c0.clone();
                k.kernelPackedInit(a, aOff, b, bOff, bStride, kc, init, 1, ci, cOff, ldc);
                float[] cr = c0.clone();
                k.kernelPackedRowInit(a, aOff, b, bOff, bStride, kc, init, 2, cr, cOff, ldc);
                float[] ca = c0.clone();
                k.kernelRowsA(a, aOff, b, bOff, bStride, kc, ca, cOff, ldc);
                for (int i = 0; i < mr; i++) {
                    for (int j = 0; j < nr; j++) {
                        int at = cOff + i * ldc + j;
                        String where = k.shape() + " kc=" + kc + " [" + i + "," + j + "]";
                        assertThat(c[at]).as("packed " + where)
                                .isEqualTo(chain(c0[at], a, aOff, 1, mr, b, bOff, bStride, kc, i, j));
                        assertThat(ci[at]).as("init " + where)
                                .isEqualTo(chain(init[1 + j], a, aOff, 1, mr, b, bOff, bStride, kc, i, j));
                        assertThat(cr[at]).as("row init " + where)
                                .isEqualTo(chain(init[2 + i], a, aOff, 1, mr, b, bOff, bStride, kc, i, j));
                        assertThat(ca[at]).as("rows A " + where).isEqualTo(
                                chain(c0[at], a, aOff, MicroKernel.ROW_A_STRIDE, 1, b, bOff, bStride, kc, i, j));
                    }
                }
            }
        }
    }

    @Test
    void attentionKeyBlocksAreWholePanelsOfEveryShape() {
        for (MicroKernel k : MicroKernels.CANDIDATES) {
            for (int lanes : new int[] {4, 8, 16}) {
                assertThat(MicroKernel.ROW_A_STRIDE % (k.vectors() * lanes)).as(k.shape() + " at " + lanes).isZero();
            }
        }
    }

    @Test
    void aCandidateMustBeatTheDefaultClearlyToBeChosen() {
        double[] g = new double[MicroKernels.CANDIDATES.size()];
        java.util.Arrays.fill(g, 50);
        g[0] = 100;
        g[3] = 107; // within the tie margin: the default stays
        assertThat(MicroKernels.rank(g).get(0).kernel()).isSameAs(MicroKernels.CANDIDATES.get(0));
        assertThat(MicroKernels.rank(g).get(1).kernel()).isSameAs(MicroKernels.CANDIDATES.get(3));
        g[3] = 109;
        assertThat(MicroKernels.rank(g).get(0).kernel()).isSameAs(MicroKernels.CANDIDATES.get(3));
        assertThat(MicroKernels.rank(g).get(1).kernel()).isSameAs(MicroKernels.CANDIDATES.get(0));
    }

    @Test
    void theRankingIsCachedPerMachineAndADamagedCacheIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/kernels.properties");
        double[] g = {100, 90, 120, 80, 70, 60};
        List<MicroKernels.Measurement> ranking = MicroKernels.rank(g);
        MicroKernels.writeCache(file, "cpu-a", ranking);
        MicroKernels.writeCache(file, "cpu-b", MicroKernels.rank(new double[] {1, 2, 3, 4, 5, 60}));
        assertThat(MicroKernels.readCache(file, "cpu-a").orElseThrow()).extracting(m -> m.kernel().shape())
                .containsExactlyElementsOf(ranking.stream().map(m -> m.kernel().shape()).toList());
        assertThat(MicroKernels.readCache(file, "cpu-b").orElseThrow().get(0).kernel().shape()).isEqualTo("4x3");
        assertThat(MicroKernels.readCache(file, "cpu-c")).isEmpty();
        Files.writeString(file, "cpu-a = 99x9 12.0\n");
        assertThat(MicroKernels.readCache(file, "cpu-a")).isEmpty();
        assertThat(MicroKernels.machineKey()).contains("jdk" + Runtime.version().feature()).doesNotContain(" ");
    }
}
