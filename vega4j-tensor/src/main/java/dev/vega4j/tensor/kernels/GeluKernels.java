package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;
import static dev.vega4j.tensor.kernels.VMath.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The passes of {@link VMath#gelu(float[], int, float[], int, int)}, kept out of line (the {@code kernel} prefix:
 * never inlined) so each stays within C2's inlining node budget on its own.
 *
 * <p>erfc(|z|), z = x/√2, comes from Cody's range-2 rational for every |z| up to 4, below 0.46875 too (his range 1,
 * a separate erf rational, is not needed for float: extrapolated to [0, 0.5] the range-2 rational stays within
 * 5e-12 relative of erfc(y)·e^(y²), far below a float ulp), and 0.5·x·(1 + erf) = 0.5·x·(2 - erfc) for x >= 0, where
 * erfc <= 1 so nothing cancels, or 0.5·x·erfc(|z|) for x < 0, which keeps the negative tail's relative accuracy.
 */
final class GeluKernels {
    private GeluKernels() {}

    /**
     * Pass 1: the rational factor erfc(y)·e^(y²) of Cody's range 2 at y = min(|z|, 4) for every lane (one
     * division).
     */
    static void kernelRatio(float[] in, float[] ratOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector ym = FloatVector.fromArray(S, in, i).abs().mul(INV_SQRT2).min(4f);
            FloatVector num2 = ym.fma(C8, C0).fma(ym, c(C1)).fma(ym, c(C2)).fma(ym, c(C3)).fma(ym, c(C4))
                    .fma(ym, c(C5)).fma(ym, c(C6)).fma(ym, c(C7));
            FloatVector den2 = ym.add(D0).fma(ym, c(D1)).fma(ym, c(D2)).fma(ym, c(D3)).fma(ym, c(D4)).fma(ym, c(D5))
                    .fma(ym, c(D6)).fma(ym, c(D7));
            num2.div(den2).intoArray(ratOut, i);
        }
    }

    /**
     * Pass 2: lanes with |z| > 4 take Cody's range 3 (asymptotic) factor instead; a vector without such a lane
     * (nearly all of them: |x| > 5.66) is skipped, which leaves every lane as computing it would.
     */
    static void kernelRange3(float[] in, float[] rat, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector y = FloatVector.fromArray(S, in, i).abs().mul(INV_SQRT2);
            VectorMask<Float> farLanes = y.compare(VectorOperators.GT, 4f);
            if (!farLanes.anyTrue()) {
                continue;
            }
            FloatVector yt = y.max(4f).min(10f);
            FloatVector isq = c(1f).div(yt.mul(yt));
            FloatVector num3 = isq.fma(P5, P0).fma(isq, c(P1)).fma(isq, c(P2)).fma(isq, c(P3)).fma(isq, c(P4));
            FloatVector den3 = isq.add(Q0).fma(isq, c(Q1)).fma(isq, c(Q2)).fma(isq, c(Q3)).fma(isq, c(Q4));
            FloatVector far = isq.mul(num3).div(den3).neg().add(SQRPI).div(yt);
            FloatVector.fromArray(S, rat, i).blend(far, farLanes).intoArray(rat, i);
        }
    }

    /** Pass 3 (GELU): {@link VMath#geluFromRatio} over lanes [from, nv) of the block, overwriting {@code in}. */
    static void kernelCombine(float[] in, float[] rat, int from, int nv) {
        for (int i = from; i < nv; i += L) {
            VMath.geluFromRatio(FloatVector.fromArray(S, in, i), FloatVector.fromArray(S, rat, i)).intoArray(in, i);
        }
    }

    /**
     * Pass 3 (GEGLU): y[yo, yo + n) = gelu(in) · a[ao, ao + n) for a whole number of vectors n, written straight to
     * y (the product rounds after the GELU, as multiplying the finished block would).
     */
    static void kernelCombineMul(float[] in, float[] rat, float[] a, int ao, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += L) {
            VMath.geluFromRatio(FloatVector.fromArray(S, in, i), FloatVector.fromArray(S, rat, i))
                    .mul(FloatVector.fromArray(S, a, ao + i)).intoArray(y, yo + i);
        }
    }
}
