package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The column half of the input transform and the output transform of {@link Winograd} specialised for
 * {@link WinogradTransform#F2} (points 0, 1, -1, ∞), vectorised across L tiles of one tile row: tile t's input
 * columns 2t-1 .. 2t+2 are de-interleaved from contiguous loads with two-vector shuffles (instead of a gather), and
 * the two output columns of every tile are interleaved back the same way. Columns where the tiles are not consecutive
 * (tile-row ends, tiny images) or hang over the image edge take the general scalar route.
 *
 * <p>Which route a tile takes depends on the vector width (the fast routes are chosen per group of L tiles), so every
 * route computes each value with the same float operations in the same order: the rows of Bᵀ d first (one rounding
 * each, as {@link Winograd#kernelRowCombine} does), then their columns; the output transform is one formula for all.
 * The same inputs thus give the same bits on 256-bit and 512-bit vectors.
 *
 * <p>The formulas are {@code WinogradTransform.F2}'s Bᵀ = [[-1,0,1,0],[0,1,1,0],[0,-1,1,0],[0,-1,0,1]] and
 * Aᵀ = [[1,1,1,0],[0,1,-1,1]], written out (a static check compares them).
 */
final class F2Kernels {
    private F2Kernels() {}

    /** Lanes 0, 2, 4, ... of the pair (a, b) and lanes 1, 3, 5, ...: index i ≥ L selects b's lane i - L. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);
    /** Interleave a and b: low half a0 b0 a1 b1 ..., high half from lane L/2 on. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(S, i -> (i % 2) * L + i / 2);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromOp(S, i -> (i % 2) * L + L / 2 + i / 2);

    static {
        double[][] bt = {{-1, 0, 1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, -1, 0, 1}};
        double[][] at = {{1, 1, 1, 0}, {0, 1, -1, 1}};
        if (!java.util.Arrays.deepEquals(bt, WinogradTransform.F2.bt())
                || !java.util.Arrays.deepEquals(at, WinogradTransform.F2.at())) {
            throw new IllegalStateException("F2Kernels' formulas no longer match WinogradTransform.F2");
        }
    }

    /**
     * V[ξ = a·4 + b] for input channel kk of the chunk (see {@link Winograd#kernelColumnTransform}). Per vector q of
     * L tiles: qX[q] ≥ 0: interior tiles, the whole Bᵀ d B straight from the input plane (qX = offset of the first
     * tile's top-left input pixel); else from the rows R_a of (Bᵀ d): qIn[q] ≥ 0 where L consecutive tiles start,
     * otherwise gathered through rIndex.
     */
    static void kernelColumnTransform(float[] rows, int rLen, int[] rIndex, int[] qIn, float[] x, int plane, int w,
            int[] qX, int nbp, float[] gbuf, float[] v, int pointStride, int kc, int kk) {
        for (int q = 0; q < nbp; q += L) {
            int dst = ((q / NR) * kc + kk) * NR + q % NR;
            int fused = qX[q / L];
            if (fused >= 0) {
                interior(x, plane + fused, w, v, dst, pointStride);
                continue;
            }
            int start = qIn[q / L];
            for (int a = 0; a < 4; a++) {
                FloatVector d0, d1, d2, d3;
                if (start >= 0) {
                    int base = a * rLen + start;
                    FloatVector v0 = FloatVector.fromArray(S, rows, base);
                    FloatVector v1 = FloatVector.fromArray(S, rows, base + L);
                    FloatVector w0 = FloatVector.fromArray(S, rows, base + 2);
                    FloatVector w1 = FloatVector.fromArray(S, rows, base + 2 + L);
                    d0 = v0.rearrange(EVEN, v1);
                    d1 = v0.rearrange(ODD, v1);
                    d2 = w0.rearrange(EVEN, w1);
                    d3 = w0.rearrange(ODD, w1);
                } else {
                    int rowA = a * rLen;
                    for (int lane = 0; lane < L; lane++) {
                        int src = rowA + rIndex[q + lane];
                        gbuf[lane] = rows[src];
                        gbuf[L + lane] = rows[src + 1];
                        gbuf[2 * L + lane] = rows[src + 2];
                        gbuf[3 * L + lane] = rows[src + 3];
                    }
                    d0 = FloatVector.fromArray(S, gbuf, 0);
                    d1 = FloatVector.fromArray(S, gbuf, L);
                    d2 = FloatVector.fromArray(S, gbuf, 2 * L);
                    d3 = FloatVector.fromArray(S, gbuf, 3 * L);
                }
                int o = a * 4 * pointStride + dst;
                d2.sub(d0).intoArray(v, o);
                d1.add(d2).intoArray(v, o + pointStride);
                d2.sub(d1).intoArray(v, o + 2 * pointStride);
                d3.sub(d1).intoArray(v, o + 3 * pointStride);
            }
        }
    }

    /**
     * Bᵀ d B for L interior tiles from the input (x[p] = top-left input pixel of the first tile), in the general
     * path's order so that a tile's bits never depend on which path its group of L tiles takes (which depends on L):
     * first the rows R_a of Bᵀ d at every input column (as {@link Winograd#kernelRowCombine} computes them: one
     * rounding each, r2 - r0, r1 + r2, r2 - r1, r3 - r1), then each tile's four columns of R_a by de-interleaving and
     * the column transform (· B) as {@link #kernelColumnTransform} does. Its vectors are all local, so nothing is
     * boxed whether or not C2 inlines it.
     */
    private static void interior(float[] x, int p, int w, float[] v, int dst, int ps) {
        // R_a at the four column offsets each tile vector needs: 0 and L (columns 2t-1, 2t), 2 and 2 + L (2t+1, 2t+2)
        FloatVector r00, r01, r02, r03, r10, r11, r12, r13, r20, r21, r22, r23, r30, r31, r32, r33;
        {
            FloatVector x0 = FloatVector.fromArray(S, x, p), x1 = FloatVector.fromArray(S, x, p + w);
            FloatVector x2 = FloatVector.fromArray(S, x, p + 2 * w), x3 = FloatVector.fromArray(S, x, p + 3 * w);
            r00 = x2.sub(x0);
            r10 = x1.add(x2);
            r20 = x2.sub(x1);
            r30 = x3.sub(x1);
        }
        {
            int c = p + L;
            FloatVector x0 = FloatVector.fromArray(S, x, c), x1 = FloatVector.fromArray(S, x, c + w);
            FloatVector x2 = FloatVector.fromArray(S, x, c + 2 * w), x3 = FloatVector.fromArray(S, x, c + 3 * w);
            r01 = x2.sub(x0);
            r11 = x1.add(x2);
            r21 = x2.sub(x1);
            r31 = x3.sub(x1);
        }
        {
            int c = p + 2;
            FloatVector x0 = FloatVector.fromArray(S, x, c), x1 = FloatVector.fromArray(S, x, c + w);
            FloatVector x2 = FloatVector.fromArray(S, x, c + 2 * w), x3 = FloatVector.fromArray(S, x, c + 3 * w);
            r02 = x2.sub(x0);
            r12 = x1.add(x2);
            r22 = x2.sub(x1);
            r32 = x3.sub(x1);
        }
        {
            int c = p + 2 + L;
            FloatVector x0 = FloatVector.fromArray(S, x, c), x1 = FloatVector.fromArray(S, x, c + w);
            FloatVector x2 = FloatVector.fromArray(S, x, c + 2 * w), x3 = FloatVector.fromArray(S, x, c + 3 * w);
            r03 = x2.sub(x0);
            r13 = x1.add(x2);
            r23 = x2.sub(x1);
            r33 = x3.sub(x1);
        }
        // each tile's columns of R_a, then the columns of Bᵀ: b=0: c2 - c0, b=1: c1 + c2, b=2: c2 - c1, b=3: c3 - c1
        {
            FloatVector d0 = r00.rearrange(EVEN, r01), d1 = r00.rearrange(ODD, r01);
            FloatVector d2 = r02.rearrange(EVEN, r03), d3 = r02.rearrange(ODD, r03);
            d2.sub(d0).intoArray(v, dst);
            d1.add(d2).intoArray(v, dst + ps);
            d2.sub(d1).intoArray(v, dst + 2 * ps);
            d3.sub(d1).intoArray(v, dst + 3 * ps);
        }
        {
            FloatVector d0 = r10.rearrange(EVEN, r11), d1 = r10.rearrange(ODD, r11);
            FloatVector d2 = r12.rearrange(EVEN, r13), d3 = r12.rearrange(ODD, r13);
            d2.sub(d0).intoArray(v, dst + 4 * ps);
            d1.add(d2).intoArray(v, dst + 5 * ps);
            d2.sub(d1).intoArray(v, dst + 6 * ps);
            d3.sub(d1).intoArray(v, dst + 7 * ps);
        }
        {
            FloatVector d0 = r20.rearrange(EVEN, r21), d1 = r20.rearrange(ODD, r21);
            FloatVector d2 = r22.rearrange(EVEN, r23), d3 = r22.rearrange(ODD, r23);
            d2.sub(d0).intoArray(v, dst + 8 * ps);
            d1.add(d2).intoArray(v, dst + 9 * ps);
            d2.sub(d1).intoArray(v, dst + 10 * ps);
            d3.sub(d1).intoArray(v, dst + 11 * ps);
        }
        {
            FloatVector d0 = r30.rearrange(EVEN, r31), d1 = r30.rearrange(ODD, r31);
            FloatVector d2 = r32.rearrange(EVEN, r33), d3 = r32.rearrange(ODD, r33);
            d2.sub(d0).intoArray(v, dst + 12 * ps);
            d1.add(d2).intoArray(v, dst + 13 * ps);
            d2.sub(d1).intoArray(v, dst + 14 * ps);
            d3.sub(d1).intoArray(v, dst + 15 * ps);
        }
    }

    /**
     * Y = Aᵀ M A + bias for every tile column of one output channel (M_ξ at {@code mm[off + ξ·pointStride]}):
     * vectors whose qOut is ≥ 0 go straight to the output plane (qOut = offset of their first tile's top-left
     * pixel), the others to ys[(r·2 + c)·nbp + col] for the caller's scalar scatter.
     */
    static void kernelOutputTransform(float[] mm, int off, int pointStride, int nbp, float bias, int[] qOut,
            float[] out, int plane, int w, float[] ys) {
        FloatVector bv = FloatVector.broadcast(S, bias);
        for (int q = 0; q < nbp; q += L) {
            int base = off + q;
            // T_r[b] = Σ_a Aᵀ[r][a] M[a][b]: r = 0 rows 0+1+2, r = 1 rows 1-2+3
            FloatVector t00, t01, t02, t03, t10, t11, t12, t13;
            {
                FloatVector m0 = FloatVector.fromArray(S, mm, base);
                FloatVector m4 = FloatVector.fromArray(S, mm, base + 4 * pointStride);
                FloatVector m8 = FloatVector.fromArray(S, mm, base + 8 * pointStride);
                FloatVector m12 = FloatVector.fromArray(S, mm, base + 12 * pointStride);
                t00 = m0.add(m4).add(m8);
                t10 = m4.sub(m8).add(m12);
            }
            {
                FloatVector m1 = FloatVector.fromArray(S, mm, base + pointStride);
                FloatVector m5 = FloatVector.fromArray(S, mm, base + 5 * pointStride);
                FloatVector m9 = FloatVector.fromArray(S, mm, base + 9 * pointStride);
                FloatVector m13 = FloatVector.fromArray(S, mm, base + 13 * pointStride);
                t01 = m1.add(m5).add(m9);
                t11 = m5.sub(m9).add(m13);
            }
            {
                FloatVector m2 = FloatVector.fromArray(S, mm, base + 2 * pointStride);
                FloatVector m6 = FloatVector.fromArray(S, mm, base + 6 * pointStride);
                FloatVector m10 = FloatVector.fromArray(S, mm, base + 10 * pointStride);
                FloatVector m14 = FloatVector.fromArray(S, mm, base + 14 * pointStride);
                t02 = m2.add(m6).add(m10);
                t12 = m6.sub(m10).add(m14);
            }
            {
                FloatVector m3 = FloatVector.fromArray(S, mm, base + 3 * pointStride);
                FloatVector m7 = FloatVector.fromArray(S, mm, base + 7 * pointStride);
                FloatVector m11 = FloatVector.fromArray(S, mm, base + 11 * pointStride);
                FloatVector m15 = FloatVector.fromArray(S, mm, base + 15 * pointStride);
                t03 = m3.add(m7).add(m11);
                t13 = m7.sub(m11).add(m15);
            }
            FloatVector y00 = t00.add(t01).add(t02).add(bv);
            FloatVector y01 = t01.sub(t02).add(t03).add(bv);
            FloatVector y10 = t10.add(t11).add(t12).add(bv);
            FloatVector y11 = t11.sub(t12).add(t13).add(bv);
            int o = qOut[q / L];
            if (o >= 0) {
                int row0 = plane + o, row1 = row0 + w;
                y00.rearrange(ZIP_LO, y01).intoArray(out, row0);
                y00.rearrange(ZIP_HI, y01).intoArray(out, row0 + L);
                y10.rearrange(ZIP_LO, y11).intoArray(out, row1);
                y10.rearrange(ZIP_HI, y11).intoArray(out, row1 + L);
            } else {
                y00.intoArray(ys, q);
                y01.intoArray(ys, nbp + q);
                y10.intoArray(ys, 2 * nbp + q);
                y11.intoArray(ys, 3 * nbp + q);
            }
        }
    }
}
