package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.GemmKernels.MR;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;
import static dev.vega4j.tensor.kernels.Lanes.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Flash-style multi-head attention (Dao et al., "FlashAttention", 2022, Algorithm 1, on a CPU): per block of queries,
 * stream blocks of keys, S = scale·Q Kᵀ with the GEMM microkernel, online softmax (running max and sum, rescaling
 * the partial output), O += P V with the row-major-A microkernel. Memory is O(T·d): K and V are repacked once per call
 * into kernel panels, nothing of size T² exists.
 *
 * <p>Each (batch, head, query block) is one task and computes its rows alone, keys in ascending order: the result
 * does not depend on the thread count.
 */
public final class Attention {
    private Attention() {}

    /** Keys per block: the width of the score tile (the row stride of kernelRowsA). */
    static final int BK = MicroKernel.ROW_A_STRIDE;
    /** Register tiles of queries per task (about 96 queries share each K/V block while it is in L2). */
    static final int QT = (96 + MR - 1) / MR;

    private static final class Scratch {
        float[] qp = new float[0], s = new float[MR * BK], o = new float[0], m = new float[QT * MR],
                l = new float[QT * MR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The start value of every score: the first K block of S = Q Kᵀ starts from zeros instead of a zero-filled S. */
    private static final float[] ZEROS = new float[NR];

    /**
     * q [b, tq, heads·d], k and v [b, tk, heads·d] → out [b, tq, heads·d]; out is fully overwritten.
     */
    public static void attention(float[] q, float[] k, float[] v, float[] out, int b, int tq, int tk, int heads, int d,
            float scale, boolean causal, Parallel par) {
        int inner = heads * d;
        int kp = (tk + NR - 1) / NR, tkPad = kp * NR;
        int dp = (d + NR - 1) / NR, dPad = dp * NR;
        // Kᵀ panels: [b][h][key panel][d][NR]
        float[] kt = new float[b * heads * kp * d * NR];
        par.forEach(b * heads * kp, t -> {
            int bh = t / kp, p = t % kp, bi = bh / heads, h = bh % heads;
            int dst = t * d * NR;
            for (int j = 0; j < NR && p * NR + j < tk; j++) {
                int src = (bi * tk + p * NR + j) * inner + h * d;
                for (int r = 0; r < d; r++) {
                    kt[dst + r * NR + j] = k[src + r];
                }
            }
        });
        // V panels: [b][h][d panel][key][NR]
        float[] vp = new float[b * heads * dp * tkPad * NR];
        par.forEach(b * heads, bh -> {
            int bi = bh / heads, h = bh % heads;
            for (int key = 0; key < tk; key++) {
                int src = (bi * tk + key) * inner + h * d;
                for (int p = 0; p < dp; p++) {
                    System.arraycopy(v, src + p * NR, vp, ((bh * dp + p) * tkPad + key) * NR, Math.min(NR, d - p * NR));
                }
            }
        });
        int qRows = QT * MR;
        int qBlocks = (tq + qRows - 1) / qRows;
        par.forEach(b * heads * qBlocks, t -> {
            int bh = t / qBlocks, qb = t % qBlocks;
            block(q, kt, vp, out, bh / heads, bh % heads, qb * qRows, Math.min(qRows, tq - qb * qRows), tq, tk, heads,
                    d, scale, causal, kp, tkPad, dp, dPad);
        });
    }

    private static void block(float[] q, float[] kt, float[] vp, float[] out, int bi, int h, int q0, int rows, int tq,
            int tk, int heads, int d, float scale, boolean causal, int kp, int tkPad, int dp, int dPad) {
        int inner = heads * d;
        int tiles = (rows + MR - 1) / MR;
        Scratch sc = SCRATCH.get();
        if (sc.qp.length < QT * d * MR) {
            sc.qp = new float[QT * d * MR];
        }
        if (sc.o.length < QT * MR * dPad) {
            sc.o = new float[QT * MR * dPad];
        }
        float[] qp = sc.qp, s = sc.s, o = sc.o, m = sc.m, l = sc.l;
        // Q·scale into MR-row tiles, k-major: written in order, read from MR rows at a time (a row at a time, the
        // writes strided by MR, was a third of a cross-attention's time)
        Arrays.fill(qp, 0, tiles * d * MR, 0f);
        for (int tt = 0; tt < tiles; tt++) {
            int live = Math.min(MR, rows - tt * MR), base = tt * d * MR;
            int src0 = (bi * tq + q0 + tt * MR) * inner + h * d;
            for (int r = 0; r < d; r++) {
                int dst = base + r * MR;
                for (int i = 0, src = src0 + r; i < live; i++, src += inner) {
                    qp[dst + i] = q[src] * scale;
                }
            }
        }
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0f);
        Arrays.fill(o, 0, tiles * MR * dPad, 0f);
        int bh = bi * heads + h;
        int ktBase = bh * kp * d * NR, vBase = bh * dp * tkPad * NR;
        int keyLimit = causal ? Math.min(tk, q0 + rows) : tk;
        for (int ks = 0; ks < keyLimit; ks += BK) {
            int kw = Math.min(BK, (keyLimit - ks + NR - 1) / NR * NR);
            for (int tt = 0; tt < tiles; tt++) {
                int row0 = q0 + tt * MR;
                if (causal && ks > row0 + MR - 1) {
                    continue;
                }
                for (int p = 0; p < kw / NR; p++) {
                    GemmKernels.K.kernelPackedInit(qp, tt * d * MR, kt, ktBase + (ks / NR + p) * d * NR, NR, d, ZEROS,
                            0, s, p * NR, BK);
                }
                for (int i = 0; i < MR; i++) {
                    int valid = Math.min(kw, tk - ks);
                    if (causal) {
                        valid = Math.min(valid, row0 + i - ks + 1);
                    }
                    softmaxRow(s, i * BK, kw, valid, m, l, o, (tt * MR + i), dPad);
                }
                for (int p = 0; p < dp; p++) {
                    GemmKernels.K.kernelRowsA(s, 0, vp, vBase + (p * tkPad + ks) * NR, NR, kw, o,
                            tt * MR * dPad + p * NR, dPad);
                }
            }
        }
        for (int tt = 0; tt < tiles; tt++) {
            for (int i = 0; i < MR; i++) {
                int qi = q0 + tt * MR + i;
                if (qi >= q0 + rows) {
                    break;
                }
                int r0 = (tt * MR + i) * dPad;
                float sum = l[tt * MR + i];
                int dst = (bi * tq + qi) * inner + h * d;
                int r = 0;
                for (int end = S.loopBound(d); r < end; r += L) { // lane-wise division: the scalar one's bits
                    FloatVector.fromArray(S, o, r0 + r).div(sum).intoArray(out, dst + r);
                }
                for (; r < d; r++) {
                    out[dst + r] = o[r0 + r] / sum;
                }
            }
        }
    }

