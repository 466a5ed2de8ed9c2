package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.GemmKernels.MR;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;

import java.util.Arrays;

/**
 * Cache-blocked SGEMM drivers around {@link GemmKernels} (the GotoBLAS/BLIS loop nest: K blocks, an L2-resident
 * block of A, an L1-resident micro-panel of B). Two shapes of work:
 * <ul>
 *   <li>{@link #residentB}: B (weights) packed once for the whole call, threads take blocks of rows of A (activations
 *       as rows: linear, matmul);</li>
 *   <li>{@link #residentA}: A (weights) packed once, threads take blocks of columns of B, packed on the fly from a
 *       {@link PanelSource} (convolution: B is the never-materialised im2col of the input).</li>
 * </ul>
 * C is accumulated in place (callers pre-fill it with the bias or zeros), one FMA per k in ascending order, so every
 * element's value is independent of the blocking and of the thread count.
 */
public final class Gemm {
    private Gemm() {}

    /** Columns per task in {@link #residentA}. */
    static final int NC = 4 * NR;
    /** Rows of A per block in {@link #residentA}. */
    static final int MC_A = 16 * MR;

    /**
     * The K block of every driver here and of Winograd's transformed weights: this machine's ({@link GemmBlocking};
     * measured on the linears' loop nest, and convolutions gained alike: K blocks of 512 instead of 128 ran implicit
     * GEMM 54-64% -> 78-81% of peak and Winograd up to 10% faster on a Zen 4).
     */
    static int kc() {
        return GemmBlocking.chosen().blocking().kc();
    }

    private static final ThreadLocal<float[][]> A_BUF = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> B_BUF = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    /** Packed B: panels of NR columns, each the full K rows k-major: panel p at {@code p * K * NR}. */
    public record PackedB(float[] data, int k, int n) {
        int panels() {
            return (n + NR - 1) / NR;
        }
    }

    /** Packed A: tiles of MR rows, each the full K columns k-major: tile t at {@code t * K * MR}. */
    public record PackedA(float[] data, int m, int k) {
        int tiles() {
            return (m + MR - 1) / MR;
        }
    }

    /** Packs B = Wᵀ for a row-major weight W [n, k] (a Linear weight). */
    public static PackedB packTransposed(float[] w, int off, int k, int n, Parallel par) {
        return packB(new Sources.Transposed(w, off, k, n), par);
    }

    /** Packs a row-major B [k, n] with leading dimension ld. */
    public static PackedB packRowMajor(float[] b, int off, int k, int n, int ld, Parallel par) {
        return packB(new Sources.RowMajor(b, off, k, n, ld), par);
    }

    static PackedB packB(PanelSource src, Parallel par) {
        int k = src.rows(), n = src.cols();
        int panels = (n + NR - 1) / NR;
        float[] data = new float[panels * k * NR];
        par.forEach(panels, p -> src.pack(0, k, p * NR, data, p * k * NR));
        return new PackedB(data, k, n);
    }

    /** Packs a row-major A [m, k] (leading dimension lda) into MR-row tiles. */
    public static PackedA packA(float[] a, int off, int m, int k, int lda, Parallel par) {
        int tiles = (m + MR - 1) / MR;
        float[] data = new float[tiles * k * MR];
        par.forEach(tiles, t -> packATile(a, off, lda, t * MR, Math.min(MR, m - t * MR), 0, k, data, t * k * MR));
        return new PackedA(data, m, k);
    }

    /** dst[dstOff + kk * MR + i] = a[off + (m0 + i) * lda + k0 + kk], rows >= rows zero. */
    static void packATile(float[] a, int off, int lda, int m0, int rows, int k0, int kc, float[] dst, int dstOff) {
        for (int i = 0; i < rows; i++) {
            int src = off + (m0 + i) * lda + k0;
            for (int kk = 0; kk < kc; kk++) {
                dst[dstOff + kk * MR + i] = a[src + kk];
            }
        }
        for (int i = rows; i < MR; i++) {
            for (int kk = 0; kk < kc; kk++) {
                dst[dstOff + kk * MR + i] = 0f;
            }
        }
    }

