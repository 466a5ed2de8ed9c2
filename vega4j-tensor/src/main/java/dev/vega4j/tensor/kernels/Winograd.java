package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.GemmKernels.MR;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;
import static dev.vega4j.tensor.kernels.Lanes.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * conv2d with a 3 x 3 kernel, stride 1, padding 1 by Winograd's minimal filtering F(m x m, 3 x 3) (Lavin and Gray,
 * arXiv 1509.09308): per output tile of m x m, α² = (m + 2)² multiplications per channel pair instead of 9 m².
 *
 * <p>Tile-blocked, so the transformed data stays in cache and is never materialised for the whole image: a task takes
 * a block of {@code nbp} output tiles of one image (and a group of output channels), and for each chunk of input
 * channels transforms the input tiles (Bᵀ d B) straight into the packed-panel layout of the GEMM microkernel, runs one
 * GEMM per transform point ξ — M_ξ [Cout x tiles] += U_ξ [Cout x Cin] · V_ξ [Cin x tiles] through
 * {@link GemmKernels} — and finally applies the output transform (Aᵀ M A) plus the bias into the NCHW output.
 *
 * <p>Deterministic: every output element comes from one task, with its reduction over input channels in ascending
 * order (one FMA per channel per point, as in {@link Gemm}) and fixed transforms, whatever the split of the work.
 */
public final class Winograd {
    private Winograd() {}

    /** Input channels transformed (and reduced by the microkernel) per step: the K block of {@link Gemm#kc()}. */
    static final int KC = Gemm.kc();
    /** Most output tiles per task (GEMM columns: a multiple of NR). */
    static final int NB_MAX = Math.max(NR, 64 / NR * NR);
    /** Most output channels per task, so the per-task products M (α² x group x tiles) stay cache-sized. */
    static final int GROUP_MAX = 264 / MR * MR;
    /** How many input channels ahead {@link Plan#touch} reads. */
    static final int PREFETCH = 2;

    private static final float[] ZERO_ROWS = new float[MR];
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@link WinogradTransform#DEFAULT}. */
    public static final WinogradTransform DEFAULT = WinogradTransform.DEFAULT;

    /** True for the convolutions this class computes. */
    public static boolean applies(int kh, int kw, int stride, int padding) {
        return kh == 3 && kw == 3 && stride == 1 && padding == 1;
    }

    /**
     * Transformed, packed weights: for each point ξ, U_ξ = (G g Gᵀ)_ξ as {@link Gemm.PackedA} tiles of MR output
     * channels, k (input channel) major, blocked by {@link #KC} input channels like a GotoBLAS packed A, so the tiles
     * one GEMM step reads are contiguous: for ci in the block starting at c0 (kc channels),
     * {@code data[ξ * pointStride() + c0 * coutTiles() * MR + t * kc * MR + (ci - c0) * MR + i]}. (With whole-K
     * tiles, a 512-channel layer's GEMM ran ~20% slower than a 128-channel one.)
     */
    public record PackedWeights(float[] data, WinogradTransform transform, int cout, int cin) {
        int coutTiles() {
            return (cout + MR - 1) / MR;
        }

        int pointStride() {
            return coutTiles() * cin * MR;
        }
    }

    /**
     * Transforms a conv weight [cout, cin, 3, 3] (row-major at {@code off}) for {@code tf}; each U = G g Gᵀ is
     * computed in double and rounded once.
     */
    public static PackedWeights packWeights(float[] w, int off, int cout, int cin, WinogradTransform tf,
            Parallel par) {
        int alpha = tf.alpha(), pts = alpha * alpha;
        int tiles = (cout + MR - 1) / MR;
        int stride = tiles * cin * MR;
        float[] data = new float[pts * stride];
        double[][] g = tf.g();
        // input channel outer, the tile's rows inner: each point's 12 values per channel are adjacent, so the α²
        // output streams advance a cache line at a time
        par.forEach(tiles, t -> {
            double[] tmp = new double[alpha * 3];
            int rows = Math.min(MR, cout - t * MR); // the padding rows stay zero
            for (int ci = 0; ci < cin; ci++) {
                int c0 = ci / KC * KC, kc = Math.min(KC, cin - c0);
                int dst0 = c0 * tiles * MR + t * kc * MR + (ci - c0) * MR;
                for (int i = 0; i < rows; i++) {
                    int src = off + ((t * MR + i) * cin + ci) * 9;
                    // tmp = G g (α x 3)
                    for (int a = 0; a < alpha; a++) {
                        for (int l = 0; l < 3; l++) {
                            tmp[a * 3 + l] = g[a][0] * w[src + l] + g[a][1] * w[src + 3 + l] + g[a][2] * w[src + 6 + l];
                        }
                    }
                    for (int a = 0; a < alpha; a++) {
                        for (int b = 0; b < alpha; b++) {
                            double u = tmp[a * 3] * g[b][0] + tmp[a * 3 + 1] * g[b][1] + tmp[a * 3 + 2] * g[b][2];
                            data[(a * alpha + b) * stride + dst0 + i] = (float) u;
                        }
                    }
                }
            }
        });
        return new PackedWeights(data, tf, cout, cin);
    }