    /**
     * Online-softmax update of one query row for one key block: scores s[off, off + valid) are live, the rest of the
     * kw columns become zero probabilities; the running max/sum and the row's partial output are rescaled.
     */
    private static void softmaxRow(float[] s, int off, int kw, int valid, float[] m, float[] l, float[] o, int row,
            int dPad) {
        if (valid <= 0) {
            Arrays.fill(s, off, off + kw, 0f);
            return;
        }
        int vecEnd = valid / L * L;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector mn = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector v = FloatVector.fromArray(S, s, off + j);
            mx = mx.max(v);
            mn = mn.min(v);
        }
        float rowMax = mx.reduceLanes(VectorOperators.MAX), rowMin = mn.reduceLanes(VectorOperators.MIN);
        for (int j = vecEnd; j < valid; j++) {
            rowMax = Math.max(rowMax, s[off + j]);
            rowMin = Math.min(rowMin, s[off + j]);
        }
        float mOld = m[row];
        float mNew = Math.max(mOld, rowMax);
        // e^(s - max) in place, summed in an order independent of L while still in registers; the cheaper
        // exponential when no argument can fall below -87 (the usual case; false for NaN or infinite scores)
        float sum = FixedOrderSums.expShiftedShortSum(s, off, valid, kw, mNew, rowMin - mNew >= -87f);
        Arrays.fill(s, off + valid, off + kw, 0f);
        if (mOld == Float.NEGATIVE_INFINITY) {
            l[row] = sum;
        } else {
            // the running max rarely moves after the first key blocks: e^0 is exactly 1, so skip the exponential
            // (a whole vector exponential for one lane, a twentieth of the time); a NaN difference still takes it
            float diff = mOld - mNew;
            float alpha = diff == 0f ? 1f : VMath.exp(diff);
            l[row] = l[row] * alpha + sum;
            if (alpha != 1f) {
                FloatVector av = FloatVector.broadcast(S, alpha);
                for (int r = row * dPad; r < row * dPad + dPad; r += L) {
                    FloatVector.fromArray(S, o, r).mul(av).intoArray(o, r);
                }
            }
        }
        m[row] = mNew;
    }
}
