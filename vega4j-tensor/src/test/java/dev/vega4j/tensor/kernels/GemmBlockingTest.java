package dev.vega4j.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every GEMM blocking gives the scalar fused-multiply-add chain's bits; the choice is ranked and cached. */
class GemmBlockingTest {

    @Test
    void everyBlockingGivesTheScalarFmaChainBitForBit() {
        Random r = new Random(11);
        // awkward sizes: rows not a whole block or tile, k not a whole K block, columns not whole panels
        int m = 2 * 192 + 7, k = 2 * 512 + 131, n = 3 * GemmKernels.NR + 5, lda = k + 3, ldc = n + 2;
        float[] a = new float[m * lda], w = new float[n * k], bias = new float[n];
        for (float[] x : List.of(a, w, bias)) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
        }
        float[] expected = new float[m * ldc];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float c = bias[j];
                for (int kk = 0; kk < k; kk++) {
                    c = Math.fma(a[i * lda + kk], w[j * k + kk], c);
                }
                expected[i * ldc + j] = c;
            }
        }
        for (int threads : new int[] {1, 3}) {
            Parallel par = new Parallel(threads);
            Gemm.PackedB b = Gemm.packTransposed(w, 0, k, n, par);
            for (GemmBlocking.Blocking bl : GemmBlocking.CANDIDATES) {
                float[] c = new float[m * ldc];
                Gemm.residentB(a, 0, lda, m, b, bias, c, 0, ldc, bl, par);
                assertThat(c).as(bl.name() + " with " + threads + " threads").isEqualTo(expected);
            }
        }
    }

    @Test
    void candidatesAreWholeTilesAndTheFirstIsTheClassicBlocking() {
        assertThat(GemmBlocking.CANDIDATES).hasSizeGreaterThan(4)
                .allSatisfy(b -> assertThat(b.mc() % GemmKernels.MR).isZero());
        assertThat(GemmBlocking.CANDIDATES.get(0).kc()).isEqualTo(128);
        assertThat(GemmBlocking.Blocking.parse("512x" + GemmKernels.MR * 8))
                .isEqualTo(new GemmBlocking.Blocking(512, GemmKernels.MR * 8));
        assertThatThrownBy(() -> new GemmBlocking.Blocking(0, GemmKernels.MR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kc must be positive");
    }

    @Test
    void aCandidateMustBeatTheDefaultClearlyToBeChosen() {
        double[] g = new double[GemmBlocking.CANDIDATES.size()];
        java.util.Arrays.fill(g, 50);
        g[0] = 100;
        g[4] = 102.5;
        assertThat(GemmBlocking.rank(g).get(0).blocking()).isEqualTo(GemmBlocking.CANDIDATES.get(0));
        g[4] = 110;
        assertThat(GemmBlocking.rank(g).get(0).blocking()).isEqualTo(GemmBlocking.CANDIDATES.get(4));
        assertThat(GemmBlocking.rank(g).get(1).blocking()).isEqualTo(GemmBlocking.CANDIDATES.get(0));
    }

    @Test
    void theRankingIsCachedPerMachineAndTileAndADamagedEntryIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kernels.properties");
        double[] g = new double[GemmBlocking.CANDIDATES.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = 50 + i;
        }
        List<GemmBlocking.Measurement> ranking = GemmBlocking.rank(g);
        MicroKernels.writeCache(file, "cpu-a", MicroKernels.rank(new double[] {1, 2, 3, 4, 5, 60}));
        GemmBlocking.writeCache(file, "cpu-a.blocking.12x2", ranking);
        assertThat(GemmBlocking.readCache(file, "cpu-a.blocking.12x2").orElseThrow()).isEqualTo(ranking.stream()
                .map(m -> new GemmBlocking.Measurement(m.blocking(), Math.round(m.gflops() * 100) / 100.0)).toList());
        assertThat(MicroKernels.readCache(file, "cpu-a").orElseThrow().get(0).kernel().shape()).isEqualTo("4x3");
        assertThat(GemmBlocking.readCache(file, "cpu-a.blocking.6x2")).isEmpty();
        Files.writeString(file, "cpu-a.blocking.12x2 = 512 x 12.0\n");
        assertThat(GemmBlocking.readCache(file, "cpu-a.blocking.12x2")).isEmpty();
    }
}
