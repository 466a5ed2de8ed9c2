package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;
import static dev.vega4j.tensor.kernels.VMath.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The two passes of {@link VMath#gelu(float[], int, float[], int, int)}, kept out of line (the {@code kernel}
 * prefix: never inlined) so each stays within C2's inlining node budget on its own.
 */
final class GeluKernels {
    private GeluKernels() {}

    /** |x| at or below this takes Cody's range 1 (|z| <= 0.46875, z = x/√2). */
    static final float CLAMP_LO = 0.46875f * (float) Math.sqrt(2);

    /**
     * Pass 1a: the numerator z·num1 and denominator den1 of erf(z) for |z| <= 0.46875 (Cody range 1), for every
     * lane; pass 1b divides (one division for both ranges).
     */
    static void kernelInner(float[] in, float[] numOut, float[] denOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector z = x.mul(INV_SQRT2);
            FloatVector y = z.abs();
            FloatVector ys = y.min(0.46875f);
            FloatVector ysq = ys.mul(ys);
            FloatVector num1 = ysq.fma(A4, A0).fma(ysq, c(A1)).fma(ysq, c(A2)).fma(ysq, c(A3));
            FloatVector den1 = ysq.add(B0).fma(ysq, c(B1)).fma(ysq, c(B2)).fma(ysq, c(B3));
            z.mul(num1).intoArray(numOut, i);
            den1.intoArray(denOut, i);
        }
    }

    /**
     * Pass 1b: per lane one quotient, erf(z) of range 1 where |x| <= {@link #CLAMP_LO} (from pass 1a's terms), else
     * the rational factor of erfc(|z|) in Cody's range 2 (|z| up to 4): the same quotients as dividing in each
     * range and blending, with one division instead of two.
     */
    static void kernelRange2(float[] in, float[] num1, float[] den1, float[] ratOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector ax = FloatVector.fromArray(S, in, i).abs();
            FloatVector ym = ax.mul(INV_SQRT2).max(0.46875f).min(4f);
            FloatVector num2 = ym.fma(C8, C0).fma(ym, c(C1)).fma(ym, c(C2)).fma(ym, c(C3)).fma(ym, c(C4))
                    .fma(ym, c(C5)).fma(ym, c(C6)).fma(ym, c(C7));
            FloatVector den2 = ym.add(D0).fma(ym, c(D1)).fma(ym, c(D2)).fma(ym, c(D3)).fma(ym, c(D4)).fma(ym, c(D5))
                    .fma(ym, c(D6)).fma(ym, c(D7));
            VectorMask<Float> small = ax.compare(VectorOperators.LE, CLAMP_LO);
            num2.blend(FloatVector.fromArray(S, num1, i), small)
                    .div(den2.blend(FloatVector.fromArray(S, den1, i), small)).intoArray(ratOut, i);
        }
    }

    /**
     * Pass 1c: lanes with |z| > 4 take Cody's range 3 (asymptotic) factor instead; a vector without such a lane
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

    /**
     * Pass 2: erfc = exp(-z²)·rat, the sign cases, and 0.5·x·(1 + erf) (1 + rat where range 1 applies); the result
     * overwrites {@code in}.
     */
    static void kernelCombine(float[] in, float[] rat, int nv) {
        float clampHi = 10f * (float) Math.sqrt(2), clampLo = CLAMP_LO;
        for (int i = 0; i < nv; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector ax = x.abs();
            // exp(-y²) with y² = x²/2 taken from x (exact hi + lo split by fma, exact halving): rounding z = x/√2
            // first would cost 1e-5 relative in exp(-y²) at y ≈ 8; erfc(y > 10) is below the smallest float
            FloatVector axc = ax.min(clampHi).max(clampLo);
            FloatVector hi = axc.mul(axc);
            FloatVector lo = axc.fma(axc, hi.neg());
            FloatVector q = FloatVector.fromArray(S, rat, i);
            FloatVector erfc = exp(hi.mul(-0.5f)).mul(lo.mul(-0.5f).add(1f)).mul(q)
                    .blend(0f, ax.compare(VectorOperators.GT, clampHi));
            FloatVector outer = erfc.neg().add(2f).blend(erfc, x.compare(VectorOperators.LT, 0f));
            FloatVector onePlusErf = outer.blend(q.add(1f), ax.compare(VectorOperators.LE, clampLo));
            x.mul(0.5f).mul(onePlusErf).intoArray(in, i);
        }
    }

    /** y[yo, yo + n) = a[ao, ao + n) · in[0, n) (GEGLU's product, as the block leaves the scratch). */
    static void kernelMulOut(float[] in, float[] a, int ao, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, in, i).mul(FloatVector.fromArray(S, a, ao + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = in[i] * a[ao + i];
        }
    }
}