    /**
     * out [n, cout, h, w] = conv3x3(x [n, cin, h, w], weights, padding 1) + bias (null = none), overwriting out.
     */
    public static void conv2d(float[] x, int n, int c, int h, int w, PackedWeights u, float[] bias, float[] out,
            Parallel par) {
        if (u.cin() != c) {
            throw new IllegalArgumentException("winograd: weights for " + u.cin() + " input channels, input has " + c);
        }
        Plan plan = new Plan(u, h, w, bias, par.threads(), n);
        int perImage = plan.blocks * plan.groups;
        par.forEach(n * perImage, task -> {
            int img = task / perImage, r = task % perImage;
            plan.run(x, img, r / plan.groups, r % plan.groups, out);
        });
    }

    /** The geometry of one call, shared by its tasks (immutable). */
    private static final class Plan {
        final PackedWeights u;
        final int m, alpha, pts, cin, cout, h, w, tilesW, tiles, nbp, blocks, groups, groupSize;
        final float[][] bt, at;
        final int[][] btNz, atNz;
        final float[] bias;

        Plan(PackedWeights u, int h, int w, float[] bias, int threads, int images) {
            this.u = u;
            WinogradTransform tf = u.transform();
            this.m = tf.m();
            this.alpha = tf.alpha();
            this.pts = alpha * alpha;
            this.cin = u.cin();
            this.cout = u.cout();
            this.h = h;
            this.w = w;
            this.tilesW = (w + m - 1) / m;
            this.tiles = tilesW * ((h + m - 1) / m);
            this.nbp = Math.min(NB_MAX, (tiles + NR - 1) / NR * NR);
            this.blocks = (tiles + nbp - 1) / nbp;
            int coutTiles = u.coutTiles();
            int g = (coutTiles * MR + GROUP_MAX - 1) / GROUP_MAX;
            // more, smaller channel groups when there are too few tile blocks to keep every thread busy (each group
            // repeats the input transform, cheap next to its GEMM)
            while ((long) images * blocks * g < 2L * threads && coutTiles / (g + 1) >= 2) {
                g++;
            }
            int tilesPerGroup = (coutTiles + g - 1) / g;
            this.groupSize = tilesPerGroup * MR;
            this.groups = (coutTiles + tilesPerGroup - 1) / tilesPerGroup;
            this.bt = tf.btFloat();
            this.at = tf.atFloat();
            this.btNz = WinogradTransform.nonzeroColumns(bt);
            this.atNz = WinogradTransform.nonzeroColumns(at);
            this.bias = bias;
        }

        /**
         * Reads one float per cache line of the input rows this block needs from a plane a few channels ahead, so
         * their cache misses overlap with the current channel's work instead of stalling it one short row at a time
         * (the block's rows are short strips of many planes: hardware prefetchers barely engage). Java has no prefetch
         * instruction; the sum keeps the loads alive.
         */
        float touch(float[] x, int plane, int segs, int[] segTy, int[] segTx, int[] segN) {
            float sum = 0;
            for (int sg = 0; sg < segs; sg++) {
                int lo = Math.max(0, segTx[sg] * m - 1), hi = Math.min(w, (segTx[sg] + segN[sg]) * m + alpha - m - 1);
                int iy0 = Math.max(0, segTy[sg] * m - 1), iy1 = Math.min(h, segTy[sg] * m - 1 + alpha);
                for (int iy = iy0; iy < iy1; iy++) {
                    int row = plane + iy * w;
                    for (int xx = lo; xx < hi; xx += 16) {
                        sum += x[row + xx];
                    }
                    sum += x[row + hi - 1];
                }
            }
            return sum;
        }