    /**
     * C[m, n] = bias + A[m, k] · B for a row-major A (leading dimension lda) and a packed B; C row-major with ldc.
     * C's previous contents are ignored (the first K block starts from the bias, or zero when bias is null).
     */
    public static void residentB(float[] a, int aOff, int lda, int m, PackedB b, float[] bias, float[] c, int cOff,
            int ldc, Parallel par) {
        residentB(a, aOff, lda, m, b, bias, c, cOff, ldc, GemmBlocking.chosen().blocking(), par);
    }

    /**
     * {@link #residentB} with an explicit blocking (what the per-machine measurement compares). The blocking only
     * decides when C is stored and reloaded between K blocks, never the order of a C element's FMAs: the bits are
     * the same for every blocking.
     */
    static void residentB(float[] a, int aOff, int lda, int m, PackedB b, float[] bias, float[] c, int cOff, int ldc,
            GemmBlocking.Blocking blocking, Parallel par) {
        int tasks = residentBTasks(m, b.n, blocking.mc(), par.threads());
        float[] init = initRow(bias, b.n);
        par.forEach(tasks, t -> residentBTask(a, aOff, lda, m, b, init, c, cOff, ldc, blocking, t, tasks));
    }

    /** The bias padded with zeros to whole panels (the starting row of every register tile). */
    static float[] initRow(float[] bias, int n) {
        float[] init = new float[(n + NR - 1) / NR * NR];
        if (bias != null) {
            System.arraycopy(bias, 0, init, 0, n);
        }
        return init;
    }

    /** How many tasks {@link #residentBTask} splits the problem into for the given row block and thread count. */
    static int residentBTasks(int m, int n, int mc, int threads) {
        int mBlocks = (m + mc - 1) / mc;
        int panels = (n + NR - 1) / NR;
        // split columns too when there are too few row blocks to keep every thread busy
        int groups = 1;
        while (mBlocks * groups < 4 * threads && groups < panels) {
            groups++;
        }
        return mBlocks * groups;
    }

