package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;
import static dev.vega4j.tensor.kernels.VMath.*;

import jdk.incubator.vector.FloatVector;

/**
 * The passes of {@link VMath#gelu(float[], int, float[], int, int)}, kept out of line (the {@code kernel} prefix:
 * never inlined) so each stays within C2's inlining node budget on its own.
 *
 * <p>erfc(|z|), z = x/√2, is e^(-z²)·erfcx(|z|) with erfcx from one rational ({@link VMath#ERFCX_P} /
 * {@link VMath#ERFCX_Q}) for every |z| up to 10 (erfc is below the smallest float beyond); 0.5·x·(1 + erf) is then
 * 0.5·x·(2 - erfc) for x >= 0, where erfc <= 1 so nothing cancels, or 0.5·x·erfc(|z|) for x < 0, which keeps the
 * negative tail's relative accuracy.
 */
final class GeluKernels {
    private GeluKernels() {}

    /** Pass 1: erfcx(y) at y = min(|z|, 10) for every lane of in[io, io + nv) (one division). */
    static void kernelRatio(float[] in, int io, float[] ratOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector ym = FloatVector.fromArray(S, in, io + i).abs().mul(INV_SQRT2).min(10f);
            FloatVector num = ym.fma(P5, P4).fma(ym, c(P3)).fma(ym, c(P2)).fma(ym, c(P1)).fma(ym, c(P0));
            FloatVector den = ym.fma(Q6, Q5).fma(ym, c(Q4)).fma(ym, c(Q3)).fma(ym, c(Q2)).fma(ym, c(Q1))
                    .fma(ym, c(Q0));
            num.div(den).intoArray(ratOut, i);
        }
    }

    /** Pass 2 (GELU): {@link VMath#geluFromRatio} over lanes [from, nv) of the block, overwriting {@code in}. */
    static void kernelCombine(float[] in, float[] rat, int from, int nv) {
        for (int i = from; i < nv; i += L) {
            VMath.geluFromRatio(FloatVector.fromArray(S, in, i), FloatVector.fromArray(S, rat, i)).intoArray(in, i);
        }
    }

    /**
     * Pass 2 (GEGLU): y[yo, yo + n) = gelu(in[io, io + n)) · a[ao, ao + n) for a whole number of vectors n,
     * written straight to y (the product rounds after the GELU, as multiplying the finished block would).
     */
    static void kernelCombineMul(float[] in, int io, float[] rat, float[] a, int ao, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += L) {
            VMath.geluFromRatio(FloatVector.fromArray(S, in, io + i), FloatVector.fromArray(S, rat, i))
                    .mul(FloatVector.fromArray(S, a, ao + i)).intoArray(y, yo + i);
        }
    }
}