        /** One task: tiles [blk·nbp, ...) of image img, output channels of group grp. */
        void run(float[] x, int img, int blk, int grp, float[] out) {
            int t0 = blk * nbp, nb = Math.min(nbp, tiles - t0);
            int co0 = grp * groupSize, co1 = Math.min(cout, co0 + groupSize);
            int gsz = co1 - co0;
            int panels = nbp / NR;
            Scratch s = SCRATCH.get();
            // tile rows ("segments") in the block and where each tile's input columns start in the row buffers
            int segs = 0;
            int rLen = 0;
            int[] segTy = s.ints(0, nb + 1), segTx = s.ints(1, nb + 1), segN = s.ints(2, nb + 1),
                    segCol = s.ints(3, nb + 1), segOff = s.ints(4, nb + 1);
            int[] rIndex = s.ints(5, nbp);
            for (int col = 0; col < nb; ) {
                int t = t0 + col, ty = t / tilesW, tx = t % tilesW;
                int len = Math.min(nb - col, tilesW - tx);
                segTy[segs] = ty;
                segTx[segs] = tx;
                segN[segs] = len;
                segCol[segs] = col;
                segOff[segs] = rLen;
                for (int k = 0; k < len; k++) {
                    rIndex[col + k] = rLen + k * m;
                }
                rLen += len * m + alpha - m;
                col += len;
                segs++;
            }
            int zeroZone = rLen;
            rLen += alpha;
            for (int col = nb; col < nbp; col++) {
                rIndex[col] = zeroZone; // padding columns read zeros
            }
            float[] rows = s.floats(0, alpha * rLen + 2 * L + alpha); // slack: F2Kernels reads whole vectors
            boolean f2 = u.transform() == WinogradTransform.F2;
            // F(2x2) fast paths per vector of L tile columns: consecutive tiles of one tile row (inputs), also whole
            // 2x2 tiles inside the image (outputs); -1 where the general path runs. Which path a tile takes thus
            // depends on L, so all of them round alike (F2Kernels): the bits do not depend on the vector width
            int[] qIn = s.ints(7, nbp / L), qOut = s.ints(8, nbp / L), qX = s.ints(9, nbp / L);
            boolean allOutFast = true, needRows = !f2;
            for (int q = 0; q < nbp / L; q++) {
                int c0 = q * L;
                boolean consecutive = true;
                for (int k = 1; k < L && consecutive; k++) {
                    consecutive = rIndex[c0 + k] == rIndex[c0] + k * m;
                }
                qIn[q] = f2 && consecutive ? rIndex[c0] : -1;
                int t = t0 + c0, ty = t / tilesW, tx = t % tilesW;
                // interior: the 4 input rows and columns 2tx-1 .. 2(tx+L) all inside the image
                boolean interior = consecutive && c0 + L <= nb && ty * m - 1 >= 0 && ty * m + 2 < h && tx * m - 1 >= 0
                        && (tx + L) * m + 1 <= w;
                qX[q] = f2 && interior ? (ty * m - 1) * w + tx * m - 1 : -1;
                needRows |= qX[q] < 0;
                boolean whole = c0 + L <= nb && tx + L <= tilesW && ty * m + m <= h && (tx + L) * m <= w;
                qOut[q] = f2 && whole ? ty * m * w + tx * m : -1;
                allOutFast &= qOut[q] >= 0 || c0 >= nb;
            }
            for (int a = 0; a < alpha; a++) {
                Arrays.fill(rows, a * rLen + zeroZone, a * rLen + zeroZone + alpha, 0f);
            }
            int kcMax = Math.min(KC, cin);
            float[] v = s.floats(1, pts * unaliased(kcMax * nbp));
            int mStride = unaliased(gsz * nbp);
            float[] mm = s.floats(2, pts * mStride);
            float[] gbuf = s.floats(3, alpha * L);
            int[] rowOff = s.ints(6, alpha);
            float[] coef = s.floats(4, alpha);
            int xBase = img * cin * h * w;
            float touched = 0;
            float[] ud = u.data();
            int pointStride = u.pointStride();
            int coutTiles = u.coutTiles();
            for (int c0 = 0; c0 < cin; c0 += KC) {
                int kc = Math.min(KC, cin - c0);
                int vStride = unaliased(kc * nbp);
                // input transform of channels [c0, c0 + kc) into V: ((ξ * panels + p) * kc + kk) * NR + j
                for (int kk = 0; kk < kc; kk++) {
                    int plane = xBase + (c0 + kk) * h * w;
                    if (c0 + kk + PREFETCH < cin) {
                        touched += touch(x, plane + PREFETCH * h * w, segs, segTy, segTx, segN);
                    }
                    for (int sg = 0; sg < segs && needRows; sg++) {
                        int xs = segTx[sg] * m - 1, len = segN[sg] * m + alpha - m, iy0 = segTy[sg] * m - 1;
                        int lo = Math.max(0, xs), hi = Math.min(w, xs + len);
                        for (int a = 0; a < alpha; a++) {
                            int nq = 0;
                            for (int i : btNz[a]) {
                                int iy = iy0 + i;
                                if (iy >= 0 && iy < h) {
                                    rowOff[nq] = plane + iy * w;
                                    coef[nq++] = bt[a][i];
                                }
                            }
                            int dst = a * rLen + segOff[sg];
                            if (nq == 0 || hi <= lo) {
                                Arrays.fill(rows, dst, dst + len, 0f);
                                continue;
                            }
                            Arrays.fill(rows, dst, dst + (lo - xs), 0f);
                            Arrays.fill(rows, dst + (hi - xs), dst + len, 0f);
                            kernelRowCombine(x, rowOff, coef, nq, lo, hi, rows, dst - xs);
                        }
                    }
                    if (f2) {
                        F2Kernels.kernelColumnTransform(rows, rLen, rIndex, qIn, x, plane, w, qX, nbp, gbuf, v,
                                vStride, kc, kk);
                    } else {
                        kernelColumnTransform(rows, rLen, rIndex, nbp, alpha, bt, btNz, gbuf, v, vStride, kc, kk);
                    }
                }
                // one GEMM per point: M_ξ[co0.., 0..nbp) (+)= U_ξ · V_ξ
                for (int xi = 0; xi < pts; xi++) {
                    for (int m0 = co0; m0 < co1; m0 += Gemm.MC_A) {
                        int mEnd = Math.min(co1, m0 + Gemm.MC_A);
                        for (int p = 0; p < panels; p++) {
                            int bOff = xi * vStride + p * kc * NR;
                            for (int r0 = m0; r0 < mEnd; r0 += MR) {
                                int rowsLeft = Math.min(MR, co1 - r0);
                                int aOff = xi * pointStride + c0 * coutTiles * MR + (r0 / MR) * kc * MR;
                                int cOff = xi * mStride + (r0 - co0) * nbp + p * NR;
                                if (c0 == 0) {
                                    Gemm.firstTileRows(ud, aOff, v, bOff, kc, ZERO_ROWS, 0, mm, cOff, nbp, rowsLeft,
                                            NR);
                                } else {
                                    Gemm.tile(ud, aOff, v, bOff, kc, mm, cOff, nbp, rowsLeft, NR);
                                }
                            }
                        }
                    }
                }
            }
            s.sink += touched;
            // output transform Aᵀ M A + bias, then the tiles' values into the NCHW output
            float[] ys = s.floats(5, m * m * nbp);
            float[] tbuf = s.floats(6, alpha * L);
            int outBase = img * cout * h * w;
            for (int co = co0; co < co1; co++) {
                float b = bias == null ? 0f : bias[co];
                int plane = outBase + co * h * w;
                if (f2) {
                    F2Kernels.kernelOutputTransform(mm, (co - co0) * nbp, mStride, nbp, b, qOut, out, plane, w, ys);
                } else {
                    kernelOutputTransform(mm, (co - co0) * nbp, mStride, nbp, alpha, m, at, atNz, b, tbuf, ys);
                }
                for (int sg = 0; sg < segs && !allOutFast; sg++) {
                    int ty = segTy[sg], tx0 = segTx[sg], ns = segN[sg], col0 = segCol[sg];
                    for (int r = 0; r < m; r++) {
                        int oy = ty * m + r;
                        if (oy >= h) {
                            break;
                        }
                        int rowBase = plane + oy * w;
                        for (int cc = 0; cc < m; cc++) {
                            int src = (r * m + cc) * nbp + col0;
                            int ox = tx0 * m + cc;
                            for (int k = 0; k < ns && ox < w; k++, ox += m) {
                                if (qOut[(col0 + k) / L] < 0) { // else written by the fast path
                                    out[rowBase + ox] = ys[src + k];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * dst[dstOff + x] = Σ_q coef[q] · src[rowOff[q] + x] for x in [lo, hi): one row of (Bᵀ d) for a strip of tiles,
     * computed at every input column.
     */
    static void kernelRowCombine(float[] src, int[] rowOff, float[] coef, int nq, int lo, int hi, float[] dst,
            int dstOff) {
        int x = lo;
        for (int end = lo + S.loopBound(hi - lo); x < end; x += L) {
            FloatVector acc = FloatVector.fromArray(S, src, rowOff[0] + x).mul(coef[0]);
            for (int q = 1; q < nq; q++) {
                acc = FloatVector.fromArray(S, src, rowOff[q] + x).fma(FloatVector.broadcast(S, coef[q]), acc);
            }
            acc.intoArray(dst, dstOff + x);
        }
        for (; x < hi; x++) {
            float acc = src[rowOff[0] + x] * coef[0];
            for (int q = 1; q < nq; q++) {
                acc = Math.fma(src[rowOff[q] + x], coef[q], acc);
            }
            dst[dstOff + x] = acc;
        }
    }

    /**
     * The column half of the input transform, L tiles at a time: for each row a of (Bᵀ d), gather the α input
     * columns of every tile (rIndex: where each tile's columns start in the row buffer) and combine them with Bᵀ into
     * V[ξ = a·α + b], written in the microkernel's panel layout for input channel kk of the chunk.
     */
    static void kernelColumnTransform(float[] rows, int rLen, int[] rIndex, int nbp, int alpha, float[][] bt,
            int[][] btNz, float[] gbuf, float[] v, int pointStride, int kc, int kk) {
        for (int q = 0; q < nbp; q += L) {
            int p = q / NR, j0 = q % NR;
            for (int a = 0; a < alpha; a++) {
                // a scalar gather: the Vector API's indexed load is not intrinsified here and costs ~50 ns
                int rowA = a * rLen;
                for (int lane = 0; lane < L; lane++) {
                    int src = rowA + rIndex[q + lane];
                    for (int j = 0; j < alpha; j++) {
                        gbuf[j * L + lane] = rows[src + j];
                    }
                }
                for (int b = 0; b < alpha; b++) {
                    int[] nz = btNz[b];
                    float[] cb = bt[b];
                    FloatVector acc = FloatVector.fromArray(S, gbuf, nz[0] * L).mul(cb[nz[0]]);
                    for (int e = 1; e < nz.length; e++) {
                        acc = FloatVector.fromArray(S, gbuf, nz[e] * L).fma(FloatVector.broadcast(S, cb[nz[e]]), acc);
                    }
                    acc.intoArray(v, (a * alpha + b) * pointStride + (p * kc + kk) * NR + j0);
                }
            }
        }
    }

    /**
     * ys[(r·m + c)·nbp + col] = (Aᵀ M A)[r][c] + bias for every tile column, M_ξ at {@code mm[off + ξ·pointStride]}.
     */
    static void kernelOutputTransform(float[] mm, int off, int pointStride, int nbp, int alpha, int m, float[][] at,
            int[][] atNz, float bias, float[] tbuf, float[] ys) {
        FloatVector bv = FloatVector.broadcast(S, bias);
        for (int q = 0; q < nbp; q += L) {
            for (int r = 0; r < m; r++) {
                int[] nzr = atNz[r];
                float[] ar = at[r];
                // T[b] = Σ_a Aᵀ[r][a] · M[a][b]
                for (int b = 0; b < alpha; b++) {
                    FloatVector acc = FloatVector.fromArray(S, mm, off + (nzr[0] * alpha + b) * pointStride + q)
                            .mul(ar[nzr[0]]);
                    for (int e = 1; e < nzr.length; e++) {
                        acc = FloatVector.fromArray(S, mm, off + (nzr[e] * alpha + b) * pointStride + q)
                                .fma(FloatVector.broadcast(S, ar[nzr[e]]), acc);
                    }
                    acc.intoArray(tbuf, b * L);
                }
                for (int c = 0; c < m; c++) {
                    int[] nzc = atNz[c];
                    float[] ac = at[c];
                    FloatVector acc = FloatVector.fromArray(S, tbuf, nzc[0] * L).mul(ac[nzc[0]]);
                    for (int e = 1; e < nzc.length; e++) {
                        acc = FloatVector.fromArray(S, tbuf, nzc[e] * L).fma(FloatVector.broadcast(S, ac[nzc[e]]), acc);
                    }
                    acc.add(bv).intoArray(ys, (r * m + c) * nbp + q);
                }
            }
        }
    }

    /**
     * A stride for the α² per-point planes of V and M: the transforms write (and read) all of them for every tile,
     * and with a power-of-two stride those α² streams fall into the same L1 sets (measured: the input transform 10x
     * slower). An odd number of cache lines spreads them.
     */
    static int unaliased(int floats) {
        int lines = (floats + 15) / 16;
        return (lines | 1) * 16;
    }

    /** Per-thread buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        /** Where {@link Plan#touch} sums go (never read). */
        float sink;

        private final float[][] f = new float[12][];
        private final int[][] i = new int[12][];

        float[] floats(int slot, int size) {
            if (f[slot] == null || f[slot].length < size) {
                f[slot] = new float[size];
            }
            return f[slot];
        }

        int[] ints(int slot, int size) {
            if (i[slot] == null || i[slot].length < size) {
                i[slot] = new int[size];
            }
            return i[slot];
        }
    }
}
