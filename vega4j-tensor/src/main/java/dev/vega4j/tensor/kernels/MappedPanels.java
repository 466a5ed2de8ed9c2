package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.GemmKernels.MR;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;

import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Packing of weights held in a memory segment ({@link Tensor#isMapped()}: the mapped file's float32, fp16 or bf16
 * bytes): the same packed panels as {@link Gemm#packTransposed} and {@link Gemm#packA} build from a heap float32
 * weight, read (fp16/bf16: widened) row strip by row strip while packing. Reading is exact, so the panels, and every
 * result computed from them, are bit-identical to those of a heap float32 copy; the weight itself never exists as a
 * float32 array outside the packed buffer of one call.
 */
public final class MappedPanels {
    private MappedPanels() {}

    /** Packs B = Wᵀ for a mapped Linear weight W [n, k] (as {@link Gemm#packTransposed}). */
    public static Gemm.PackedB packTransposed(Tensor.MappedData w, int k, int n, Parallel par) {
        return Gemm.packB(new Transposed(w, k, n), par);
    }

    /** Packs a mapped row-major A [m, k] (a convolution weight [O, C·kh·kw]) into MR-row tiles. */
    public static Gemm.PackedA packA(Tensor.MappedData a, int m, int k, Parallel par) {
        int tiles = (m + MR - 1) / MR;
        float[] data = new float[tiles * k * MR];
        par.forEach(tiles, t -> packATile(a, k, t * MR, Math.min(MR, m - t * MR), data, t * k * MR));
        return new Gemm.PackedA(data, m, k);
    }

    /** One MR-row tile over all of K: dst[dstOff + kk * MR + i] = a[m0 + i, kk] (rows past {@code rows} zero). */
    private static void packATile(Tensor.MappedData a, int k, int m0, int rows, float[] dst, int dstOff) {
        float[] row = new float[k];
        for (int i = 0; i < rows; i++) {
            // read one contiguous row first (a straight copy/loop over the segment), then scatter it into the tile
            a.toFloats((long) (m0 + i) * k, row, 0, k);
            for (int kk = 0; kk < k; kk++) {
                dst[dstOff + kk * MR + i] = row[kk];
            }
        }
        for (int i = rows; i < MR; i++) {
            for (int kk = 0; kk < k; kk++) {
                dst[dstOff + kk * MR + i] = 0f;
            }
        }
    }

    /** B = Wᵀ for a row-major mapped W [N, K], like {@link Sources.Transposed}. */
    record Transposed(Tensor.MappedData w, int k, int n) implements PanelSource {
        /** K values read per source row at a time (the row strip of one panel stays in L1). */
        private static final int KB = 256;

        @Override
        public int rows() {
            return k;
        }

        @Override
        public int cols() {
            return n;
        }

        @Override
        public void pack(int k0, int kc, int n0, float[] dst, int dstOff) {
            int valid = Math.min(NR, n - n0);
            float[] strip = new float[KB];
            for (int kb = 0; kb < kc; kb += KB) {
                int len = Math.min(KB, kc - kb);
                for (int j = 0; j < valid; j++) {
                    w.toFloats((long) (n0 + j) * k + k0 + kb, strip, 0, len);
                    int d = dstOff + kb * NR + j;
                    for (int kk = 0; kk < len; kk++) {
                        dst[d + kk * NR] = strip[kk];
                    }
                }
            }
            if (valid < NR) {
                for (int kk = 0; kk < kc; kk++) {
                    Arrays.fill(dst, dstOff + kk * NR + valid, dstOff + kk * NR + NR, 0f);
                }
            }
        }
    }
}