    /** One task of {@link #residentB}: a block of rows times a group of panels; init from {@link #initRow}. */
    static void residentBTask(float[] a, int aOff, int lda, int m, PackedB b, float[] init, float[] c, int cOff,
            int ldc, GemmBlocking.Blocking blocking, int task, int tasks) {
        int mcMax = blocking.mc(), kcMax = blocking.kc();
        int mBlocks = (m + mcMax - 1) / mcMax;
        int groups = tasks / mBlocks;
        int mb = task / groups, g = task % groups;
        int panels = b.panels();
        int p0 = panels * g / groups, p1 = panels * (g + 1) / groups;
        int m0 = mb * mcMax, mc = Math.min(mcMax, m - m0);
        int k = b.k, n = b.n;
        int tiles = (mc + MR - 1) / MR;
        float[][] abHolder = A_BUF.get();
        if (abHolder[0].length < mcMax * kcMax) {
            abHolder[0] = new float[mcMax * kcMax];
        }
        float[] ab = abHolder[0];
        float[] bd = b.data;
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            for (int t = 0; t < tiles; t++) {
                packATile(a, aOff, lda, m0 + t * MR, Math.min(MR, mc - t * MR), pc, kc, ab, t * kc * MR);
            }
            for (int p = p0; p < p1; p++) {
                int bOff = p * k * NR + pc * NR;
                int cols = Math.min(NR, n - p * NR);
                for (int t = 0; t < tiles; t++) {
                    int rows = Math.min(MR, mc - t * MR);
                    int co = cOff + (m0 + t * MR) * ldc + p * NR;
                    if (pc == 0) {
                        firstTile(ab, t * kc * MR, bd, bOff, kc, init, p * NR, c, co, ldc, rows, cols);
                    } else {
                        tile(ab, t * kc * MR, bd, bOff, kc, c, co, ldc, rows, cols);
                    }
                }
            }
        }
    }

    /**
     * C[m, n] = rowInit + packed A · B with B read through a panel source, for the columns [n0, n0 + nc); threads
     * call this for disjoint column ranges (see {@link #NC}). rowInit: one start value per row, padded to whole
     * tiles ({@link #initColumn}).
     */
    static void residentAColumns(PackedA a, PanelSource b, float[] rowInit, float[] c, int cOff, int ldc, int n0,
            int nc) {
        int k = a.k, m = a.m;
        int panels = (nc + NR - 1) / NR;
        int kcMax = kc();
        float[][] bbHolder = B_BUF.get();
        if (bbHolder[0].length < NC * kcMax) {
            bbHolder[0] = new float[NC * kcMax];
        }
        float[] bb = bbHolder[0];
        float[] ad = a.data;
        int n = b.cols();
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            for (int p = 0; p < panels; p++) {
                b.pack(pc, kc, n0 + p * NR, bb, p * kc * NR);
            }
            for (int m0 = 0; m0 < m; m0 += MC_A) {
                int tEnd = Math.min(m, m0 + MC_A);
                for (int p = 0; p < panels; p++) {
                    int cols = Math.min(NR, n - (n0 + p * NR));
                    for (int r0 = m0; r0 < tEnd; r0 += MR) {
                        int rows = Math.min(MR, m - r0);
                        int aOff = (r0 / MR) * k * MR + pc * MR, co = cOff + r0 * ldc + n0 + p * NR;
                        if (pc == 0) {
                            firstTileRows(ad, aOff, bb, p * kc * NR, kc, rowInit, r0, c, co, ldc, rows, cols);
                        } else {
                            tile(ad, aOff, bb, p * kc * NR, kc, c, co, ldc, rows, cols);
                        }
                    }
                }
            }
        }
    }

    /**
     * For every problem i: C_i[m, n] = rowBias + A · B_i over all columns of B_i (C_i at cOffs[i]; rowBias null =
     * zeros), one parallel loop over (problem, column chunk). Used for a convolution over a batch: one shared weight,
     * one im2col per image.
     */
    static void residentA(PackedA a, PanelSource[] bs, float[] rowBias, float[] c, int[] cOffs, int ldc,
            Parallel par) {
        int n = bs[0].cols();
        int chunks = (n + NC - 1) / NC;
        float[] init = initColumn(rowBias, a.m);
        par.forEach(chunks * bs.length, t -> {
            int i = t / chunks, ch = t % chunks;
            residentAColumns(a, bs[i], init, c, cOffs[i], ldc, ch * NC, Math.min(NC, n - ch * NC));
        });
    }

    /** Per-row start values padded with zeros to whole register tiles. */
    static float[] initColumn(float[] bias, int m) {
        float[] init = new float[(m + MR - 1) / MR * MR];
        if (bias != null) {
            System.arraycopy(bias, 0, init, 0, m);
        }
        return init;
    }

    /** The first K block of a tile starting from per-row values, through scratch at the edges. */
    static void firstTileRows(float[] a, int aOff, float[] b, int bOff, int kc, float[] rowInit, int r0, float[] c,
            int cOff, int ldc, int rows, int cols) {
        if (rows == MR && cols == NR) {
            GemmKernels.K.kernelPackedRowInit(a, aOff, b, bOff, NR, kc, rowInit, r0, c, cOff, ldc);
            return;
        }
        float[] tmp = TILE.get();
        GemmKernels.K.kernelPackedRowInit(a, aOff, b, bOff, NR, kc, rowInit, r0, tmp, 0, NR);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(tmp, i * NR, c, cOff + i * ldc, cols);
        }
    }

    /** The first K block of a tile: starts from init (bias) rather than C, through scratch at the edges. */
    static void firstTile(float[] a, int aOff, float[] b, int bOff, int kc, float[] init, int initOff, float[] c,
            int cOff, int ldc, int rows, int cols) {
        if (rows == MR && cols == NR) {
            GemmKernels.K.kernelPackedInit(a, aOff, b, bOff, NR, kc, init, initOff, c, cOff, ldc);
            return;
        }
        float[] tmp = TILE.get();
        GemmKernels.K.kernelPackedInit(a, aOff, b, bOff, NR, kc, init, initOff, tmp, 0, NR);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(tmp, i * NR, c, cOff + i * ldc, cols);
        }
    }

    /** One register tile, through a scratch tile when it hangs over the edge of C. */
    static void tile(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc, int rows,
            int cols) {
        if (rows == MR && cols == NR) {
            GemmKernels.K.kernelPacked(a, aOff, b, bOff, NR, kc, c, cOff, ldc);
            return;
        }
        float[] tmp = TILE.get();
        Arrays.fill(tmp, 0f);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(c, cOff + i * ldc, tmp, i * NR, cols);
        }
        GemmKernels.K.kernelPacked(a, aOff, b, bOff, NR, kc, tmp, 0, NR);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(tmp, i * NR, c, cOff + i * ldc, cols);
        }
    }
}
