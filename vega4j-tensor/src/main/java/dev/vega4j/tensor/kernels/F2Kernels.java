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
     * Bᵀ d B for L interior tiles from the input (x[p] = top-left input pixel of the first tile): each input row's
     * four columns per tile by de-interleaving, the row transform (d B), then the column transform (Bᵀ ·).
     * Its vectors are all local, so nothing is boxed whether or not C2 inlines it.
     */
    private static void interior(float[] x, int p, int w, float[] v, int dst, int ps) {
        FloatVector h00, h01, h02, h03, h10, h11, h12, h13, h20, h21, h22, h23, h30, h31, h32, h33;
        {
            FloatVector v0 = FloatVector.fromArray(S, x, p), v1 = FloatVector.fromArray(S, x, p + L);
            FloatVector w0 = FloatVector.fromArray(S, x, p + 2), w1 = FloatVector.fromArray(S, x, p + 2 + L);
            FloatVector d0 = v0.rearrange(EVEN, v1), d1 = v0.rearrange(ODD, v1);
            FloatVector d2 = w0.rearrange(EVEN, w1), d3 = w0.rearrange(ODD, w1);
            h00 = d2.sub(d0);
            h01 = d1.add(d2);
            h02 = d2.sub(d1);
            h03 = d3.sub(d1);
        }
        p += w;
        {
            FloatVector v0 = FloatVector.fromArray(S, x, p), v1 = FloatVector.fromArray(S, x, p + L);
            FloatVector w0 = FloatVector.fromArray(S, x, p + 2), w1 = FloatVector.fromArray(S, x, p + 2 + L);
            FloatVector d0 = v0.rearrange(EVEN, v1), d1 = v0.rearrange(ODD, v1);
            FloatVector d2 = w0.rearrange(EVEN, w1), d3 = w0.rearrange(ODD, w1);
            h10 = d2.sub(d0);
            h11 = d1.add(d2);
            h12 = d2.sub(d1);
            h13 = d3.sub(d1);
        }
        p += w;
        {
            FloatVector v0 = FloatVector.fromArray(S, x, p), v1 = FloatVector.fromArray(S, x, p + L);
            FloatVector w0 = FloatVector.fromArray(S, x, p + 2), w1 = FloatVector.fromArray(S, x, p + 2 + L);
            FloatVector d0 = v0.rearrange(EVEN, v1), d1 = v0.rearrange(ODD, v1);
            FloatVector d2 = w0.rearrange(EVEN, w1), d3 = w0.rearrange(ODD, w1);
            h20 = d2.sub(d0);
            h21 = d1.add(d2);
            h22 = d2.sub(d1);
            h23 = d3.sub(d1);
        }
        p += w;
        {
            FloatVector v0 = FloatVector.fromArray(S, x, p), v1 = FloatVector.fromArray(S, x, p + L);
            FloatVector w0 = FloatVector.fromArray(S, x, p + 2), w1 = FloatVector.fromArray(S, x, p + 2 + L);
            FloatVector d0 = v0.rearrange(EVEN, v1), d1 = v0.rearrange(ODD, v1);
            FloatVector d2 = w0.rearrange(EVEN, w1), d3 = w0.rearrange(ODD, w1);
            h30 = d2.sub(d0);
            h31 = d1.add(d2);
            h32 = d2.sub(d1);
            h33 = d3.sub(d1);
        }
        // rows of Bᵀ: a=0: r2 - r0, a=1: r1 + r2, a=2: r2 - r1, a=3: r3 - r1
        h20.sub(h00).intoArray(v, dst);
        h21.sub(h01).intoArray(v, dst + ps);
        h22.sub(h02).intoArray(v, dst + 2 * ps);
        h23.sub(h03).intoArray(v, dst + 3 * ps);
        h10.add(h20).intoArray(v, dst + 4 * ps);
        h11.add(h21).intoArray(v, dst + 5 * ps);
        h12.add(h22).intoArray(v, dst + 6 * ps);
        h13.add(h23).intoArray(v, dst + 7 * ps);
        h20.sub(h10).intoArray(v, dst + 8 * ps);
        h21.sub(h11).intoArray(v, dst + 9 * ps);
        h22.sub(h12).intoArray(v, dst + 10 * ps);
        h23.sub(h13).intoArray(v, dst + 11 * ps);
        h30.sub(h10).intoArray(v, dst + 12 * ps);
        h31.sub(h11).intoArray(v, dst + 13 * ps);
        h32.sub(h12).intoArray(v, dst + 14 * ps);
        h33.sub(h13).intoArray(v, dst + 15 * ps);
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
